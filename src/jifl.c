// SPDX-License-Identifier: GPL-2.0
/*
 * jifl: JIT instrumentation framework for Linux, the command-line tool.
 *
 * A perf-style front end: "jifl [--version] [--help] <command> [<args>]".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "builtin.h"
#include "util/parse-options.h"

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, const char **argv);
	const char *summary;
};

static const struct cmd_struct commands[] = {
	{ "record",  cmd_record,  "Run a command and record its kernel execution into jifl.data" },
	{ "report",  cmd_report,  "Show hot blocks, functions and call graphs from jifl.data" },
	{ "info",    cmd_info,    "Show what a recording holds: system, sizes, losses" },
	{ "script",  cmd_script,  "Print the recorded events, one line per event in time order" },
	{ "top",     cmd_top,     "Live view of the hottest kernel functions and blocks" },
	{ "cover",   cmd_cover,   "Write kernel coverage (lcov, PC lists, summaries)" },
	{ "version", cmd_version, "Show the tool's and the loaded module's versions" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_main_usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "\n Usage: jifl [--version] [--help] <command> [<args>]\n\n");
	fprintf(fp, " The jifl commands are:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(fp, "   %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(fp, "\n See 'jifl help <command>' or 'jifl <command> --help'"
		" for more on a command.\n\n");
}

static const struct cmd_struct *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void __attribute__((noreturn)) unknown_command(const char *name)
{
	const char *best = NULL;
	int best_d = 3;
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++) {
		int d = levenshtein(name, commands[i].name);

		/* a unique prefix ("rec") is close too */
		if (!strncmp(commands[i].name, name, strlen(name)))
			d = d < 1 ? d : 1;
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	fprintf(stderr, "jifl: '%s' is not a jifl command", name);
	if (best)
		fprintf(stderr, " (did you mean '%s'?)", best);
	fprintf(stderr, "; see 'jifl --help'\n");
	exit(EXIT_USAGE);
}

static int run_command(const struct cmd_struct *cmd, int argc,
		       const char **argv)
{
	int status = cmd->fn(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		perror("jifl: write error on standard output");
		return 1;
	}
	return status;
}

int main(int argc, const char **argv)
{
	const struct cmd_struct *cmd;

	argv++;
	argc--;
	while (argc > 0 && argv[0][0] == '-') {
		const char *opt = argv[0];

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			print_main_usage(stdout);
			return 0;
		}
		if (!strcmp(opt, "--version") || !strcmp(opt, "-v"))
			return run_command(find_command("version"), 1,
					   (const char *[]){ "version", NULL });
		if (!strcmp(opt, "--list-cmds")) {
			/* for the shell completions */
			size_t i;

			for (i = 0; i < NR_COMMANDS; i++)
				printf("%s ", commands[i].name);
			printf("help\n");
			return 0;
		}
		if (!strcmp(opt, "--")) {
			argv++;
			argc--;
			break;
		}
		fprintf(stderr, "jifl: unknown option '%s'", opt);
		if (levenshtein(opt, "--version") <= 2)
			fprintf(stderr, " (did you mean '--version'?)");
		else if (levenshtein(opt, "--help") <= 2)
			fprintf(stderr, " (did you mean '--help'?)");
		fprintf(stderr, "; see 'jifl --help'\n");
		return EXIT_USAGE;
	}
	if (argc == 0) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc < 2) {
			print_main_usage(stdout);
			return 0;
		}
		cmd = find_command(argv[1]);
		if (!cmd)
			unknown_command(argv[1]);
		return run_command(cmd, 2,
				   (const char *[]){ cmd->name, "--help", NULL });
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		unknown_command(argv[0]);
	return run_command(cmd, argc, argv);
}

int cmd_not_built(const char *name, const char *what, int argc,
		  const char **argv)
{
	char synopsis[64];
	const char *const usage[] = {
		synopsis,
		"",
		what,
		"This command is specified but not built yet in this version of jifl.",
		NULL
	};
	const struct option options[] = {
		OPT_END()
	};

	snprintf(synopsis, sizeof(synopsis), "jifl %s [<options>]", name);
	parse_options(argc, argv, options, usage,
		      PARSE_OPT_STOP_AT_NON_OPTION);
	fprintf(stderr, "jifl %s: not built yet in jifl %s\n", name,
		PACKAGE_VERSION);
	return 1;
}
