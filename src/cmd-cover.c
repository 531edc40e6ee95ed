// SPDX-License-Identifier: GPL-2.0
/*
 * jifl cover: kernel line and function coverage from recorded data
 * (`jifl record -e cover` or `-e bbcount`), as an lcov tracefile, a raw
 * PC list, JSON or a text summary, or as HTML through lcov's genhtml
 * (--html); several recordings merge, two compare.
 * What "instrumented" and "hit" mean is in src/util/cover.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "builtin.h"
#include "util/cover.h"
#include "util/data-file.h"
#include "util/parse-options.h"
#include "util/report-pager.h"
#include "util/symbols.h"

static const char *const cover_usage[] = {
	"jifl cover [<options>] [<file>...]",
	"   or: jifl cover [<options>] -- <command> [<args>]",
	"",
	"Write the kernel coverage recorded in jifl.data (or <file>s, with",
	"--merge or --diff) as an lcov tracefile (--lcov, the default for",
	"-o FILE.info), a PC list (--pcs), JSON (--json) or a text summary",
	"(the default), or as HTML in a directory (--html DIR, through lcov's",
	"genhtml). With -- <command>, record it first (jifl record -e bbcount)",
	"into the -i file.",
	NULL
};

#define MAX_PATTERNS 64

/* "a,b,c" -> NULL-terminated list (in @buf's storage) */
static int split_patterns(char *buf, const char **out, const char *what)
{
	char *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == MAX_PATTERNS) {
			fprintf(stderr, "jifl cover: %s: at most %d patterns\n",
				what, MAX_PATTERNS);
			return -1;
		}
		out[n++] = t;
	}
	out[n] = NULL;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Opens, resolves and adds one recording; 0 or 1 (message printed). */
static int add_file(struct cover *c, const char *path,
		    const struct symbols_opts *so, bool *any_lines,
		    bool quiet_hint)
{
	struct symbols *syms;
	struct jd_file *f;
	const char *hint;
	char why[512];
	int r;

	f = jd_open(path, why, sizeof(why));
	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "jifl cover: %s: No such file; record one with `jifl record -e cover -- CMD` or `jifl cover -- CMD`\n",
				path);
		else
			fprintf(stderr, "jifl cover: %s\n", why);
		return 1;
	}
	if (!(f->present & (1U << JD_SEC_BLOCKS))) {
		fprintf(stderr, "jifl cover: %s has no block table: record with -e cover or -e bbcount\n",
			path);
		jd_close(f);
		return 1;
	}
	syms = symbols_new(f, so);
	if (!syms) {
		jd_close(f);
		fprintf(stderr, "jifl cover: out of memory\n");
		return 1;
	}
	r = cover_add(c, f, syms);
	hint = symbols_hint(syms);
	if (hint && !quiet_hint)
		fprintf(stderr, "jifl cover: %s\n", hint);
	if (symbols_have_lines(syms))
		*any_lines = true;
	symbols_free(syms);
	jd_close(f);
	if (r) {
		fprintf(stderr, "jifl cover: out of memory\n");
		return 1;
	}
	return 0;
}

/* Is @prog an executable file in a $PATH directory? */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len && len + strlen(prog) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path,
				 prog);
			if (!access(buf, X_OK))
				return true;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

/*
 * genhtml --branch-coverage -o DIR TRACEFILE; 0 or 1 (message printed).
 * Sources the line table names but this machine lacks (a kernel built
 * elsewhere) do not stop it: their pages list the counts without the text.
 */
static int run_genhtml(const char *dir, const char *tracefile, bool quiet)
{
	const char *argv[] = { "genhtml", "--branch-coverage",
			       "--ignore-errors", "source", "-o", dir,
			       tracefile, quiet ? "--quiet" : NULL, NULL };
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "jifl cover: fork: %s\n", strerror(errno));
		return 1;
	}
	if (!pid) {
		/* genhtml's progress would mix with our output on stdout */
		if (!quiet)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "jifl cover: genhtml: %s\n", strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "jifl cover: waiting for genhtml: %s\n",
			strerror(errno));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "jifl cover: genhtml failed on %s (its messages are above); the tracefile is kept\n",
			tracefile);
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "jifl cover: HTML coverage in %s/index.html\n",
			dir);
	return 0;
}

/* jifl record -e bbcount -q [--module M] -o OUT -- CMD... */
static int record_first(const char *out, const char *module, int argc,
			const char **argv)
{
	const char **rargv = calloc((size_t)argc + 10, sizeof(*rargv));
	int n = 0, i, r;

	if (!rargv)
		return 1;
	rargv[n++] = "record";
	rargv[n++] = "-e";
	rargv[n++] = "bbcount";
	rargv[n++] = "-q";
	rargv[n++] = "-o";
	rargv[n++] = out;
	if (module) {
		rargv[n++] = "--module";
		rargv[n++] = module;
	}
	rargv[n++] = "--";
	for (i = 0; i < argc; i++)
		rargv[n++] = argv[i];
	r = cmd_record(n, rargv);
	free(rargv);
	return r;
}

int cmd_cover(int argc, const char **argv)
{
	const char *input = NULL, *output = NULL, *include = NULL;
	const char *exclude = NULL, *vmlinux = NULL, *symfs = NULL;
	const char *test_name = NULL, *module = NULL, *html = NULL;
	bool lcov = false, pcs = false, json = false, text = false;
	bool merge = false, diff = false, use_stdio = false, quiet = false;
	const struct option options[] = {
		OPT_STRING('i', "input", &input, "file",
			   "recording to read (default: jifl.data)"),
		OPT_STRING('o', "output", &output, "file",
			   "write here instead of standard output"),
		OPT_BOOLEAN(0, "lcov", &lcov, "lcov tracefile (TN/SF/FN/FNDA/DA/LF/LH)"),
		OPT_BOOLEAN(0, "pcs", &pcs, "executed block addresses, one a line"),
		OPT_BOOLEAN(0, "json", &json, "JSON summary per file and function"),
		OPT_BOOLEAN(0, "text", &text, "text summary per file and function"),
		OPT_STRING(0, "html", &html, "dir",
			   "HTML report in dir (lcov's genhtml; tracefile: -o or dir/coverage.info)"),
		OPT_STRING(0, "include", &include, "globs",
			   "only source files matching these (comma-separated)"),
		OPT_STRING(0, "exclude", &exclude, "globs",
			   "leave out source files matching these"),
		OPT_BOOLEAN(0, "merge", &merge, "merge several recordings"),
		OPT_BOOLEAN(0, "diff", &diff,
			    "lines one of two recordings hits and the other not"),
		OPT_STRING('t', "test-name", &test_name, "name",
			   "lcov test name (TN:)"),
		OPT_STRING('k', "vmlinux", &vmlinux, "file",
			   "vmlinux with debug info (default: searched)"),
		OPT_STRING(0, "symfs", &symfs, "dir",
			   "look for debug info under this root, and for NAME.ko in it"),
		OPT_STRING(0, "module", &module, "name",
			   "with -- <command>: record this module's code too"),
		OPT_BOOLEAN(0, "stdio", &use_stdio, "no pager for the text summary"),
		OPT_BOOLEAN('q', "quiet", &quiet, "no warnings or hints, only errors"),
		OPT_END()
	};
	const char *inc[MAX_PATTERNS + 1] = { NULL }, *exc[MAX_PATTERNS + 1] = { NULL };
	char incbuf[4096], excbuf[4096], tracefile[4096];
	struct symbols_opts so = { NULL, NULL, true, stderr, "jifl cover" };
	struct cover c[2];
	const char **files, *deflt[1];
	int nfiles, i, dd = -1, ret = 1, nformats;
	bool any_lines = false;
	FILE *fp = stdout;

	argc = parse_options(argc, argv, options, cover_usage,
			     PARSE_OPT_KEEP_DASHDASH);
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	nformats = lcov + pcs + json + text;
	if (nformats > 1) {
		fprintf(stderr, "jifl cover: choose one of --lcov, --pcs, --json, --text\n");
		return EXIT_USAGE;
	}
	if (html) {
		if (nformats && !lcov) {
			fprintf(stderr, "jifl cover: --html writes an lcov tracefile for genhtml: no --pcs, --json or --text with it\n");
			return EXIT_USAGE;
		}
		if (diff) {
			fprintf(stderr, "jifl cover: --diff writes text or --json, not --html\n");
			return EXIT_USAGE;
		}
		if (!in_path("genhtml")) {
			fprintf(stderr, "jifl cover: --html needs genhtml, which is not in $PATH: install lcov (apt install lcov), or write the tracefile with -o FILE.info\n");
			return 1;
		}
		if (mkdir(html, 0777) && errno != EEXIST) {
			fprintf(stderr, "jifl cover: --html %s: %s\n", html,
				strerror(errno));
			return 1;
		}
		if (!output) {
			if ((size_t)snprintf(tracefile, sizeof(tracefile),
					     "%s/coverage.info", html) >=
			    sizeof(tracefile)) {
				fprintf(stderr, "jifl cover: --html %s: name too long\n",
					html);
				return EXIT_USAGE;
			}
			output = tracefile;
		}
		lcov = true;
		nformats = 1;
	}
	if (!nformats) {
		if (output && ends_with(output, ".info"))
			lcov = true;
		else
			text = true;
	}
	if (merge && diff) {
		fprintf(stderr, "jifl cover: --merge and --diff exclude each other\n");
		return EXIT_USAGE;
	}
	if (diff && (lcov || pcs)) {
		fprintf(stderr, "jifl cover: --diff writes text or --json\n");
		return EXIT_USAGE;
	}
	if ((include && strlen(include) >= sizeof(incbuf)) ||
	    (exclude && strlen(exclude) >= sizeof(excbuf))) {
		fprintf(stderr, "jifl cover: --include/--exclude: list too long\n");
		return EXIT_USAGE;
	}
	if (include) {
		strcpy(incbuf, include);
		if (split_patterns(incbuf, inc, "--include"))
			return EXIT_USAGE;
	}
	if (exclude) {
		strcpy(excbuf, exclude);
		if (split_patterns(excbuf, exc, "--exclude"))
			return EXIT_USAGE;
	}

	if (dd >= 0) {
		if (dd > 0 || merge || diff) {
			fprintf(stderr, "jifl cover: -- <command> records one run: no <file>, --merge or --diff with it\n");
			return EXIT_USAGE;
		}
		if (dd + 1 >= argc) {
			fprintf(stderr, "jifl cover: no command after --\n");
			return EXIT_USAGE;
		}
		if (!input)
			input = "jifl.data";
		if (record_first(input, module, argc - dd - 1, argv + dd + 1))
			return 1;
		argc = 0;
	} else if (module) {
		fprintf(stderr, "jifl cover: --module goes with -- <command>\n");
		return EXIT_USAGE;
	}

	files = argv;
	nfiles = argc;
	if (input) {
		if (nfiles && !merge && !diff) {
			fprintf(stderr, "jifl cover: -i and a file argument: give --merge to combine them\n");
			return EXIT_USAGE;
		}
		if (nfiles) {
			files = calloc((size_t)nfiles + 1, sizeof(*files));
			if (!files)
				return 1;
			files[0] = input;
			for (i = 0; i < argc; i++)
				files[i + 1] = argv[i];
			nfiles++;
		} else {
			deflt[0] = input;
			files = deflt;
			nfiles = 1;
		}
	} else if (!nfiles) {
		deflt[0] = "jifl.data";
		files = deflt;
		nfiles = 1;
	}
	if (nfiles > 1 && !merge && !diff) {
		fprintf(stderr, "jifl cover: %d recordings: give --merge to combine them or --diff to compare two\n",
			nfiles);
		goto out_files;
	}
	if (diff && nfiles != 2) {
		fprintf(stderr, "jifl cover: --diff compares exactly two recordings (%d given)\n",
			nfiles);
		ret = EXIT_USAGE;
		goto out_files;
	}

	so.vmlinux = vmlinux;
	so.symfs = symfs;
	if (quiet)
		so.warn = NULL;
	cover_init(&c[0], inc, exc);
	cover_init(&c[1], inc, exc);
	for (i = 0; i < nfiles; i++)
		if (add_file(&c[diff ? i : 0], files[i], &so, &any_lines,
			     quiet || i > 0))
			goto out;
	cover_finish(&c[0]);
	cover_finish(&c[1]);
	if (c[0].unflagged_runs + c[1].unflagged_runs && !quiet)
		fprintf(stderr, "jifl cover: warning: %u recording%s without block counts or cover flags: every translated block is taken as run (record with -e cover or -e bbcount)\n",
			c[0].unflagged_runs + c[1].unflagged_runs,
			c[0].unflagged_runs + c[1].unflagged_runs == 1 ? "" : "s");
	if (!any_lines && !pcs && !quiet)
		fprintf(stderr, "jifl cover: warning: no recorded code has line information: only the PC list (--pcs) is meaningful\n");

	if (output) {
		fp = fopen(output, "w");
		if (!fp) {
			fprintf(stderr, "jifl cover: %s: %s\n", output,
				strerror(errno));
			goto out;
		}
	} else if (text) {
		report_pager_start(use_stdio);
	}
	if (diff)
		cover_write_diff(fp, &c[0], &c[1], json);
	else if (lcov)
		cover_write_lcov(fp, &c[0], test_name);
	else if (pcs)
		cover_write_pcs(fp, &c[0]);
	else if (json)
		cover_write_json(fp, &c[0]);
	else
		cover_write_text(fp, &c[0], true);
	if (output) {
		if (fclose(fp)) {
			fprintf(stderr, "jifl cover: writing %s: %s\n", output,
				strerror(errno));
			goto out;
		}
	} else {
		report_pager_end();
	}
	ret = html ? run_genhtml(html, output, quiet) : 0;
out:
	cover_free(&c[0]);
	cover_free(&c[1]);
out_files:
	if (files != argv && files != deflt)
		free(files);
	return ret;
}
