// SPDX-License-Identifier: GPL-2.0
/*
 * jifl info: what a recording holds, without a report: the recorded
 * command and system (kernel, build-ids, modules, CPUs, clock), what was
 * recorded (blocks, counters, events per CPU, plugins' dumps), losses and
 * sizes, as text or JSON (util/file-info.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "builtin.h"
#include "util/data-file.h"
#include "util/file-info.h"
#include "util/parse-options.h"

static const char *const info_usage[] = {
	"jifl info [<options>] [<file>]",
	"",
	"Show the header of a recording (jifl.data, -i FILE or <file>): the",
	"recorded command, kernel, build-ids, modules, CPUs, what was recorded,",
	"record counts and losses per CPU, and sizes. The same as",
	"`jifl report --header-only`.",
	NULL
};

int cmd_info(int argc, const char **argv)
{
	const char *input = "jifl.data";
	bool json = false;
	const struct option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "input file name (default: jifl.data)"),
		OPT_BOOLEAN(0, "json", &json, "print one JSON object"),
		OPT_END()
	};
	struct jd_file *f;
	char why[512];
	int ret = 0;

	argc = parse_options(argc, argv, options, info_usage, 0);
	if (argc > 1) {
		fprintf(stderr, "jifl info: one file at a time ('%s' is one too many); see 'jifl info --help'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 1)
		input = argv[0];
	f = jd_open(input, why, sizeof(why));
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "jifl info: %s: No such file; record one with `jifl record -- CMD`, or name another\n",
				input);
		else
			fprintf(stderr, "jifl info: %s\n", why);
		return 1;
	}
	if (file_info_print(stdout, f, input, json)) {
		fprintf(stderr, "jifl info: out of memory\n");
		ret = 1;
	}
	jd_close(f);
	return ret;
}
