// SPDX-License-Identifier: GPL-2.0
/*
 * Inline event records (jit_insert_event(), kmod/jit/README "Inline
 * events") on the real CPU: every workload runs from the cache with a
 * record at each call and return, and the records must say what the
 * clean-call path sees of the same run:
 *
 *  - as many call and return records as clean calls at calls and returns,
 *    and the same callees (sums of the targets and of their squares:
 *    direct ones from the site table, indirect ones read at run time);
 *  - returns pair with calls by stack pointer alone (a return at sp R
 *    closes the call made at R + 8), the way jifl report matches them:
 *    every frame closes, none is skipped but where longjmp skips it;
 *  - time stamps never go back; the results are the native ones (the
 *    records clobber nothing the code sees);
 *  - a 4 KiB ring takes the refill path over and over and loses nothing;
 *    a pending reschedule is taken once, the preempt count restored;
 *  - an interrupt that writes a record between any two instructions of
 *    the cache (single-stepped, SIGTRAP, every 5th step) neither loses its record nor
 *    corrupts the one it interrupts (the reservation's cmpxchg).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "jitrun.h"
#include "workloads.h"
#include "tap.h"

#define PREEMPT_IDLE	((int32_t)0x80000000U)
#define MAX_DEPTH	100000
/* the site of the records the interrupts write: no real site has it */
#define INTR_SITE	0x3fffffffU

struct outcome {
	long result;
	int status;
	uint64_t calls, rets, tsum, tsq;
	/* JITRUN_EVENTS: the records replayed */
	uint64_t records, bad, matched, unwound, unmatched, open, ts_back;
	/* single-stepped: steps in the cache, interrupt records written, read */
	uint64_t steps, intr_written, intr;
	struct jitrun_events_stats ev;
};

static uint32_t stack_sp[MAX_DEPTH];

/* Replay the records as the reader does: sp pairs returns with calls */
static void replay(struct outcome *o)
{
	uint32_t nr_sites, depth = 0;
	const struct jitrun_site *sites = jitrun_sites(&nr_sites);
	uint64_t len, off, last_ts = 0;
	const uint8_t *log = jitrun_events(&len);

	for (off = 0; off + 16 <= len;) {
		uint32_t w0, sp, size;
		uint64_t ts, target;
		const struct jitrun_site *s;

		memcpy(&w0, log + off, 4);
		memcpy(&sp, log + off + 4, 4);
		memcpy(&ts, log + off + 8, 8);
		size = w0 & JITRUN_EV_HAS_TARGET ? 24 : 16;
		if (w0 == (JITRUN_EV_MARK | INTR_SITE)) {
			o->intr += !sp && !ts;
			o->bad += sp || ts;
			off += 16;
			continue;
		}
		if (!(w0 & JITRUN_EV_MARK) || JITRUN_EV_SITE(w0) >= nr_sites ||
		    off + size > len) {
			o->bad++;
			break;
		}
		s = &sites[JITRUN_EV_SITE(w0)];
		if (!!(w0 & JITRUN_EV_HAS_TARGET) != (s->kind == JITRUN_SITE_CALL_IND))
			o->bad++;
		o->records++;
		if (ts < last_ts)
			o->ts_back++;
		last_ts = ts;
		if (s->kind == JITRUN_SITE_RET) {
			o->rets++;
			/* frames called below the one returning (at sp + 8) */
			while (depth && (int32_t)(stack_sp[depth - 1] - (sp + 8)) < 0) {
				depth--;
				o->unwound++;
			}
			if (depth && stack_sp[depth - 1] == sp + 8) {
				depth--;
				o->matched++;
			} else {
				o->unmatched++;
			}
		} else {
			target = s->target;
			if (s->kind == JITRUN_SITE_CALL_IND)
				memcpy(&target, log + off + 16, 8);
			o->calls++;
			o->tsum += target;
			o->tsq += target * target;
			/* frames called at or below this sp returned unseen */
			while (depth && (int32_t)(stack_sp[depth - 1] - sp) <= 0) {
				depth--;
				o->unwound++;
			}
			if (depth < MAX_DEPTH)
				stack_sp[depth++] = sp;
			else
				o->bad++;
		}
		off += size;
	}
	if (off != len)
		o->bad++;
	o->open = depth;
}

static void run(enum jitrun_instr mode, long (*fn)(long), long n,
		uint64_t ring, int32_t preempt, struct outcome *o);
static bool exited_ok(const struct outcome *o);

static volatile uint64_t trap_steps, trap_written;

/* A SIGTRAP after each instruction: an interrupt on cache code writes */
static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t ip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

	(void)sig;
	(void)si;
	/* the dispatcher and translator are text: their tables stay put */
	if (jitrun_in_text(ip) || !jitrun_cache_to_native(ip))
		return;
	/*
	 * Every 5th step: at each step, a retry would always be overtaken
	 * (livelock, which real interrupts' spacing rules out); 5 is prime
	 * to the record's length, so every point of it is hit over a run.
	 */
	if (trap_steps++ % 5)
		return;
	if (jitrun_events_interrupt(JITRUN_EV_MARK | INTR_SITE))
		trap_written++;
}

/* One run in a child process, so that each starts from a fresh cache */
struct run_args {
	enum jitrun_instr mode;
	long (*fn)(long);
	long n;
	uint64_t ring;
	int32_t preempt;
	/* then again single-stepped, a record written at each step */
	bool stepped;
};

static void run_child(const struct run_args *a, struct outcome *o)
{
	struct sigaction sa = { .sa_sigaction = on_trap,
				.sa_flags = SA_SIGINFO };

	if (a->mode == JITRUN_NONE) {
		o->result = a->fn(a->n);
		return;
	}
	jitrun_events_setup(a->ring, 256ULL << 20, a->preempt);
	if (jitrun_init(a->mode) ||
	    (a->stepped && sigaction(SIGTRAP, &sa, NULL)))
		_exit(98);
	o->result = jitrun_call((void *)a->fn, a->n, 0, 0, 0);
	if (a->stepped) {
		asm volatile("pushfq; orq $0x100, (%%rsp); popfq" ::: "memory", "cc");
		o->result += jitrun_call((void *)a->fn, a->n, 0, 0, 0);
		asm volatile("pushfq; andq $~0x100, (%%rsp); popfq" ::: "memory", "cc");
		o->steps = trap_steps;
		o->intr_written = trap_written;
	}
	if (a->mode == JITRUN_CLEANCALL) {
		o->calls = jitrun_calls_seen();
		o->rets = jitrun_rets_seen();
		jitrun_call_target_sums(&o->tsum, &o->tsq);
	} else {
		replay(o);
		o->ev = jitrun_events_stats();
	}
}

static void run_forked(const struct run_args *a, struct outcome *o)
{
	pid_t pid;
	int st;

	memset(o, 0, sizeof(*o));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		run_child(a, o);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	o->status = st;
}

/*
 * @fn(@n) from the cache twice, the second time single-stepped with a
 * record written at every step that is in cache code.
 */
static void run_interrupted(long (*fn)(long), long n, uint64_t ring,
			    struct outcome *o)
{
	const struct run_args a = { JITRUN_EVENTS, fn, n, ring, PREEMPT_IDLE,
				    true };

	run_forked(&a, o);
}

static void test_interrupts(const char *name, long (*fn)(long), long n,
			    uint64_t ring, struct outcome *r)
{
	struct outcome *ev = &r[0], *in = &r[1];

	run(JITRUN_EVENTS, fn, n, 1 << 20, PREEMPT_IDLE, ev);
	run_interrupted(fn, n, ring, in);
	ok(exited_ok(in) && in->result == 2 * ev->result && !in->bad &&
	   in->calls == 2 * ev->calls && in->rets == 2 * ev->rets &&
	   in->tsum == 2 * ev->tsum && in->matched == 2 * ev->matched &&
	   in->steps > 10 * in->calls && in->intr_written > in->steps / 10 &&
	   in->intr == in->intr_written && !in->ev.lost,
	   "%s(%ld), %lu-byte ring, an interrupt record at every 5th of %lu steps in the cache: %lu written, %lu read back; the run's records intact (%lu calls, %lu returns, %lu matched: twice %lu, %lu, %lu)",
	   name, n, (unsigned long)ring, (unsigned long)in->steps,
	   (unsigned long)in->intr_written, (unsigned long)in->intr,
	   (unsigned long)in->calls, (unsigned long)in->rets,
	   (unsigned long)in->matched, (unsigned long)ev->calls,
	   (unsigned long)ev->rets, (unsigned long)ev->matched);
}

static void run(enum jitrun_instr mode, long (*fn)(long), long n,
		uint64_t ring, int32_t preempt, struct outcome *o)
{
	const struct run_args a = { mode, fn, n, ring, preempt, false };

	run_forked(&a, o);
}

static bool exited_ok(const struct outcome *o)
{
	return WIFEXITED(o->status) && !WEXITSTATUS(o->status);
}

static void test_workload(const struct workload *w, struct outcome *r)
{
	struct outcome *nat = &r[0], *cc = &r[1], *ev = &r[2], *small = &r[3];
	bool jumps = !strcmp(w->name, "setjmp");

	run(JITRUN_NONE, w->fn, w->test_n, 0, 0, nat);
	run(JITRUN_CLEANCALL, w->fn, w->test_n, 0, 0, cc);
	run(JITRUN_EVENTS, w->fn, w->test_n, 1 << 20, PREEMPT_IDLE, ev);
	/* before any output: stdio's first buffer would change the heap */
	run(JITRUN_EVENTS, w->fn, w->test_n, 4096, PREEMPT_IDLE, small);
	ok(exited_ok(ev) && ev->result == nat->result && !ev->bad &&
	   ev->calls == cc->calls && ev->rets == cc->rets &&
	   ev->tsum == cc->tsum && ev->tsq == cc->tsq,
	   "%s(%ld): %lu call and %lu return records, as the clean calls see (%lu, %lu), same callees, native result",
	   w->name, w->test_n, (unsigned long)ev->calls,
	   (unsigned long)ev->rets, (unsigned long)cc->calls,
	   (unsigned long)cc->rets);
	ok(ev->open == 0 && ev->unmatched == 1 &&
	   ev->matched + ev->unwound == ev->calls &&
	   (jumps ? ev->unwound > 0 : ev->unwound == 0),
	   "%s: returns pair with calls by sp: %lu matched, %lu skipped (%s), %lu open, %lu unpaired (the return to the native caller)",
	   w->name, (unsigned long)ev->matched, (unsigned long)ev->unwound,
	   jumps ? "longjmp" : "none expected", (unsigned long)ev->open,
	   (unsigned long)ev->unmatched);
	ok(ev->ts_back == 0 && ev->ev.preempt == PREEMPT_IDLE &&
	   !ev->ev.resched && !ev->ev.lost,
	   "%s: time stamps never go back (%lu), preempt count restored (%#x), %lu lost, %lu rescheds",
	   w->name, (unsigned long)ev->ts_back, (unsigned int)ev->ev.preempt,
	   (unsigned long)ev->ev.lost, (unsigned long)ev->ev.resched);
	ok(exited_ok(small) && small->result == nat->result && !small->bad &&
	   small->records == ev->records && small->ev.log_bytes == ev->ev.log_bytes &&
	   small->matched == ev->matched && !small->ev.lost &&
	   (ev->ev.log_bytes <= 4096 || small->ev.refills >= ev->ev.log_bytes / 4096),
	   "%s: a 4 KiB ring: %lu refills, the same %lu records (%lu bytes, %lu lost, %lu matched, %lu skipped, %lu unpaired, %lu open)",
	   w->name, (unsigned long)small->ev.refills,
	   (unsigned long)small->records, (unsigned long)small->ev.log_bytes,
	   (unsigned long)small->ev.lost, (unsigned long)small->matched,
	   (unsigned long)small->unwound, (unsigned long)small->unmatched,
	   (unsigned long)small->open);
}

int main(void)
{
	struct outcome *r = mmap(NULL, 4 * sizeof(*r), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const struct workload *w;

	if (r == MAP_FAILED)
		return 99;
	for (w = workloads; w->name; w++)
		test_workload(w, r);

	/* a reschedule pending when the first record starts */
	run(JITRUN_NONE, wl_recurse, 12, 0, 0, &r[0]);
	run(JITRUN_EVENTS, wl_recurse, 12, 1 << 20, 0, &r[1]);
	ok(exited_ok(&r[1]) && r[1].result == r[0].result &&
	   r[1].ev.resched == 1 && r[1].ev.preempt == PREEMPT_IDLE &&
	   r[1].records > 500,
	   "recurse(12): a pending reschedule is taken once (%lu), the count restored (%#x), %lu records",
	   (unsigned long)r[1].ev.resched, (unsigned int)r[1].ev.preempt,
	   (unsigned long)r[1].records);

	/* without the clock: the same records, time stamps 0 */
	run(JITRUN_EVENTS_NOCLOCK, wl_fnptr, 1000, 1 << 20, PREEMPT_IDLE, &r[2]);
	run(JITRUN_EVENTS, wl_fnptr, 1000, 1 << 20, PREEMPT_IDLE, &r[3]);
	ok(exited_ok(&r[2]) && r[2].records == r[3].records &&
	   r[2].tsum == r[3].tsum && !r[2].bad,
	   "fnptr(1000) without the clock: the same %lu records",
	   (unsigned long)r[2].records);

	/* interrupts writing records between any two instructions */
	test_interrupts("recurse", wl_recurse, 6, 1 << 20, r);
	test_interrupts("fnptr", wl_fnptr, 100, 1 << 20, r);
	test_interrupts("fnptr", wl_fnptr, 100, 4096, r);
	return done_testing();
}
