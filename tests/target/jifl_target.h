/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The ioctl ABI of the jifl test-target module, jifl_target.ko.
 *
 * jifl_target.ko registers the misc device /dev/jifl_target (mode 0600).
 * Each ioctl runs one scenario function whose control flow is known (see
 * tests/target/README) and returns its result in &struct jifl_target_req.
 * Shared by the module and the user-space driver run-target.
 */
#ifndef _JIFL_TARGET_H
#define _JIFL_TARGET_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct jifl_target_req - argument of every jifl_target ioctl
 * @n: first argument (N), see the JT_IOC_* descriptions
 * @m: second argument (M), only used by JT_IOC_NESTED
 * @result: out: the scenario's result, written only on success
 */
struct jifl_target_req {
	__u64 n;
	__u64 m;
	__u64 result;
};

#define JT_IOC_MAGIC		0xB7

/* Limits on the arguments; larger values fail with -EINVAL. */
#define JT_LOOP_MAX		1000000
#define JT_NESTED_MAX		1000
#define JT_INDIRECT_MAX		1000000
#define JT_RECURSE_MAX		100
#define JT_SLEEP_MAX		100
#define JT_SPIN_MAX		10000
/* The one value JT_IOC_WARN rejects, so its WARN_ON_ONCE never fires. */
#define JT_WARN_MAGIC		0x5741524e

/* result = sum(2i + 1, i < N) = N * N */
#define JT_IOC_LOOP	_IOWR(JT_IOC_MAGIC, 1, struct jifl_target_req)
/* result = sum(i * M + j, i < N, j < M) = NM(NM - 1) / 2 */
#define JT_IOC_NESTED	_IOWR(JT_IOC_MAGIC, 2, struct jifl_target_req)
/* result = jt_switch(N): one of 10 dense cases (0..9) or the default */
#define JT_IOC_SWITCH	_IOWR(JT_IOC_MAGIC, 3, struct jifl_target_req)
/* result = fold of jt_ops[i & 3](acc, i) over i < N, acc starting at 1 */
#define JT_IOC_INDIRECT	_IOWR(JT_IOC_MAGIC, 4, struct jifl_target_req)
/* result = sum(k * k, 1 <= k <= N), computed by recursion of depth N */
#define JT_IOC_RECURSE	_IOWR(JT_IOC_MAGIC, 5, struct jifl_target_req)
/* N is a user pointer; result = the 8 bytes at N (host byte order) */
#define JT_IOC_COPY	_IOWR(JT_IOC_MAGIC, 6, struct jifl_target_req)
/* N x msleep(1); result = N if jiffies advanced by >= N, else 0 */
#define JT_IOC_SLEEP	_IOWR(JT_IOC_MAGIC, 7, struct jifl_target_req)
/* result = sum(i, i < N) = N(N - 1) / 2, computed under a spinlock */
#define JT_IOC_SPIN	_IOWR(JT_IOC_MAGIC, 8, struct jifl_target_req)
/* result = 2N + 1 past a WARN_ON_ONCE(N == JT_WARN_MAGIC) */
#define JT_IOC_WARN	_IOWR(JT_IOC_MAGIC, 9, struct jifl_target_req)
/*
 * Text patching under a running translation: N = 1 enables the module's
 * static key, 0 disables it; M picks the function of its static call:
 * 0 jt_sc_inc(i) = i + 1, 1 jt_sc_dbl(i) = 2i + 7, 2 __static_call_return0.
 * result = 0.
 */
#define JT_IOC_PATCH	_IOWR(JT_IOC_MAGIC, 10, struct jifl_target_req)
/* result = sum over i < N of 2 * f(i) + (key enabled ? 1000 : 0), f above */
#define JT_IOC_STATIC	_IOWR(JT_IOC_MAGIC, 11, struct jifl_target_req)
#define JT_STATIC_MAX		1000000

/*
 * Softirq context: N times, the ioctl schedules a tasklet with bottom
 * halves disabled and runs it with local_bh_enable(), on its own CPU and
 * task; the tasklet, jt_tasklet_fn(), sums the first M odd numbers.
 * result = N * M * M.
 */
#define JT_IOC_TASKLET	_IOWR(JT_IOC_MAGIC, 12, struct jifl_target_req)
#define JT_TASKLET_MAX		10000	/* N and M */

/*
 * Page faults: a read-only mmap of the device shows JT_FAULT_PAGES pages,
 * each full of the u64 JT_FAULT_WORD, faulted in by jt_fault() one page
 * at a time. run-target's "fault N" reads one word of each of N pages:
 * result = N * JT_FAULT_WORD, from N calls of jt_fault().
 */
#define JT_FAULT_PAGES		64
#define JT_FAULT_WORD		3

#endif /* _JIFL_TARGET_H */
