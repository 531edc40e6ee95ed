// SPDX-License-Identifier: GPL-2.0
/*
 * trace-run: run a command with its kernel code executed from jifl's code
 * cache, then print the module's statistics as key=value lines.
 *
 *   trace-run [-a GLOB]... [-A] [-o STATSFILE] -- CMD [ARG...]
 *
 * -a GLOB	attach at the functions matching GLOB (default: __x64_sys_*)
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
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/jifl.h"
#include "util/kernel-layout.h"

static const char *const fb_names[JIFL_FB_NR] = {
	"outside_text", "excluded", "extable", "decode", "trap", "range",
	"cache_full", "other",
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
	for (i = 0; i < JIFL_FB_NR; i++)
		fprintf(fp, "fallback_%s=%llu\n", fb_names[i],
			(unsigned long long)st->fallbacks[i]);
}

/*
 * A loaded module's text: from its lowest to past its highest text symbol
 * in /proc/kallsyms, rounded out to pages.
 */
static int module_text(const char *name, __u64 *start, __u64 *end)
{
	char line[512], tag[128];
	unsigned long long addr;
	char type, sym[256];
	FILE *fp = fopen("/proc/kallsyms", "re");

	if (!fp)
		die("/proc/kallsyms");
	snprintf(tag, sizeof(tag), "[%s]", name);
	*start = ~0ULL;
	*end = 0;
	while (fgets(line, sizeof(line), fp)) {
		if (!strstr(line, tag) ||
		    sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 ||
		    (type != 't' && type != 'T'))
			continue;
		if (addr < *start)
			*start = addr;
		if (addr > *end)
			*end = addr;
	}
	fclose(fp);
	if (!*end) {
		fprintf(stderr, "trace-run: module %s has no text symbols: is it loaded?\n",
			name);
		return -1;
	}
	*start &= ~4095ULL;
	*end = (*end | 4095) + 1;
	return 0;
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

static void write_blocks(int fd, const char *path, const char *statsfile)
{
	struct jifl_blocks bl = { .size = sizeof(bl) };
	struct jifl_block_info *e = NULL;
	FILE *out;
	__u64 i;

	do {
		free(e);
		bl.nr = bl.total + 1024;
		e = calloc(bl.nr, sizeof(*e));
		if (!e)
			die("calloc");
		bl.entries = (unsigned long)e;
		if (ioctl(fd, JIFL_IOC_BLOCKS, &bl))
			die("JIFL_IOC_BLOCKS");
	} while (bl.total > bl.nr);
	out = fopen(path, "we");
	if (!out)
		die(path);
	for (i = 0; i < bl.nr; i++)
		fprintf(out, "%llx %llu %llu\n", (unsigned long long)e[i].native,
			(unsigned long long)e[i].len,
			(unsigned long long)e[i].count);
	fclose(out);
	if (statsfile) {
		out = fopen(statsfile, "ae");
		if (!out)
			die(statsfile);
		fprintf(out, "functions=%lu\n", count_functions(e, bl.nr));
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

int main(int argc, char **argv)
{
	char patterns[4096], why[256];
	size_t plen = 0;
	struct kernel_layout kl;
	struct jifl_attach attach = { .size = sizeof(attach) };
	struct jifl_filter filter = { .size = sizeof(filter) };
	struct jifl_stats st = { .size = sizeof(st) };
	const char *statsfile = NULL;
	int fd, opt, go[2], status;
	bool all = false;
	long stop_ms = -1;
	struct jifl_start start = { .size = sizeof(start) };
	const char *blocksfile = NULL, *module_names[JIFL_LAYOUT_MAX_RANGES];
	unsigned int nr_modules = 0, i;
	__u64 modules[2 * JIFL_LAYOUT_MAX_RANGES];
	__u64 pid64;
	pid_t pid;
	char c;

	while ((opt = getopt(argc, argv, "+a:Ao:t:bB:m:")) != -1) {
		switch (opt) {
		case 'a':
			if (plen + strlen(optarg) + 1 > sizeof(patterns))
				return 2;
			strcpy(patterns + plen, optarg);
			plen += strlen(optarg) + 1;
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
			start.flags |= JIFL_START_BBCOUNT;
			break;
		case 'B':
			blocksfile = optarg;
			break;
		case 'm':
			if (nr_modules >= JIFL_LAYOUT_MAX_RANGES)
				return 2;
			module_names[nr_modules++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: trace-run [-a GLOB]... [-A] [-o FILE] -- CMD [ARG...]\n");
		return 2;
	}
	if (!plen) {
		strcpy(patterns, "__x64_sys_*");
		plen = strlen(patterns) + 1;
	}

	fd = open(JIFL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open " JIFL_DEVICE_PATH);
	if (kernel_layout_read(&kl, NULL, why, sizeof(why))) {
		fprintf(stderr, "trace-run: %s\n", why);
		return 125;
	}
	for (i = 0; i < nr_modules; i++)
		if (module_text(module_names[i], &modules[2 * i],
				&modules[2 * i + 1]))
			return 125;
	kl.layout.modules = (unsigned long)modules;
	kl.layout.nr_modules = nr_modules;
	if (ioctl(fd, JIFL_IOC_LAYOUT, &kl.layout))
		die("JIFL_IOC_LAYOUT");
	attach.patterns = (unsigned long)patterns;
	attach.len = plen;
	if (ioctl(fd, JIFL_IOC_ATTACH, &attach))
		die("JIFL_IOC_ATTACH");

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
	filter.mode = all ? JIFL_FILTER_ALL : JIFL_FILTER_TREE;
	filter.pids = all ? 0 : (unsigned long)&pid64;
	filter.nr_pids = all ? 0 : 1;
	if (ioctl(fd, JIFL_IOC_FILTER, &filter))
		die("JIFL_IOC_FILTER");
	if (ioctl(fd, JIFL_IOC_START, &start))
		die("JIFL_IOC_START");
	if (write(go[1], "g", 1) != 1)
		die("write");
	close(go[1]);
	if (stop_ms >= 0) {
		usleep(stop_ms * 1000);
		if (ioctl(fd, JIFL_IOC_STOP))
			die("JIFL_IOC_STOP");
		if (ioctl(fd, JIFL_IOC_STATS, &st))
			die("JIFL_IOC_STATS");
		write_stats(statsfile, &st);
		/* the session ends; tasks still in the cache pin the module */
		close(fd);
		fd = -1;
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (fd >= 0) {
		if (ioctl(fd, JIFL_IOC_STOP))
			die("JIFL_IOC_STOP");
		if (ioctl(fd, JIFL_IOC_STATS, &st))
			die("JIFL_IOC_STATS");
		write_stats(statsfile, &st);
		if (blocksfile)
			write_blocks(fd, blocksfile, statsfile);
		close(fd);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
