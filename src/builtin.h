/* SPDX-License-Identifier: GPL-2.0 */
/* The jifl subcommands: one cmd_<name>() per file, like perf's builtin-*. */
#ifndef JIFL_BUILTIN_H
#define JIFL_BUILTIN_H

int cmd_record(int argc, const char **argv);
int cmd_report(int argc, const char **argv);
int cmd_info(int argc, const char **argv);
int cmd_script(int argc, const char **argv);
int cmd_top(int argc, const char **argv);
int cmd_cover(int argc, const char **argv);
int cmd_version(int argc, const char **argv);

/* For commands that are specified but not built yet: says so, exits 1. */
int cmd_not_built(const char *name, const char *what, int argc,
		  const char **argv);

#endif /* JIFL_BUILTIN_H */
