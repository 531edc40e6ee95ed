// SPDX-License-Identifier: GPL-2.0
/*
 * Inline event records on the real CPU (jit_insert_event(), kmod/jit/README
 * "Inline events"): the cost of one call or return record, the fast path
 * calltrace's kernel side uses, driven by the jitrun harness.
 *
 * For each workload (call-heavy ones: recursion, calls through function
 * pointers, qsort with a comparator), the process CPU time of runs from
 * the cache without instrumentation, with a record at every call and
 * return (the TSC read, and with 0 as the time stamp), and with a clean
 * call there instead (what calltrace did before), best of REPEAT runs
 * each, interleaved.  ns per event = (time with records - time without) /
 * records, the record count taken from the clean-call run's counts of
 * the same run.  The ring is 1 MiB, started over by the refill when full,
 * as a recorder that keeps up would leave it.
 *
 * Usage: event-bench [SCALE_PERCENT]   (default 100)
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
#include <x86intrin.h>

#include "jitrun/jitrun.h"
#include "jitrun/workloads.h"

#define REPEAT	5

enum { M_NONE, M_EVENTS, M_NOCLOCK, M_CLEANCALL, M_NR };

static const enum jitrun_instr mode_instr[M_NR] = {
	JITRUN_NONE, JITRUN_EVENTS, JITRUN_EVENTS_NOCLOCK, JITRUN_CLEANCALL,
};

struct result {
	double secs;
	long value;
	uint64_t events;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct result *shared;

static struct result run_once(const struct workload *w, long n, int m)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		double t0;

		jitrun_events_setup(1 << 20, 0, (int32_t)0x80000000U);
		if (jitrun_init(mode_instr[m]))
			_exit(98);
		t0 = cpu_now();
		shared->value = jitrun_call((void *)w->fn, n, 0, 0, 0);
		shared->secs = cpu_now() - t0;
		shared->events = jitrun_calls_seen() + jitrun_rets_seen();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "event-bench: %s failed (mode %d)\n", w->name, m);
		exit(1);
	}
	return *shared;
}

/* the TSC read alone, for scale: it traps on some hypervisors */
static double rdtsc_ns(void)
{
	uint64_t sum = 0;
	double t0 = cpu_now();
	int i;

	for (i = 0; i < 10000000; i++)
		sum += __rdtsc();
	asm volatile("" : : "r"(sum));
	return (cpu_now() - t0) * 1e9 / 1e7;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "recurse", "fnptr", "sort" };
	double scale = (argc > 1 ? atof(argv[1]) : 100) / 100, worst = 0;
	double sum_ns = 0, sum_nc = 0, sum_cc = 0;
	uint64_t total_events = 0;
	unsigned int k, nw = 0;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 99;
	printf("%-8s %10s %12s %10s %10s %10s\n", "workload", "events",
	       "none ms", "ns/event", "no clock", "clean call");
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const struct workload *w;
		struct result best[M_NR];
		double ns, nc, cc;
		long n;
		int r, m;

		for (w = workloads; w->name && strcmp(w->name, names[k]); w++)
			;
		if (!w->name)
			continue;
		/* recurse's n is an exponent: scale the others only */
		n = !strcmp(w->name, "recurse") ? 32 : (long)(w->bench_n * scale / 4);
		if (n < 1)
			n = 1;
		for (m = 0; m < M_NR; m++)
			best[m].secs = 1e9;
		for (r = 0; r < REPEAT; r++)
			for (m = 0; m < M_NR; m++) {
				struct result x = run_once(w, n, m);

				if (x.secs < best[m].secs) {
					uint64_t ev = best[m].events;

					best[m] = x;
					best[m].events = m == M_CLEANCALL ? x.events : ev;
				}
			}
		for (m = 1; m < M_NR; m++)
			if (best[m].value != best[M_NONE].value) {
				fprintf(stderr, "event-bench: %s: wrong result\n",
					w->name);
				return 1;
			}
		ns = (best[M_EVENTS].secs - best[M_NONE].secs) * 1e9 /
		     best[M_CLEANCALL].events;
		nc = (best[M_NOCLOCK].secs - best[M_NONE].secs) * 1e9 /
		     best[M_CLEANCALL].events;
		cc = (best[M_CLEANCALL].secs - best[M_NONE].secs) * 1e9 /
		     best[M_CLEANCALL].events;
		printf("%-8s %10lu %12.1f %10.2f %10.2f %10.2f\n", w->name,
		       (unsigned long)best[M_CLEANCALL].events,
		       best[M_NONE].secs * 1e3, ns, nc, cc);
		sum_ns += ns;
		sum_nc += nc;
		sum_cc += cc;
		if (ns > worst)
			worst = ns;
		total_events += best[M_CLEANCALL].events;
		nw++;
	}
	if (!nw)
		return 1;
	printf("rdtsc alone: %.2f ns\n", rdtsc_ns());
	printf("ns_per_event=%.2f ns_per_event_worst=%.2f ns_per_event_no_clock=%.2f ns_per_event_clean_call=%.2f rdtsc_ns=%.2f events=%lu\n",
	       sum_ns / nw, worst, sum_nc / nw, sum_cc / nw, rdtsc_ns(),
	       (unsigned long)total_events);
	return 0;
}
