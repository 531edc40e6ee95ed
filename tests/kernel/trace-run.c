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

static void write_stats(const char *path, const struct jifl_stats *st)
{
	FILE *out = path ? fopen(path, "we") : stderr;

	if (!out)
		die(path);
	print_stats(out, st);
	if (out != stderr)
		fclose(out);
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
	__u64 pid64;
	pid_t pid;
	char c;

	while ((opt = getopt(argc, argv, "+a:Ao:t:")) != -1) {
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
	if (ioctl(fd, JIFL_IOC_START))
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
		close(fd);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
