// SPDX-License-Identifier: GPL-2.0
/*
 * jitrun runtime: code cache, native->cache hash, block records, the C half
 * of the dispatcher, and the struct jit_host of this process.
 *
 * The program is static and non-PIE, so all its code (libc included) lies
 * between __executable_start and etext near 0x400000.  The cache is mapped
 * at a fixed address below 2 GiB, so rel32 branches between cache and text
 * and sign-extended 32-bit absolute addresses both reach.
 *
 * Single-threaded by design (the workloads are); the indirect-branch slot
 * is thread-local nevertheless, as the kernel's will be per CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>

#include "jitrun.h"
#include "jit-test-host.h"

#define CACHE_ADDR	0x50000000UL
#define CACHE_SIZE	(256UL << 20)
#define MAX_BLOCKS	(1U << 20)
#define MAP_POOL	(MAX_BLOCKS * 8U)
#define HTAB_ORDER	21
/* room one block may need with instrumentation (clean calls are long) */
#define BLOCK_ROOM	(JIT_BLOCK_MAX_CACHE + 180 * (JIT_BLOCK_MAX_INSNS + 4))

extern char __executable_start[], etext[];

/* Used by entry.S */
void jitrun_exit_entry(void);
void jitrun_exit_call_entry(void);
void jitrun_ibl_jmp(void);
void jitrun_ibl_call(void);
uint64_t jitrun_dispatch_exit(uint64_t stub_ret, uint64_t eflags);
uint64_t jitrun_dispatch_ind(uint64_t target);
void jitrun_ic_jmp_miss(void);
void jitrun_ic_call_miss(void);
uint64_t jitrun_dispatch_ic(uint64_t stub_ret, uint64_t target);
void jitrun_jt_fill(void);
uint64_t jitrun_dispatch_jt(uint64_t desc, uint64_t target, uint64_t index);

struct htab_entry {
	uint64_t native;
	uint64_t cache;
};

struct htab_entry *jitrun_htab, *jitrun_htab_end;
uint64_t jitrun_cache_lo, jitrun_cache_hi;
uint64_t jitrun_htab_mask;
__thread uint64_t jitrun_ibl_slot __attribute__((tls_model("local-exec")));
extern const int64_t jitrun_ibl_slot_tpoff;
/* direct-mapped tables the indirect sites probe (jit_host.ibl_keys) */
uint64_t jitrun_ibl_keys[JIT_IBL_DIRECT], jitrun_ibl_dests[JIT_IBL_DIRECT];
uint64_t jitrun_ibl_lookups;	/* shared lookups (entry.S) */

/* tables of jump-table sites (jit_host.jump_table): below 2 GiB */
#define JT_TABLES	1024
static uint64_t jt_pool[JT_TABLES][JIT_JT_ENTRIES];
static uint32_t jt_used;

static uint8_t *cache, *cache_free;
static struct jitrun_block *blocks;
static uint32_t nr_blocks;
static struct jit_pcmap *map_pool;
static uint32_t map_used;
static struct jitrun_stats stats;
static enum jitrun_instr instr_mode;
static struct jit_translator *xlator;
static struct jit_host host;
static struct jit_instr_ops ops;

/* Instrumentation data, static so that its addresses fit in 32 bits */
static uint64_t bb_counts[MAX_BLOCKS];
static uint64_t add_insns, add_weighted;
static uint64_t add_base;	/* ADD_GS*: the %gs base, at bb_counts */
static uint64_t cc_counts[MAX_BLOCKS];
static uint8_t cover_bytes[MAX_BLOCKS];
static uint64_t calls_seen, rets_seen;
static uint64_t call_target_sum, call_target_sum_sq;
#define CALL_TARGETS	4096
static uint64_t call_target[CALL_TARGETS], call_target_hits[CALL_TARGETS];

bool jitrun_in_text(uint64_t pc)
{
	return pc >= (uint64_t)__executable_start && pc < (uint64_t)etext;
}

static unsigned int host_read_code(void *priv, uint64_t pc, uint8_t *buf,
				   unsigned int len)
{
	(void)priv;
	return jit_test_read_range(__executable_start,
				   (uint64_t)__executable_start,
				   (uint64_t)etext, pc, buf, len);
}

static bool host_untranslatable(void *priv, uint64_t pc)
{
	(void)priv;
	return !jitrun_in_text(pc);
}

static inline uint64_t htab_slot(uint64_t pc)
{
	return ((pc >> 4) ^ pc) & jitrun_htab_mask;
}

static uint64_t htab_find(uint64_t pc)
{
	uint64_t i = htab_slot(pc);

	for (;; i = (i + 1) & jitrun_htab_mask) {
		if (jitrun_htab[i].native == pc)
			return jitrun_htab[i].cache;
		if (!jitrun_htab[i].native)
			return 0;
	}
}

static void htab_insert(uint64_t pc, uint64_t cache_pc)
{
	uint64_t i = htab_slot(pc);

	while (jitrun_htab[i].native)
		i = (i + 1) & jitrun_htab_mask;
	jitrun_htab[i].cache = cache_pc;
	/* the asm lookup reads native first: publish it last */
	__atomic_store_n(&jitrun_htab[i].native, pc, __ATOMIC_RELEASE);
}

static uint64_t host_lookup(void *priv, uint64_t pc)
{
	(void)priv;
	return htab_find(pc);
}

static uint64_t host_jump_table(void *priv, uint64_t pc, uint64_t fill)
{
	uint64_t *tab;
	unsigned int i;

	(void)priv;
	(void)pc;
	if (jt_used == JT_TABLES)
		return 0;	/* the site takes the ordinary indirect path */
	tab = jt_pool[jt_used++];
	for (i = 0; i < JIT_JT_ENTRIES; i++)
		tab[i] = fill;
	stats.jt_sites++;
	return (uint64_t)tab;
}

/*
 * Clean-call targets: built with -mgeneral-regs-only (see translate.am) as
 * jit_insert_clean_call() requires, since the vector state is not saved.
 */
void jitrun_on_block(uint64_t pc, uint64_t id);
void jitrun_on_call(uint64_t pc, uint64_t target);
void jitrun_on_ret(uint64_t pc, uint64_t target);

void jitrun_on_block(uint64_t pc, uint64_t id)
{
	(void)pc;
	cc_counts[id]++;
}

void jitrun_on_call(uint64_t pc, uint64_t target)
{
	unsigned int i = (target >> 4) % CALL_TARGETS;

	(void)pc;
	calls_seen++;
	call_target_sum += target;
	call_target_sum_sq += target * target;
	while (call_target[i] && call_target[i] != target)
		i = (i + 1) % CALL_TARGETS;
	call_target[i] = target;
	call_target_hits[i]++;
}

void jitrun_on_ret(uint64_t pc, uint64_t target)
{
	(void)pc;
	(void)target;
	rets_seen++;
}

static void die(const char *what, uint64_t pc, int err);

/*
 * JITRUN_EVENTS: the %gs area the inline records address (as the kernel's
 * per-CPU data), the ring, the log the refill drains it into and the
 * site table.
 */
struct ev_gs_area {
	struct jit_event_cpu cpu;
	int32_t preempt;
};

static struct ev_gs_area ev_gs __attribute__((aligned(64)));
/* events.S addresses the count as %gs:16 */
_Static_assert(offsetof(struct ev_gs_area, preempt) == 16, "ev_gs layout");
static struct jit_event_host ev_host;
static uint8_t *ev_ring, *ev_log;
static uint64_t ev_ring_bytes = 1 << 20, ev_log_bytes = 256ULL << 20;
static int32_t ev_preempt0 = (int32_t)0x80000000U;
static struct jitrun_events_stats ev_stats;
#define MAX_SITES	(1U << 20)
static struct jitrun_site *ev_sites;
static uint32_t ev_nr_sites;

/* events.S */
void jitrun_ev_refill(void);
void jitrun_ev_resched(void);
uint64_t jitrun_ev_refill_c(uint32_t size);
uint64_t jitrun_ev_resched_calls;

void jitrun_events_setup(uint64_t ring_bytes, uint64_t log_bytes,
			 int32_t preempt)
{
	ev_ring_bytes = ring_bytes;
	ev_log_bytes = log_bytes;
	ev_preempt0 = preempt;
}

/* memcpy without the vector registers (called from cache code) */
static void copy_gpr(void *dst, const void *src, uint64_t n)
{
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void ev_drain(void)
{
	uint64_t used = ev_gs.cpu.pos - (uint64_t)ev_ring;

	if (ev_log && used) {
		if (ev_stats.log_bytes + used > ev_log_bytes) {
			ev_stats.lost += used / JIT_EVENT_SIZE;	/* at least */
		} else {
			copy_gpr(ev_log + ev_stats.log_bytes, ev_ring, used);
			ev_stats.log_bytes += used;
		}
	}
	ev_gs.cpu.pos = (uint64_t)ev_ring;
	ev_gs.cpu.end = (uint64_t)ev_ring + ev_ring_bytes;
}

/* The slow path of a record: the ring chunk is full */
uint64_t jitrun_ev_refill_c(uint32_t size)
{
	ev_stats.refills++;
	ev_drain();
	if (size > ev_ring_bytes) {
		ev_stats.lost++;
		return 0;
	}
	/* reserved for the caller, as jit_event_host.refill says */
	ev_gs.cpu.pos += size;
	return ev_gs.cpu.pos - size;
}

/*
 * A writer in an interrupt (test-events: a SIGTRAP at every instruction
 * of the cache): it runs alone on its CPU, so a plain load and advance
 * of the position reserve, as a C writer in a softirq does.
 */
bool jitrun_events_interrupt(uint32_t word0)
{
	uint64_t pos = ev_gs.cpu.pos, zero = 0;

	if (!pos || pos + JIT_EVENT_SIZE > ev_gs.cpu.end)
		return false;
	ev_gs.cpu.pos = pos + JIT_EVENT_SIZE;
	memcpy((void *)pos, &word0, 4);
	memcpy((void *)(pos + 4), &zero, 4);
	memcpy((void *)(pos + 8), &zero, 8);
	return true;
}

const uint8_t *jitrun_events(uint64_t *len)
{
	ev_drain();
	*len = ev_stats.log_bytes;
	return ev_log;
}

const struct jitrun_site *jitrun_sites(uint32_t *nr)
{
	*nr = ev_nr_sites;
	return ev_sites;
}

struct jitrun_events_stats jitrun_events_stats(void)
{
	ev_stats.resched = jitrun_ev_resched_calls;
	ev_stats.preempt = ev_gs.preempt;
	return ev_stats;
}

void jitrun_call_target_sums(uint64_t *sum, uint64_t *sum_sq)
{
	*sum = call_target_sum;
	*sum_sq = call_target_sum_sq;
}

#define EV_RING_MAP	(1ULL << 20)

static uint64_t ev_ring_map(void)
{
	return ev_ring_bytes > EV_RING_MAP ? ev_ring_bytes : EV_RING_MAP;
}

static void *map_anon(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int events_init(void)
{
	/*
	 * Mapped, not malloc'ed, and at least EV_RING_MAP whatever the ring
	 * size: libc's heap and mappings stay the same in every run.
	 */
	ev_ring = map_anon(ev_ring_map());
	ev_log = ev_log_bytes ? map_anon(ev_log_bytes) : NULL;
	ev_sites = map_anon(MAX_SITES * sizeof(*ev_sites));
	if (!ev_ring || (ev_log_bytes && !ev_log) || !ev_sites)
		return -ENOMEM;
	memset(&ev_stats, 0, sizeof(ev_stats));
	jitrun_ev_resched_calls = 0;
	ev_nr_sites = 0;
	ev_gs.preempt = ev_preempt0;
	ev_gs.cpu.pos = (uint64_t)ev_ring;
	ev_gs.cpu.end = (uint64_t)ev_ring + ev_ring_bytes;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (uint64_t)&ev_gs))
		return -errno;
	memset(&ev_host, 0, sizeof(ev_host));
	ev_host.cpu = offsetof(struct ev_gs_area, cpu);
	ev_host.preempt = offsetof(struct ev_gs_area, preempt);
	ev_host.has_preempt = true;
	ev_host.resched = (uint64_t)jitrun_ev_resched;
	ev_host.refill = (uint64_t)jitrun_ev_refill;
	ev_host.no_clock = instr_mode == JITRUN_EVENTS_NOCLOCK;
	host.events = &ev_host;
	return 0;
}

static void events_fini(void)
{
	if (ev_ring)
		munmap(ev_ring, ev_ring_map());
	if (ev_log)
		munmap(ev_log, ev_log_bytes);
	if (ev_sites)
		munmap(ev_sites, MAX_SITES * sizeof(*ev_sites));
	ev_ring = NULL;
	ev_log = NULL;
	ev_sites = NULL;
}

static void instr_event(struct jit_translator *t, const struct jit_insn *insn,
			unsigned int kind)
{
	struct jitrun_site *s;
	uint32_t w0;

	if (ev_nr_sites == MAX_SITES)
		die("site table full", insn->pc, 0);
	s = &ev_sites[ev_nr_sites];
	s->pc = insn->pc;
	s->next = insn->pc + insn->len;
	s->kind = kind;
	s->target = kind == JITRUN_SITE_CALL ? insn->target : 0;
	w0 = JITRUN_EV_MARK | ev_nr_sites++;
	if (kind == JITRUN_SITE_CALL_IND)
		w0 |= JITRUN_EV_HAS_TARGET;
	jit_insert_event(t, w0, kind == JITRUN_SITE_CALL_IND ?
			 JIT_EVENT_TARGET : 0);
}

static void instr_call_event(void *priv, struct jit_translator *t,
			     const struct jit_insn *insn)
{
	(void)priv;
	instr_event(t, insn, insn->flow == JIT_FLOW_CALL ? JITRUN_SITE_CALL :
			     JITRUN_SITE_CALL_IND);
}

static void instr_ret_event(void *priv, struct jit_translator *t,
			    const struct jit_insn *insn)
{
	(void)priv;
	instr_event(t, insn, JITRUN_SITE_RET);
}

static void instr_block(void *priv, struct jit_translator *t,
			const struct jit_block *blk)
{
	struct jit_arg args[2] = {
		{ .kind = JIT_ARG_NATIVE_PC }, { .kind = JIT_ARG_BLOCK_ID },
	};

	(void)priv;
	switch (instr_mode) {
	case JITRUN_BBCOUNT:
		jit_insert_counter(t, (uint64_t)&bb_counts[blk->id]);
		break;
	case JITRUN_CLEANCALL:
		jit_insert_clean_call(t, (uint64_t)jitrun_on_block, 2, args);
		break;
	case JITRUN_COVER:
		jit_insert_store_byte(t, (uint64_t)&cover_bytes[blk->id]);
		break;
	case JITRUN_ADD:
	case JITRUN_ADD_GS:
	case JITRUN_ADD_GS_REG:
		jit_insert_counter_add(t, (uint64_t)&bb_counts[blk->id] - add_base,
				       1);
		jit_insert_counter_add(t, (uint64_t)&add_insns - add_base,
				       blk->nr_insns);
		jit_insert_counter_add(t, (uint64_t)&add_weighted - add_base,
				       JITRUN_ADD_BIG + blk->nr_insns);
		break;
	default:
		break;
	}
}

static void instr_call(void *priv, struct jit_translator *t,
		       const struct jit_insn *insn)
{
	struct jit_arg args[2] = {
		{ .kind = JIT_ARG_NATIVE_PC }, { .kind = JIT_ARG_TARGET },
	};

	(void)priv;
	(void)insn;
	jit_insert_clean_call(t, (uint64_t)jitrun_on_call, 2, args);
}

static void instr_ret(void *priv, struct jit_translator *t,
		      const struct jit_insn *insn)
{
	struct jit_arg args[2] = {
		{ .kind = JIT_ARG_NATIVE_PC }, { .kind = JIT_ARG_TARGET },
	};

	(void)priv;
	(void)insn;
	jit_insert_clean_call(t, (uint64_t)jitrun_on_ret, 2, args);
}

static void die(const char *what, uint64_t pc, int err)
{
	fprintf(stderr, "jitrun: %s at %#lx: error %d\n", what,
		(unsigned long)pc, err);
	abort();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Fall-through blocks laid out after a new block in one go, at most */
#define FT_CHAIN	16

/*
 * Translate the block at native @pc at cache_free; a @copy of a block
 * translated already (laid out as the fall-through of another) is not
 * entered in the hash table.
 * Return: its entry, 0 if it must run natively, or die.
 */
static uint64_t translate_one(uint64_t pc, enum jit_ft_mode ft, bool copy)
{
	struct jitrun_block *rb;
	uint64_t t0;
	int ret;

	if (nr_blocks == MAX_BLOCKS || map_used + JIT_BLOCK_MAX_INSNS > MAP_POOL ||
	    cache_free + BLOCK_ROOM > cache + CACHE_SIZE)
		die("code cache full", pc, 0);
	rb = &blocks[nr_blocks];
	host.fallthrough_next = ft;
	t0 = now_ns();
	ret = jit_translate_block(xlator, pc, nr_blocks, cache_free,
				  (uint64_t)cache_free, BLOCK_ROOM, &rb->b);
	stats.translate_ns += now_ns() - t0;
	if (ret == -JIT_E_NATIVE || ret == -JIT_E_DECODE)
		return 0;
	if (ret < 0)
		die("translation failed", pc, -ret);
	rb->map_first = map_used;
	memcpy(&map_pool[map_used], xlator->map,
	       rb->b.nr_insns * sizeof(*map_pool));
	map_used += rb->b.nr_insns;
	stats.blocks++;
	stats.copies += copy;
	stats.native_bytes += rb->b.native_len;
	stats.cache_bytes += ret;
	stats.stubs += rb->b.nr_exits - (rb->b.shared_cc != JIT_CC_NONE);
	cache_free += ret;
	nr_blocks++;
	if (!copy)
		htab_insert(pc, rb->b.cache_start + rb->b.entry_off);
	return rb->b.cache_start + rb->b.entry_off;
}

/* The block @prev runs off its end: continue at @dest with a jmp */
static void jmp_after(struct jitrun_block *prev, uint64_t dest)
{
	uint64_t c = (uint64_t)cache_free;
	int32_t rel = (int32_t)(dest - (c + 5));

	if (!jit_fits_s32((int64_t)(dest - (c + 5))))
		die("fall-through out of reach", dest, 0);
	*cache_free = 0xe9;
	memcpy(cache_free + 1, &rel, 4);
	cache_free += 5;
	prev->b.cache_len += 5;		/* the jmp belongs to the block */
	stats.cache_bytes += 5;
}

/**
 * jitrun_translate() - cache address of native @pc, translating on a miss
 * @pc:	native address
 *
 * A new block's fall-through block is laid out right after it
 * (enum jit_ft_mode), and so on up to FT_CHAIN blocks: the not-taken path
 * of a jcc and the return from a call then need no jmp.  A fall-through
 * block translated already is copied (a loop body's exit path, the
 * return from a call inside a loop), and the chain goes on after the
 * copy as after a new block: a loop whose body calls functions (setjmp's
 * loop) then runs straight through copies rather than jumping back to
 * the first translation at every return.
 *
 * Return: the cache address, or @pc itself when it runs natively (outside
 * the program text, undecodable, or an instruction such as ud2 that must
 * fault at its own address).
 */
uint64_t jitrun_translate(uint64_t pc)
{
	struct jitrun_block *prev;
	uint64_t c, next, first;
	unsigned int i;

	if (!jitrun_in_text(pc))
		return pc;
	c = htab_find(pc);
	if (c)
		return c;
	first = translate_one(pc, JIT_FT_HEAD, false);
	if (!first)
		return pc;
	for (i = 1; blocks[nr_blocks - 1].b.ft_next; i++) {
		prev = &blocks[nr_blocks - 1];
		next = prev->b.native_start + prev->b.native_len;
		c = htab_find(next);
		if (translate_one(next, i + 1 < FT_CHAIN ? JIT_FT_CHAINED :
				  JIT_FT_EXIT, c)) {
			stats.laid_out++;
			continue;
		}
		/* it runs natively or could not be copied: jmp there */
		jmp_after(prev, c ? c : next);
		break;
	}
	return first;
}

/* Block containing a cache address: blocks are laid out in id order */
static struct jitrun_block *block_of(uint64_t cache_pc)
{
	uint32_t lo = 0, hi = nr_blocks;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		struct jitrun_block *b = &blocks[mid];

		if (cache_pc < b->b.cache_start)
			hi = mid;
		else if (cache_pc >= b->b.cache_start + b->b.cache_len)
			lo = mid + 1;
		else
			return b;
	}
	return NULL;
}

uint64_t jitrun_dispatch_exit(uint64_t stub_ret, uint64_t eflags)
{
	struct jitrun_block *b = block_of(stub_ret - 1);
	const struct jit_exit *x;
	uint64_t dest;

	if (!b)
		die("exit from outside the cache", stub_ret, 0);
	x = jit_block_find_exit(&b->b, stub_ret, eflags);
	if (!x)
		die("unknown exit stub", stub_ret, 0);
	dest = jitrun_translate(x->target);
	if (!jit_exit_link(&b->b, (uint8_t *)b->b.cache_start, x, dest))
		die("exit out of reach", x->target, 0);
	stats.links++;
	return dest;
}

uint64_t jitrun_dispatch_ind(uint64_t target)
{
	stats.ind_misses++;
	/* cache addresses come back through longjmp and saved returns */
	if (target >= (uint64_t)cache && target < (uint64_t)cache + CACHE_SIZE)
		return target;
	return jitrun_translate(target);
}

/* First miss of an inline-cache site: resolve, then arm the site */
uint64_t jitrun_dispatch_ic(uint64_t stub_ret, uint64_t target)
{
	uint64_t dest = jitrun_dispatch_ind(target);

	if (jit_ic_link(&host, (uint8_t *)stub_ret, stub_ret, target, dest))
		stats.ic_armed++;
	return dest;
}

/* First use of an index of a jump-table site: make its entry's code */
uint64_t jitrun_dispatch_jt(uint64_t desc, uint64_t target, uint64_t index)
{
	uint64_t dest = jitrun_dispatch_ind(target), slot;
	int len;

	if (cache_free + JIT_JT_ENTRY_MAX > cache + CACHE_SIZE)
		die("code cache full", target, 0);
	len = jit_jt_link(&host, desc, index, target, dest, cache_free,
			  (uint64_t)cache_free, JIT_JT_ENTRY_MAX, &slot);
	if (len < 0)
		die("jump table entry", target, -len);
	__atomic_store_n((uint64_t *)slot, (uint64_t)cache_free,
			 __ATOMIC_RELEASE);
	cache_free += len;
	stats.jt_entries++;
	return dest;
}

int jitrun_init(enum jitrun_instr mode)
{
	static struct jit_translator xl;
	size_t htab_bytes = sizeof(struct htab_entry) << HTAB_ORDER;

	cache = mmap((void *)CACHE_ADDR, CACHE_SIZE,
		     PROT_READ | PROT_WRITE | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
		     MAP_NORESERVE, -1, 0);
	if (cache == MAP_FAILED)
		return -errno;
	jitrun_htab = calloc(1, htab_bytes);
	blocks = calloc(MAX_BLOCKS, sizeof(*blocks));
	map_pool = calloc(MAP_POOL, sizeof(*map_pool));
	if (!jitrun_htab || !blocks || !map_pool) {
		jitrun_fini();
		return -ENOMEM;
	}
	jitrun_htab_mask = (1UL << HTAB_ORDER) - 1;
	jitrun_htab_end = jitrun_htab + (1UL << HTAB_ORDER);
	cache_free = cache;
	jitrun_cache_lo = (uint64_t)cache;
	jitrun_cache_hi = (uint64_t)cache + CACHE_SIZE;
	nr_blocks = 0;
	map_used = 0;
	memset(&stats, 0, sizeof(stats));
	jitrun_ibl_lookups = 0;
	instr_mode = mode;

	memset(&host, 0, sizeof(host));
	host.read_code = host_read_code;
	host.untranslatable = host_untranslatable;
	host.lookup = host_lookup;
	host.exit_entry = (uint64_t)jitrun_exit_entry;
	host.exit_call_entry = (uint64_t)jitrun_exit_call_entry;
	host.ibl_jmp_entry = (uint64_t)jitrun_ibl_jmp;
	host.ibl_call_entry = (uint64_t)jitrun_ibl_call;
	host.red_zone = 128;
	host.counter_mode = JIT_COUNTER_ABS;
	add_base = 0;
	if (mode == JITRUN_ADD_GS || mode == JITRUN_ADD_GS_REG) {
		/* offsets from a %gs base of our own, as per-CPU data has */
		add_base = (uint64_t)bb_counts;
		if (syscall(SYS_arch_prctl, ARCH_SET_GS, add_base))
			return -errno;
		host.counter_mode = mode == JITRUN_ADD_GS ? JIT_COUNTER_GS :
				    JIT_COUNTER_GS_REG;
	}
	memset(jitrun_ibl_keys, 0, sizeof(jitrun_ibl_keys));
	memset(jitrun_ibl_dests, 0, sizeof(jitrun_ibl_dests));
	host.ibl_keys = (uint64_t)jitrun_ibl_keys;
	host.ibl_dests = (uint64_t)jitrun_ibl_dests;
	host.ibl_slot = (int32_t)jitrun_ibl_slot_tpoff;
	jt_used = 0;
	host.jump_table = host_jump_table;
	host.jt_fill_entry = (uint64_t)jitrun_jt_fill;

	memset(&ops, 0, sizeof(ops));
	ops.block = instr_block;
	if (mode == JITRUN_CLEANCALL) {
		ops.call = instr_call;
		ops.ret = instr_ret;
	}
	if (mode == JITRUN_EVENTS || mode == JITRUN_EVENTS_NOCLOCK) {
		int err = events_init();

		if (err)
			return err;
		ops.call = instr_call_event;
		ops.ret = instr_ret_event;
	}
	jit_ic.jmp_miss = (uint64_t)jitrun_ic_jmp_miss;
	jit_ic.call_miss = (uint64_t)jitrun_ic_call_miss;
	xlator = &xl;
	jit_translator_init(xlator, &host, mode == JITRUN_NONE ? NULL : &ops);
	jitrun_counts_reset();
	return 0;
}

void jitrun_fini(void)
{
	if (cache && cache != MAP_FAILED)
		munmap(cache, CACHE_SIZE);
	cache = NULL;
	jit_ic.jmp_miss = 0;
	jit_ic.call_miss = 0;
	free(jitrun_htab);
	free(blocks);
	free(map_pool);
	events_fini();
	jitrun_htab = NULL;
	blocks = NULL;
	map_pool = NULL;
}

long jitrun_call(void *fn, long a0, long a1, long a2, long a3)
{
	long (*entry)(long, long, long, long);

	/* the callee's final ret is native: it comes straight back here */
	entry = (long (*)(long, long, long, long))jitrun_translate((uint64_t)fn);
	return entry(a0, a1, a2, a3);
}

const struct jitrun_stats *jitrun_stats(void)
{
	stats.ibl_lookups = jitrun_ibl_lookups;
	if (xlator) {
		stats.ctr_free = xlator->ctr_free;
		stats.ctr_saved = xlator->ctr_saved;
	}
	return &stats;
}

uint32_t jitrun_nr_blocks(void)
{
	return nr_blocks;
}

const struct jitrun_block *jitrun_block(uint32_t id)
{
	return id < nr_blocks ? &blocks[id] : NULL;
}

const struct jit_pcmap *jitrun_block_map(const struct jitrun_block *b)
{
	return &map_pool[b->map_first];
}

uint64_t jitrun_block_count(uint32_t id)
{
	return bb_counts[id];
}

uint64_t jitrun_cleancall_count(uint32_t id)
{
	return cc_counts[id];
}

bool jitrun_covered(uint32_t id)
{
	return cover_bytes[id];
}

uint64_t jitrun_calls_seen(void)
{
	return calls_seen;
}

uint64_t jitrun_rets_seen(void)
{
	return rets_seen;
}

uint64_t jitrun_call_target_hits(uint64_t target)
{
	unsigned int i = (target >> 4) % CALL_TARGETS;

	while (call_target[i]) {
		if (call_target[i] == target)
			return call_target_hits[i];
		i = (i + 1) % CALL_TARGETS;
	}
	return 0;
}

void jitrun_add_totals(uint64_t *insns, uint64_t *weighted)
{
	*insns = add_insns;
	*weighted = add_weighted;
}

void jitrun_counts_reset(void)
{
	add_insns = 0;
	add_weighted = 0;
	memset(bb_counts, 0, sizeof(bb_counts));
	memset(cc_counts, 0, sizeof(cc_counts));
	memset(cover_bytes, 0, sizeof(cover_bytes));
	memset(call_target, 0, sizeof(call_target));
	memset(call_target_hits, 0, sizeof(call_target_hits));
	calls_seen = 0;
	rets_seen = 0;
	call_target_sum = 0;
	call_target_sum_sq = 0;
}

uint64_t jitrun_cache_to_native(uint64_t cache_pc)
{
	struct jitrun_block *b = block_of(cache_pc);

	return b ? jit_block_cache_to_native(&b->b, jitrun_block_map(b),
					     cache_pc) : 0;
}
