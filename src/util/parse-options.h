/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line option parsing shared by all jifl subcommands, in the
 * manner of perf's parse-options: a table of options drives parsing,
 * the usage text and the "did you mean" hints.
 */
#ifndef JIFL_PARSE_OPTIONS_H
#define JIFL_PARSE_OPTIONS_H

#include <stdbool.h>

enum option_type {
	OPTION_END,
	OPTION_GROUP,		/* a heading in the usage text */
	OPTION_BOOLEAN,		/* bool *; --no-X clears it */
	OPTION_INCR,		/* int *, incremented (-v -v) */
	OPTION_STRING,		/* const char ** */
	OPTION_INTEGER,		/* long *, decimal or 0x hex */
	OPTION_CALLBACK,	/* callback(opt, arg) */
};

struct option;
typedef int (*option_cb)(const struct option *opt, const char *arg);

struct option {
	enum option_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;	/* argument name in the usage text */
	const char *help;
	option_cb callback;
	bool optional_arg;	/* for OPTION_CALLBACK */
};

#define OPT_END()	{ .type = OPTION_END }
#define OPT_GROUP(h)	{ .type = OPTION_GROUP, .help = (h) }
#define OPT_BOOLEAN(s, l, v, h) \
	{ .type = OPTION_BOOLEAN, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_INCR(s, l, v, h) \
	{ .type = OPTION_INCR, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_INTEGER(s, l, v, a, h) \
	{ .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_CALLBACK(s, l, a, h, cb) \
	{ .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), \
	  .argh = (a), .help = (h), .callback = (cb) }

/* flags for parse_options() */
#define PARSE_OPT_STOP_AT_NON_OPTION	0x1	/* "jifl record ls -l" */
#define PARSE_OPT_KEEP_DASHDASH		0x2

/* Exit status of a usage error: unknown command or option, bad value. */
#define EXIT_USAGE	2

/**
 * parse_options() - parse argv against an option table
 * @argc:	argument count, argv[0] being the command name
 * @argv:	arguments; non-options are moved to the front
 * @options:	the table, ended by OPT_END()
 * @usagestr:	NULL-terminated usage lines, the first is the synopsis
 * @flags:	PARSE_OPT_*
 *
 * -h/--help prints the usage and exits 0. An unknown option or a bad
 * value prints one error line (with a hint when one is close) and exits
 * EXIT_USAGE.
 *
 * Return: the number of arguments left in @argv.
 */
int parse_options(int argc, const char **argv, const struct option *options,
		  const char *const *usagestr, int flags);

/* Print the usage text to stdout (help) or stderr (error). */
void usage_with_options(const char *const *usagestr,
			const struct option *options, bool to_stderr);

/* Edit distance (insert, delete, substitute, swap) for "did you mean". */
int levenshtein(const char *a, const char *b);

#endif /* JIFL_PARSE_OPTIONS_H */
