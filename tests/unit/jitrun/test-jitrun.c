// SPDX-License-Identifier: GPL-2.0
/*
 * Translate-and-run tests: real code (this static program's workloads and
 * the libc they call) runs from the code cache and must give the native
 * results; block counts must match two independent oracles exactly:
 *
 * 1. construction: -O1 functions with known trip counts (counted.c);
 * 2. single-stepping: a forked copy of this process runs the same workload
 *    natively under ptrace(PTRACE_SINGLESTEP), counting every instruction
 *    it executes in the program text.  Per-instruction counts derived from
 *    jifl's per-block counts (each block runs start to end) must be equal,
 *    instruction by instruction, libc included.
 *
 * Every run starts from a fork of the same parent state, so malloc's state
 * (and hence libc's paths) is identical in the native and translated runs.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitrun.h"
#include "workloads.h"
#include "tap.h"

extern char __executable_start[], etext[];

static uint64_t text_lo, text_len;

/* shared with forked children */
struct shared {
	long result;
	int status;
	struct jitrun_stats stats;
	/* JITRUN_ADD*: the totals added, and what the block counts imply */
	uint64_t add_insns, add_weighted, want_insns, want_weighted;
	uint64_t counts[];	/* per text byte offset: executions */
};

static struct shared *shared_alloc(void)
{
	size_t sz = sizeof(struct shared) + text_len * sizeof(uint64_t);
	struct shared *s = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED) {
		perror("mmap");
		exit(99);
	}
	return s;
}

static void shared_free(struct shared *s)
{
	munmap(s, sizeof(struct shared) + text_len * sizeof(uint64_t));
}

/* per-instruction counts from per-block counts: each block runs whole */
static void block_counts_to_insns(enum jitrun_instr mode, uint64_t *counts)
{
	uint32_t id, n = jitrun_nr_blocks();

	for (id = 0; id < n; id++) {
		const struct jitrun_block *b = jitrun_block(id);
		const struct jit_pcmap *map = jitrun_block_map(b);
		uint64_t c = mode == JITRUN_CLEANCALL ?
			     jitrun_cleancall_count(id) :
			     jitrun_block_count(id);
		unsigned int i;

		for (i = 0; i < b->b.nr_insns; i++)
			counts[b->b.native_start + map[i].native_off - text_lo] += c;
	}
}

/* Run fn(n) from the cache in a child; counts land in @s */
static void run_translated(enum jitrun_instr mode, long (*fn)(long), long n,
			   struct shared *s)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (jitrun_init(mode))
			_exit(98);
		s->result = jitrun_call((void *)fn, n, 0, 0, 0);
		if (mode != JITRUN_NONE)
			block_counts_to_insns(mode, s->counts);
		if (mode >= JITRUN_ADD) {
			uint32_t id;

			jitrun_add_totals(&s->add_insns, &s->add_weighted);
			s->want_insns = 0;
			s->want_weighted = 0;
			for (id = 0; id < jitrun_nr_blocks(); id++) {
				uint64_t c = jitrun_block_count(id);
				unsigned int k = jitrun_block(id)->b.nr_insns;

				s->want_insns += c * k;
				s->want_weighted += c * (JITRUN_ADD_BIG + k);
			}
		}
		s->stats = *jitrun_stats();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	s->status = st;
}

static bool is_rep_string(uint64_t pc)
{
	struct jit_insn in;
	uint8_t op;

	if (jit_decode(&in, (const uint8_t *)pc, 15, pc) <= 0)
		return false;
	if (!(in.attr & (JIT_ATTR_REP | JIT_ATTR_REPNE)) ||
	    in.map != JIT_MAP_1BYTE)
		return false;
	op = in.opcode;
	return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
	       (op >= 0x6c && op <= 0x6f);
}

/*
 * The oracle: single-step fn(n) natively in a traced child, from its entry
 * until it returns to its caller, counting each text instruction.  A rep
 * string instruction traps once per iteration: count it once per entry.
 */
static int run_stepped(long (*fn)(long), long n, struct shared *s,
		       uint64_t *steps)
{
	uint64_t entry = (uint64_t)fn, ret_addr = 0, entry_rsp = 0, prev = 0;
	struct user_regs_struct r;
	bool counting = false;
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		s->result = fn(n);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	*steps = 0;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) < 0)
			return -1;
		if (waitpid(pid, &st, 0) < 0 || WIFEXITED(st))
			break;
		ptrace(PTRACE_GETREGS, pid, NULL, &r);
		if (!counting && r.rip == entry) {
			counting = true;
			entry_rsp = r.rsp;
			ret_addr = ptrace(PTRACE_PEEKDATA, pid,
					  (void *)r.rsp, NULL);
		} else if (counting && r.rip == ret_addr &&
			   r.rsp == entry_rsp + 8) {
			counting = false;
			ptrace(PTRACE_CONT, pid, NULL, NULL);
			waitpid(pid, &st, 0);
			break;
		}
		if (counting && r.rip - text_lo < text_len) {
			if (!(r.rip == prev && is_rep_string(r.rip))) {
				s->counts[r.rip - text_lo]++;
				(*steps)++;
			}
		}
		prev = r.rip;
	}
	s->status = st;
	return 0;
}

static void test_results(void)
{
	const struct workload *w;
	struct shared *s = shared_alloc();

	for (w = workloads; w->name; w++) {
		long native = w->fn(w->test_n);

		run_translated(JITRUN_NONE, w->fn, w->test_n, s);
		ok(WIFEXITED(s->status) && !WEXITSTATUS(s->status) &&
		   s->result == native,
		   "%s(%ld) from the cache = native %ld (got %ld, status %#x, %lu blocks)",
		   w->name, w->test_n, native, s->result, s->status,
		   (unsigned long)s->stats.blocks);
	}
	ok(wl_interp(1000) == wl_interp_expect(1000),
	   "interpreter computes the reference sum of primes");
	shared_free(s);
}

static void compare_with_oracle(const struct workload *w, enum jitrun_instr mode,
				const char *mode_name, const struct shared *o,
				uint64_t steps, struct shared *t)
{
	uint64_t i, bad = 0, first_bad = 0, total = 0;

	memset(t->counts, 0, text_len * sizeof(uint64_t));
	run_translated(mode, w->fn, w->oracle_n, t);
	for (i = 0; i < text_len; i++) {
		total += t->counts[i];
		if (o->counts[i] != t->counts[i] && !bad++)
			first_bad = i;
	}
	ok(!bad && t->result == o->result && total == steps &&
	   WIFEXITED(t->status) && !WEXITSTATUS(t->status),
	   "%s %s(%ld): per-instruction counts = single-step oracle (%lu insns, %lu differ)",
	   mode_name, w->name, w->oracle_n, (unsigned long)steps,
	   (unsigned long)bad);
	if (mode >= JITRUN_ADD)
		ok(t->add_insns == steps && t->want_insns == steps &&
		   t->add_weighted == t->want_weighted,
		   "%s %s(%ld): added instruction counts sum to the oracle's %lu (got %lu), added %#x+n sums exact (%lu, want %lu)",
		   mode_name, w->name, w->oracle_n, (unsigned long)steps,
		   (unsigned long)t->add_insns, JITRUN_ADD_BIG,
		   (unsigned long)t->add_weighted,
		   (unsigned long)t->want_weighted);
	/* blocks that write a register before reading it: no push/pop */
	if (mode == JITRUN_ADD_GS_REG)
		ok(t->stats.ctr_free > 0,
		   "%s %s(%ld): counters in free registers %lu, saving %%rax %lu",
		   mode_name, w->name, w->oracle_n,
		   (unsigned long)t->stats.ctr_free,
		   (unsigned long)t->stats.ctr_saved);
	if (bad)
		diag("first difference at %#lx: native %lu, jifl %lu",
		     (unsigned long)(text_lo + first_bad),
		     (unsigned long)o->counts[first_bad],
		     (unsigned long)t->counts[first_bad]);
}

/* One single-stepped native run per workload, compared with both counters */
static void test_oracle(void)
{
	const struct workload *w;
	struct shared *o = shared_alloc(), *t = shared_alloc();

	for (w = workloads; w->name; w++) {
		uint64_t steps;

		memset(o->counts, 0, text_len * sizeof(uint64_t));
		if (run_stepped(w->fn, w->oracle_n, o, &steps)) {
			ok(0, "%s: ptrace single-step oracle", w->name);
			continue;
		}
		compare_with_oracle(w, JITRUN_BBCOUNT, "bbcount", o, steps, t);
		compare_with_oracle(w, JITRUN_CLEANCALL, "cleancall", o, steps, t);
		compare_with_oracle(w, JITRUN_ADD, "add", o, steps, t);
		compare_with_oracle(w, JITRUN_ADD_GS, "add-gs", o, steps, t);
		compare_with_oracle(w, JITRUN_ADD_GS_REG, "add-gs-reg", o, steps, t);
	}
	shared_free(o);
	shared_free(t);
}

/*
 * Targets of the backward conditional branches (loop back edges) of a
 * function: decoded up to the first unconditional transfer past every
 * forward branch target.
 */
static unsigned int backward_targets(void *fn, uint64_t *out, unsigned int max)
{
	uint64_t pc = (uint64_t)fn, end = pc;
	unsigned int n = 0, i;
	struct jit_insn in;

	while (jit_decode(&in, (const uint8_t *)pc, 15, pc) > 0) {
		if ((in.flow == JIT_FLOW_JMP || in.flow == JIT_FLOW_JCC) &&
		    in.target > end)
			end = in.target;
		if (in.flow == JIT_FLOW_JCC && in.target < pc &&
		    in.target >= (uint64_t)fn) {
			for (i = 0; i < n && out[i] != in.target; i++)
				;
			if (i == n && n < max)
				out[n++] = in.target;
		}
		pc += in.len;
		if ((in.flow == JIT_FLOW_RET || in.flow == JIT_FLOW_JMP) &&
		    pc > end)
			break;
	}
	return n;
}

static uint64_t count_at(const struct shared *s, void *pc)
{
	return s->counts[(uint64_t)pc - text_lo];
}

static long do_nested(long n)
{
	return cnt_nested(n, 13);
}

static void test_construction(void)
{
	struct shared *s = shared_alloc();
	uint64_t tg[8];
	unsigned int n;

	memset(s->counts, 0, text_len * sizeof(uint64_t));
	run_translated(JITRUN_BBCOUNT, cnt_loop, 37, s);
	n = backward_targets(cnt_loop, tg, 8);
	ok(n == 1 && count_at(s, (void *)tg[0]) == 37 &&
	   count_at(s, cnt_loop) == 1,
	   "cnt_loop(37): loop body runs 37 times, entry once (%u loops, %lu, %lu)",
	   n, (unsigned long)count_at(s, (void *)tg[0]),
	   (unsigned long)count_at(s, cnt_loop));

	memset(s->counts, 0, text_len * sizeof(uint64_t));
	run_translated(JITRUN_BBCOUNT, do_nested, 7, s);
	n = backward_targets(cnt_nested, tg, 8);
	ok(n == 1 && count_at(s, (void *)tg[0]) == 7 * 13 &&
	   count_at(s, cnt_nested) == 1,
	   "cnt_nested(7, 13): inner body runs 91 times (%u loops, %lu)",
	   n, (unsigned long)(n ? count_at(s, (void *)tg[0]) : 0));

	memset(s->counts, 0, text_len * sizeof(uint64_t));
	run_translated(JITRUN_BBCOUNT, cnt_calls, 1000, s);
	n = backward_targets(cnt_calls, tg, 8);
	ok(n == 1 && count_at(s, (void *)tg[0]) == 1000 &&
	   count_at(s, cnt_leaf) == 1000 && count_at(s, cnt_calls) == 1,
	   "cnt_calls(1000): 1000 iterations, cnt_leaf entered 1000 times (%u loops, %lu, %lu, %lu)",
	   n, (unsigned long)count_at(s, (void *)tg[0]),
	   (unsigned long)count_at(s, cnt_leaf),
	   (unsigned long)count_at(s, cnt_calls));
	shared_free(s);
}

/*
 * The fast paths are in effect: polymorphic indirect branches resolve in
 * the sites' inline table lookup, not in the shared lookup routine, and
 * fall-through blocks are laid out after their predecessors.
 */
static void test_fast_paths(void)
{
	struct shared *s = shared_alloc();

	run_translated(JITRUN_NONE, wl_interp, 2000, s);
	ok(WIFEXITED(s->status) && !WEXITSTATUS(s->status) &&
	   s->result == wl_interp(2000) && s->stats.ibl_lookups < 64 &&
	   s->stats.jt_sites >= 1 && s->stats.jt_sites <= 2 &&
	   s->stats.jt_entries >= 10 &&
	   s->stats.jt_entries <= 17 * s->stats.jt_sites,
	   "interp(2000): switch dispatch through its translated jump table (%lu sites, %lu entries made for the opcodes used, %lu shared lookups for ~10^5 dispatches)",
	   (unsigned long)s->stats.jt_sites,
	   (unsigned long)s->stats.jt_entries,
	   (unsigned long)s->stats.ibl_lookups);
	run_translated(JITRUN_NONE, wl_fnptr, 10000, s);
	ok(WIFEXITED(s->status) && !WEXITSTATUS(s->status) &&
	   s->result == wl_fnptr(10000) && s->stats.ibl_lookups < 16 &&
	   s->stats.jt_sites >= 1 && s->stats.jt_sites <= 2 &&
	   s->stats.jt_entries >= 4 &&
	   s->stats.jt_entries <= 4 * s->stats.jt_sites,
	   "fnptr(10000): calls through 4 random pointers of a table, one entry per pointer and site (%lu sites, %lu entries, %lu shared lookups)",
	   (unsigned long)s->stats.jt_sites,
	   (unsigned long)s->stats.jt_entries,
	   (unsigned long)s->stats.ibl_lookups);
	run_translated(JITRUN_NONE, wl_printf, 20, s);
	ok(WIFEXITED(s->status) && !WEXITSTATUS(s->status) &&
	   s->result == wl_printf(20) &&
	   s->stats.laid_out * 4 > s->stats.blocks && s->stats.copies,
	   "printf(20): %lu of %lu blocks laid out as fall-through (%lu copies)",
	   (unsigned long)s->stats.laid_out, (unsigned long)s->stats.blocks,
	   (unsigned long)s->stats.copies);
	shared_free(s);
}

/* jumptable.S */
long jt_sw(long idx, long sel);
long jt_sw2(long idx, long sel);
long jt_sw3(long idx, long sel);
long jt_call(long idx, long arg);
long jt_call2(long idx, long arg);
long jt_sw4(long idx, long x, long sel);
long jt_sw5(long idx, long x, long sel);
long jt_sw6(long idx, long x, long sel);
extern long (*jt_fns[4])(long);

/*
 * Jump-table sites (kmod/jit/README "Jump tables") in every case they
 * must handle: the same index with another table base or a rewritten
 * function pointer (an entry's check fails), targets that read the flags
 * of the site's add, indices past the site's table, %rcx and REX
 * registers.  The result mixes every return value.
 */
static long wl_jumptables(long n)
{
	long (*saved[4])(long);
	uint64_t seed = 5, h = 0;
	long i;

	memcpy(saved, jt_fns, sizeof(saved));
	/* entries first made for table b (see jumptable.S) */
	for (i = 0; i < 4; i++)
		h = h * 31 + jt_sw(i, 1) + jt_sw2(i, 1) + jt_sw3(i, 1);
	/* index 0: x below, equal, above */
	for (i = 0; i < 3; i++)
		h = h * 31 + jt_sw4(0, i - 1, 0) + jt_sw5(0, i - 1, 0) +
		    jt_sw6(0, i - 1, 0);
	for (i = 0; i < n; i++) {
		uint64_t r;
		long sel, idx;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = seed >> 24;
		sel = r % 3;
		idx = sel == 2 ? (long)((r >> 8) % 300) : (long)((r >> 8) & 3);
		h = h * 31 + jt_sw(idx, sel);
		h = h * 31 + jt_sw2((r >> 12) & 3, sel & 1);
		h = h * 31 + jt_sw3((r >> 14) & 3, (r >> 16) & 1);
		h = h * 31 + jt_call(i & 1 ? (long)((r >> 18) & 3) :
				     (long)((r >> 18) % 300), i);
		h = h * 31 + jt_call2((long)((r >> 20) % 300), i);
		h = h * 31 + jt_sw4((long)(r >> 22), (long)((r >> 26) & 15),
				    (long)((r >> 30) & 1));
		h = h * 31 + jt_sw5((long)(r >> 23), (long)((r >> 27) & 15),
				    (long)((r >> 31) & 1));
		h = h * 31 + jt_sw6((long)(r >> 21), (long)((r >> 25) & 15),
				    (long)((r >> 29) & 1));
		if ((i & 63) == 63) {	/* rotate the first four pointers */
			long (*f)(long) = jt_fns[0];

			memmove(jt_fns, jt_fns + 1, 3 * sizeof(*jt_fns));
			jt_fns[3] = f;
		}
	}
	memcpy(jt_fns, saved, sizeof(saved));
	return (long)h;
}

static void test_jump_tables(void)
{
	static const struct {
		enum jitrun_instr mode;
		const char *name;
	} modes[] = {
		{ JITRUN_BBCOUNT, "bbcount" }, { JITRUN_CLEANCALL, "cleancall" },
	};
	struct shared *s = shared_alloc(), *t = shared_alloc();
	struct workload w = { "jumptables", wl_jumptables, 3000, 300, 0 };
	long native = wl_jumptables(w.test_n);
	uint64_t steps;
	unsigned int k;

	run_translated(JITRUN_NONE, wl_jumptables, w.test_n, s);
	ok(WIFEXITED(s->status) && !WEXITSTATUS(s->status) &&
	   s->result == native && s->stats.jt_sites >= 8 &&
	   s->stats.jt_entries > 30 && s->stats.jt_entries <= 5 * 256 + 36 &&
	   s->stats.ibl_lookups > 0,
	   "jump tables: %s(%ld) from the cache = native %ld (got %ld; %lu sites, %lu entries, %lu shared lookups after mismatches)",
	   w.name, w.test_n, native, s->result,
	   (unsigned long)s->stats.jt_sites,
	   (unsigned long)s->stats.jt_entries,
	   (unsigned long)s->stats.ibl_lookups);

	memset(s->counts, 0, text_len * sizeof(uint64_t));
	if (run_stepped(wl_jumptables, w.oracle_n, s, &steps)) {
		ok(0, "%s: ptrace single-step oracle", w.name);
	} else {
		for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
			compare_with_oracle(&w, modes[k].mode, modes[k].name,
					    s, steps, t);
		ok(t->stats.jt_sites >= 6,
		   "jump tables: the jmp sites have tables with clean calls at calls (%lu sites)",
		   (unsigned long)t->stats.jt_sites);
	}
	shared_free(s);
	shared_free(t);
}

/* Clean calls at calls and returns see the right targets */
static void test_call_hooks(void)
{
	pid_t pid;
	int st;
	struct shared *s = shared_alloc();

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		uint64_t *r = s->counts;

		if (jitrun_init(JITRUN_CLEANCALL))
			_exit(98);
		s->result = jitrun_call((void *)cnt_calls, 500, 0, 0, 0);
		r[0] = jitrun_call_target_hits((uint64_t)cnt_leaf);
		r[1] = jitrun_calls_seen();
		r[2] = jitrun_rets_seen();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && s->result == cnt_calls(500) &&
	   s->counts[0] == 500 && s->counts[1] == 500 && s->counts[2] == 501,
	   "call hooks: 500 calls to cnt_leaf seen with their target, 501 returns (got %lu, %lu, %lu)",
	   (unsigned long)s->counts[0], (unsigned long)s->counts[1],
	   (unsigned long)s->counts[2]);
	shared_free(s);
}

/* Every cache pc of every instruction maps back to its native pc */
static void test_pc_map(void)
{
	pid_t pid;
	int st;
	struct shared *s = shared_alloc();

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		uint32_t id, bad = 0, n;

		if (jitrun_init(JITRUN_BBCOUNT))
			_exit(98);
		jitrun_call((void *)wl_printf, 5, 0, 0, 0);
		n = jitrun_nr_blocks();
		for (id = 0; id < n; id++) {
			const struct jitrun_block *b = jitrun_block(id);
			const struct jit_pcmap *m = jitrun_block_map(b);
			unsigned int i;

			for (i = 0; i < b->b.nr_insns; i++) {
				uint64_t native = b->b.native_start + m[i].native_off;
				uint64_t c = b->b.cache_start;

				if (jitrun_cache_to_native(c + m[i].cache_off) != native ||
				    jitrun_cache_to_native(c + m[i].instr_off) != native)
					bad++;
			}
			/* exit code and stubs, after or before the entry */
			if (jitrun_cache_to_native(b->b.cache_start + b->b.cache_len - 1) !=
			    b->b.native_start + m[b->b.nr_insns - 1].native_off)
				bad++;
			if (b->b.entry_off &&
			    jitrun_cache_to_native(b->b.cache_start) !=
			    b->b.native_start + m[b->b.nr_insns - 1].native_off)
				bad++;
		}
		s->result = bad;
		s->stats.blocks = n;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && !WEXITSTATUS(st) && s->result == 0,
	   "cache->native map exact for every instruction of %lu blocks",
	   (unsigned long)s->stats.blocks);
	shared_free(s);
}

int main(void)
{
	text_lo = (uint64_t)__executable_start;
	text_len = (uint64_t)etext - text_lo;

	test_results();
	test_construction();
	test_call_hooks();
	test_pc_map();
	test_fast_paths();
	test_jump_tables();
	test_oracle();
	return done_testing();
}
