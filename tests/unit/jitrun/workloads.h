/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JIFL_JITRUN_WORKLOADS_H
#define JIFL_JITRUN_WORKLOADS_H

/**
 * struct workload - a deterministic function run natively and translated
 * @name:	short name for reports
 * @fn:		the function; returns a checksum of its work
 * @test_n:	argument for the unit test (small: also single-stepped)
 * @oracle_n:	argument for the single-step oracle (small: ~1 s stepped)
 * @bench_n:	argument for the benchmark (about a second natively)
 */
struct workload {
	const char *name;
	long (*fn)(long n);
	long test_n;
	long oracle_n;
	long bench_n;
};

extern const struct workload workloads[];

long wl_sort(long n);
long wl_hash(long n);
long wl_interp(long n);
long wl_interp_expect(long n);
long wl_recurse(long n);
long wl_fnptr(long n);
long wl_setjmp(long n);
long wl_printf(long n);
long wl_strings(long n);

/* counted.c: functions of known block structure, compiled at -O1 */
long cnt_loop(long n);
long cnt_nested(long outer, long inner);
long cnt_switch(long n);
long cnt_calls(long n);
long cnt_leaf(long x);

#endif
