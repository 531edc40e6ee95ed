// SPDX-License-Identifier: GPL-2.0
/*
 * trace-run: run a command with its kernel code executed from jifl's code
 * cache, then print the module's statistics as key=value lines.
 *
 *   trace-run [-a GLOB]... [-s GLOB]... [-A] [-o STATSFILE] -- CMD [ARG...]
 *
 * -a GLOB	attach at the functions matching GLOB (default, without -s:
 *		__x64_sys_*)
 * -s GLOB	attach at softirq actions matching GLOB (JIFL_ATTACH_SOFTIRQ)
 * -A		trace every task, not just CMD's process tree
 * -o FILE	write the statistics there instead of to stderr
 * -t MS	stop tracing after MS milliseconds, while CMD may still run;
 *		the statistics are then taken at once, before CMD ends
 * -b		count every block's executions (JIFL_START_BBCOUNT)
 * -B FILE	write the block table there: "native len count" per line,
 *		and add "functions=N" (distinct functions entered) to the
 *		statistics
 * -m MODULE	translate this loaded module's text too (repeatable)
 *
 * The test driver of the kernel runtime, until jifl record exists: it
 * exercises layout, attach, filter, start, stop and stats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/jifl.h"
#include "util/kernel-session.h"

static const char *const fb_names[JIFL_FB_NR] = {
	"outside_text", "excluded", "extable", "decode", "trap", "range",
	"cache_full", "other", "patched",
};

static void die(const char *what)
{
	fprintf(stderr, "trace-run: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void print_stats(FILE *fp, const struct jifl_stats *st)
{
	int i;

	fprintf(fp, "blocks=%llu\nnative_bytes=%llu\ncache_bytes=%llu\n"
		"entries=%llu\nexits_linked=%llu\ndispatches=%llu\n"
		"ibl_misses=%llu\ninflight=%llu\nattached=%llu\n",
		(unsigned long long)st->blocks,
		(unsigned long long)st->native_bytes,
		(unsigned long long)st->cache_bytes,
		(unsigned long long)st->entries,
		(unsigned long long)st->exits_linked,
		(unsigned long long)st->dispatches,
		(unsigned long long)st->ibl_misses,
		(unsigned long long)st->inflight,
		(unsigned long long)st->attached);
	fprintf(fp, "entries_fault=%llu\nentries_softirq=%llu\n"
		"rejected=%llu\nrefused=%llu\n",
		(unsigned long long)st->entries_fault,
		(unsigned long long)st->entries_softirq,
		(unsigned long long)st->rejected,
		(unsigned long long)st->refused);
	for (i = 0; i < JIFL_FB_NR; i++)
		fprintf(fp, "fallback_%s=%llu\n", fb_names[i],
			(unsigned long long)st->fallbacks[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Distinct functions (text symbols of /proc/kallsyms) the blocks start in. */
static unsigned long count_functions(const struct jifl_block_info *e,
				     __u64 nr)
{
	unsigned long nsyms = 0, cap = 1 << 16, n = 0, i;
	__u64 *syms = malloc(cap * sizeof(*syms)), *hit;
	unsigned long long addr;
	char line[512], type;
	FILE *fp = fopen("/proc/kallsyms", "re");

	if (!fp || !syms)
		die("/proc/kallsyms");
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%llx %c", &addr, &type) != 2 ||
		    (type != 't' && type != 'T'))
			continue;
		if (nsyms == cap) {
			cap *= 2;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				die("realloc");
		}
		syms[nsyms++] = addr;
	}
	fclose(fp);
	qsort(syms, nsyms, sizeof(*syms), cmp_u64);
	hit = calloc(nsyms + 1, sizeof(*hit));
	if (!hit)
		die("calloc");
	for (i = 0; i < nr; i++) {
		unsigned long lo = 0, hi = nsyms;

		while (lo < hi) {	/* last symbol <= the block's start */
			unsigned long mid = (lo + hi) / 2;

			if (syms[mid] <= e[i].native)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && !hit[lo - 1]) {
			hit[lo - 1] = 1;
			n++;
		}
	}
	free(hit);
	free(syms);
	return n;
}

static void write_blocks(struct kernel_session *ks, const char *path,
			 const char *statsfile)
{
	struct jifl_block_info *e;
	size_t i, nr;
	FILE *out;

	if (ks_blocks(ks, &e, &nr)) {
		fprintf(stderr, "trace-run: %s\n", ks->why);
		exit(125);
	}
	out = fopen(path, "we");
	if (!out)
		die(path);
	for (i = 0; i < nr; i++)
		fprintf(out, "%llx %llu %llu\n", (unsigned long long)e[i].native,
			(unsigned long long)e[i].len,
			(unsigned long long)e[i].count);
	fclose(out);
	if (statsfile) {
		out = fopen(statsfile, "ae");
		if (!out)
			die(statsfile);
		fprintf(out, "functions=%lu\n", count_functions(e, nr));
		fclose(out);
	}
	free(e);
}

/* Written whole, then renamed: a reader never sees half of it. */
static void write_stats(const char *path, const struct jifl_stats *st)
{
	char tmp[4096];
	FILE *out;

	if (!path) {
		print_stats(stderr, st);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "we");
	if (!out)
		die(tmp);
	print_stats(out, st);
	if (fclose(out) || rename(tmp, path))
		die(path);
}

/* Exits with 125 when a session step failed, saying why. */
static void check(struct kernel_session *ks, int ret)
{
	if (ret) {
		fprintf(stderr, "trace-run: %s\n", ks->why);
		exit(125);
	}
}

int main(int argc, char **argv)
{
	const char *globs[64], *sirq[64], *modules[JIFL_LAYOUT_MAX_RANGES];
	const char *statsfile = NULL, *blocksfile = NULL;
	unsigned int nr_globs = 0, nr_sirq = 0, nr_modules = 0;
	struct kernel_session ks;
	struct jifl_stats st;
	__u64 flags = 0, pid64;
	long stop_ms = -1;
	int opt, go[2], status;
	bool all = false, session_open = true;
	pid_t pid;
	char c;

	while ((opt = getopt(argc, argv, "+a:s:Ao:t:bB:m:")) != -1) {
		switch (opt) {
		case 'a':
			if (nr_globs == 64)
				return 2;
			globs[nr_globs++] = optarg;
			break;
		case 's':
			if (nr_sirq == 64)
				return 2;
			sirq[nr_sirq++] = optarg;
			break;
		case 'A':
			all = true;
			break;
		case 'o':
			statsfile = optarg;
			break;
		case 't':
			stop_ms = atol(optarg);
			break;
		case 'b':
			flags |= JIFL_START_BBCOUNT;
			break;
		case 'B':
			blocksfile = optarg;
			break;
		case 'm':
			if (nr_modules >= JIFL_LAYOUT_MAX_RANGES)
				return 2;
			modules[nr_modules++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: trace-run [-a GLOB]... [-s GLOB]... [-A] [-b] [-B FILE] [-m MODULE]... [-o FILE] [-t MS] -- CMD [ARG...]\n");
		return 2;
	}
	if (!nr_globs && !nr_sirq)
		globs[nr_globs++] = "__x64_sys_*";

	check(&ks, ks_open(&ks, false));
	check(&ks, ks_layout(&ks, modules, nr_modules));
	check(&ks, ks_attach_functions(&ks, globs, nr_globs));
	check(&ks, ks_attach_functions_flags(&ks, sirq, nr_sirq,
					     JIFL_ATTACH_SOFTIRQ));

	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(go[1]);
		/* wait until tracing started */
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		close(go[0]);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "trace-run: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	pid64 = pid;
	check(&ks, ks_filter(&ks, all ? JIFL_FILTER_ALL : JIFL_FILTER_TREE,
			     all ? NULL : &pid64, all ? 0 : 1));
	check(&ks, ks_start(&ks, flags));
	if (write(go[1], "g", 1) != 1)
		die("write");
	close(go[1]);
	if (stop_ms >= 0) {
		usleep(stop_ms * 1000);
		check(&ks, ks_stop(&ks));
		check(&ks, ks_stats(&ks, &st));
		write_stats(statsfile, &st);
		/* the session ends; tasks still in the cache pin the module */
		ks_close(&ks);
		session_open = false;
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (session_open) {
		check(&ks, ks_stop(&ks));
		check(&ks, ks_stats(&ks, &st));
		write_stats(statsfile, &st);
		if (blocksfile)
			write_blocks(&ks, blocksfile, statsfile);
		ks_close(&ks);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
