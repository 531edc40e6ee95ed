// SPDX-License-Identifier: GPL-2.0
/*
 * Translator benchmark, all figures from one run:
 *
 *  - throughput: blocks/s of jit_translate_block() over every block start
 *    a linear sweep finds in this program's text (libc included);
 *  - code expansion: cache bytes / native bytes of the blocks the
 *    workloads translated, without instrumentation and with block counting
 *    (stubs included);
 *  - slowdown: run time from the cache / native run time per workload
 *    (translation included), without instrumentation and with block
 *    counting; the summary is the geometric mean.  Each time is the best
 *    of REPEAT runs of the process's CPU time (not wall time: the machine
 *    is shared), the three kinds of run interleaved so that all see the
 *    same load.
 *
 * Usage: translate-bench [SCALE_PERCENT [WORKLOAD]]   (default 100: ~0.3 s
 * per run; WORKLOAD runs that one only, with its dispatcher statistics)
 * The last line is "key=value ..." for scripts.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jit-test-host.h"
#include "jitrun/jitrun.h"
#include "jitrun/workloads.h"

#define REPEAT		5
#define MAX_STARTS	400000

extern char __executable_start[], etext[];

struct result {
	double secs;
	long value;
	struct jitrun_stats stats;
};

static double now_clock(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now(void)
{
	return now_clock(CLOCK_MONOTONIC);
}

static double cpu_now(void)
{
	return now_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static unsigned int sweep_read(void *priv, uint64_t pc, uint8_t *buf,
			       unsigned int len)
{
	(void)priv;
	return jit_test_read_range(__executable_start,
				   (uint64_t)__executable_start,
				   (uint64_t)etext, pc, buf, len);
}

/* Block starts: the instruction after every control transfer */
static uint32_t sweep_starts(uint64_t *starts)
{
	uint64_t pc = (uint64_t)__executable_start, end = (uint64_t)etext;
	bool after_transfer = true;
	uint32_t n = 0;

	while (pc < end && n < MAX_STARTS) {
		struct jit_insn in;
		int len = jit_decode(&in, (const uint8_t *)pc,
				     end - pc < 15 ? end - pc : 15, pc);

		if (len <= 0) {
			pc++;
			after_transfer = true;
			continue;
		}
		if (after_transfer)
			starts[n++] = pc;
		after_transfer = in.flow != JIT_FLOW_NEXT;
		pc += len;
	}
	return n;
}

static double bench_throughput(uint64_t *nr_out)
{
	static struct jit_translator t;
	static uint8_t buf[JIT_BLOCK_MAX_CACHE];
	struct jit_host host = {
		.read_code = sweep_read,
		.exit_entry = 0x7000000,
		.exit_call_entry = 0x7000010,
		.ibl_jmp_entry = 0x7000020,
		.ibl_call_entry = 0x7000030,
		.red_zone = 128,
	};
	uint64_t *starts = malloc(MAX_STARTS * sizeof(*starts));
	uint32_t n, i, ok = 0;
	struct jit_block blk;
	double t0, best = 1e9;
	int r;

	if (!starts)
		return 0;
	n = sweep_starts(starts);
	jit_translator_init(&t, &host, NULL);
	for (r = 0; r < REPEAT; r++) {
		ok = 0;
		t0 = now();
		for (i = 0; i < n; i++)
			if (jit_translate_block(&t, starts[i], i, buf, 0x8000000,
						sizeof(buf), &blk) > 0)
				ok++;
		if (now() - t0 < best)
			best = now() - t0;
	}
	free(starts);
	*nr_out = ok;
	return ok / best;
}

static struct result *shared;

/* One timed run in a fresh child: mode < 0 means native */
static struct result run_once(const struct workload *w, long n, int mode)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		double t0;

		if (mode >= 0 && jitrun_init(mode))
			_exit(98);
		t0 = cpu_now();
		shared->value = mode < 0 ? w->fn(n) :
			jitrun_call((void *)w->fn, n, 0, 0, 0);
		shared->secs = cpu_now() - t0;
		if (mode >= 0)
			shared->stats = *jitrun_stats();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: mode %d run failed (status %#x)\n",
			w->name, mode, st);
		exit(1);
	}
	return *shared;
}

/* Best of REPEAT runs of each: native (0), none (1), bbcount (2) */
static void run_best(const struct workload *w, long n, struct result best[3])
{
	static const int modes[3] = { -1, JITRUN_NONE, JITRUN_BBCOUNT };
	struct result r;
	int i, k;

	for (k = 0; k < 3; k++)
		best[k].secs = 1e9;
	for (i = 0; i < REPEAT; i++) {
		for (k = 0; k < 3; k++) {
			r = run_once(w, n, modes[k]);
			if (r.secs < best[k].secs)
				best[k] = r;
		}
	}
}

int main(int argc, char **argv)
{
	double scale = argc > 1 ? atof(argv[1]) / 100 : 1.0;
	double log_none = 0, log_bb = 0, bps;
	uint64_t nat_none = 0, cache_none = 0, nat_bb = 0, cache_bb = 0;
	uint64_t nr_blocks = 0;
	const char *only = argc > 2 ? argv[2] : NULL;
	const struct workload *w;
	int nw = 0;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	bps = bench_throughput(&nr_blocks);
	printf("throughput: %lu blocks of this program's text, %.0f blocks/s\n",
	       (unsigned long)nr_blocks, bps);
	printf("%-8s %9s %9s %9s %7s %7s %6s %6s\n", "workload", "native_s",
	       "none_s", "bbcnt_s", "x_none", "x_bbcnt", "exp_n", "exp_b");
	for (w = workloads; w->name; w++) {
		/* recursion depth is not linear in time: never scaled */
		long n = !strcmp(w->name, "recurse") ? w->bench_n :
			 w->bench_n * scale > 1 ? w->bench_n * scale : 1;
		struct result res[3], nat, none, bb;

		if (only && strcmp(only, w->name))
			continue;
		run_best(w, n, res);
		nat = res[0];
		none = res[1];
		bb = res[2];

		if (none.value != nat.value || bb.value != nat.value) {
			fprintf(stderr, "%s: results differ\n", w->name);
			return 1;
		}
		printf("%-8s %9.4f %9.4f %9.4f %7.3f %7.3f %6.2f %6.2f\n",
		       w->name, nat.secs, none.secs, bb.secs,
		       none.secs / nat.secs, bb.secs / nat.secs,
		       (double)none.stats.cache_bytes / none.stats.native_bytes,
		       (double)bb.stats.cache_bytes / bb.stats.native_bytes);
		if (only)
			printf("  blocks %lu copies %lu links %lu ind_misses %lu ic_armed %lu ibl_lookups %lu jt_sites %lu jt_entries %lu translate %.4f s\n",
			       (unsigned long)none.stats.blocks,
			       (unsigned long)none.stats.copies,
			       (unsigned long)none.stats.links,
			       (unsigned long)none.stats.ind_misses,
			       (unsigned long)none.stats.ic_armed,
			       (unsigned long)none.stats.ibl_lookups,
			       (unsigned long)none.stats.jt_sites,
			       (unsigned long)none.stats.jt_entries,
			       none.stats.translate_ns * 1e-9);
		log_none += __builtin_log(none.secs / nat.secs);
		log_bb += __builtin_log(bb.secs / nat.secs);
		nat_none += none.stats.native_bytes;
		cache_none += none.stats.cache_bytes;
		nat_bb += bb.stats.native_bytes;
		cache_bb += bb.stats.cache_bytes;
		nw++;
	}
	printf("blocks_per_s=%.0f expansion_none=%.3f expansion_bbcount=%.3f slowdown_none=%.3f slowdown_bbcount=%.3f\n",
	       bps, (double)cache_none / nat_none, (double)cache_bb / nat_bb,
	       __builtin_exp(log_none / nw), __builtin_exp(log_bb / nw));
	return 0;
}
