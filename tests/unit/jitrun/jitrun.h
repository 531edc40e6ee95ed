/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jitrun: a small userspace DBI runtime around the translator core.  It
 * runs a function of this (static, non-PIE) program and everything it calls,
 * libc included, from a code cache, with the same instrumentation interface
 * the kernel module uses.  See kmod/jit/README, "Userspace harness".
 */
#ifndef JIFL_JITRUN_H
#define JIFL_JITRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "jit/translate.h"

enum jitrun_instr {
	JITRUN_NONE,		/* plain translation */
	JITRUN_BBCOUNT,		/* inline incq per block */
	JITRUN_CLEANCALL,	/* clean call per block, call and return */
	JITRUN_COVER,		/* movb $1 per block */
	/*
	 * jit_insert_counter_add() per block: 1 to the block's counter, its
	 * instruction count and JITRUN_ADD_BIG plus that (imm32) to two
	 * totals; absolute, %gs:disp32 and %gs:(%rax) addressing
	 */
	JITRUN_ADD,
	JITRUN_ADD_GS,
	JITRUN_ADD_GS_REG,
	/*
	 * jit_insert_event() at every call and return, with a site table
	 * (jitrun_sites()), into a ring at a %gs base of its own
	 * (jitrun_events_setup()); NOCLOCK writes 0 for the time stamp
	 */
	JITRUN_EVENTS,
	JITRUN_EVENTS_NOCLOCK,
};

#define JITRUN_ADD_BIG	0x12345

/* JITRUN_EVENTS: a call or return site, by the id its records carry */
struct jitrun_site {
	uint64_t pc;		/* native address of the call or return */
	uint64_t next;		/* native address after it */
	uint64_t target;	/* direct call: the callee; else 0 */
	uint8_t kind;		/* JITRUN_SITE_* */
};

#define JITRUN_SITE_CALL	1	/* direct call */
#define JITRUN_SITE_CALL_IND	2	/* indirect: the record has the target */
#define JITRUN_SITE_RET		3

/* The first word of an event record (jit_insert_event() @word0) */
#define JITRUN_EV_MARK		0x80000000U
#define JITRUN_EV_HAS_TARGET	0x40000000U
#define JITRUN_EV_SITE(w)	((w) & 0x3fffffffU)

struct jitrun_events_stats {
	uint64_t refills;	/* refill calls (ring chunk full) */
	uint64_t lost;		/* records dropped: the log was full */
	uint64_t resched;	/* resched calls (preempt count dropped to 0) */
	uint64_t log_bytes;	/* bytes of records drained into the log */
	int32_t preempt;	/* the preempt count now */
};

struct jitrun_stats {
	uint64_t blocks;	/* translated blocks */
	uint64_t laid_out;	/* of which laid out as a fall-through */
	uint64_t copies;	/* of which copies of translated blocks */
	uint64_t native_bytes;	/* native bytes they cover */
	uint64_t cache_bytes;	/* cache bytes they use, stubs included */
	uint64_t stubs;		/* exit stubs emitted */
	uint64_t links;		/* exits chained by the dispatcher */
	uint64_t ind_misses;	/* indirect lookups that reached C */
	uint64_t ic_armed;	/* inline-cache sites armed */
	uint64_t ibl_lookups;	/* indirect branches through the shared lookup */
	uint64_t jt_sites;	/* jump-table sites given a table */
	uint64_t jt_entries;	/* their entries made (first use of an index) */
	uint64_t translate_ns;	/* time spent in jit_translate_block() */
	uint64_t ctr_free;	/* GS_REG counters in a free register */
	uint64_t ctr_saved;	/* GS_REG counters saving %rax */
};

/* Per-block record kept by the runtime */
struct jitrun_block {
	struct jit_block b;
	uint32_t map_first;	/* index of its pc map in the map pool */
};

int jitrun_init(enum jitrun_instr mode);
void jitrun_fini(void);
long jitrun_call(void *fn, long a0, long a1, long a2, long a3);
uint64_t jitrun_translate(uint64_t pc);
const struct jitrun_stats *jitrun_stats(void);

/* Inspection for tests */
uint32_t jitrun_nr_blocks(void);
const struct jitrun_block *jitrun_block(uint32_t id);
const struct jit_pcmap *jitrun_block_map(const struct jitrun_block *b);
uint64_t jitrun_block_count(uint32_t id);	/* BBCOUNT: inline counter */
uint64_t jitrun_cleancall_count(uint32_t id);	/* CLEANCALL: block calls */
uint64_t jitrun_calls_seen(void);		/* CLEANCALL: call hooks run */
uint64_t jitrun_rets_seen(void);		/* CLEANCALL: ret hooks run */
uint64_t jitrun_call_target_hits(uint64_t target); /* calls going there */
bool jitrun_covered(uint32_t id);		/* COVER */
/* ADD*: the two totals the blocks added to */
void jitrun_add_totals(uint64_t *insns, uint64_t *weighted);
void jitrun_counts_reset(void);
uint64_t jitrun_cache_to_native(uint64_t cache_pc);
bool jitrun_in_text(uint64_t pc);

/*
 * JITRUN_EVENTS*, before jitrun_init(): a ring of @ring_bytes that the
 * refill drains into a log of @log_bytes (0: the refill just starts the
 * ring over, as a recorder at memory speed would), and the preempt count
 * the run starts with (0x80000000 on x86 is "preemptible, nothing
 * pending"; 0 makes the first record's decrement call resched).
 */
void jitrun_events_setup(uint64_t ring_bytes, uint64_t log_bytes,
			 int32_t preempt);
/* After the run: drains the ring; the records written, in order */
const uint8_t *jitrun_events(uint64_t *len);
/* JITRUN_EVENTS: a 16-byte record {word0, 0, 0} as an interrupt writes it */
bool jitrun_events_interrupt(uint32_t word0);
const struct jitrun_site *jitrun_sites(uint32_t *nr);
struct jitrun_events_stats jitrun_events_stats(void);
/* CLEANCALL: sums over the calls seen of the target and its square */
void jitrun_call_target_sums(uint64_t *sum, uint64_t *sum_sq);

#endif /* JIFL_JITRUN_H */
