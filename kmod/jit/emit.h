/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte emitter of the translator core: appends x86-64 machine code to a
 * caller-provided buffer.
 *
 * The buffer is written through @buf but executes at @base: the kernel writes
 * its code cache through a writable alias of the executable mapping, so the
 * two addresses differ.  Every relative displacement is computed against
 * @base.  An emitter never writes past @cap; once it would, it sets
 * @overflow and drops further bytes, so callers check once at the end.
 */
#ifndef JIFL_JIT_EMIT_H
#define JIFL_JIT_EMIT_H

#include "jit_types.h"

/**
 * struct jit_emitter - output cursor into a code buffer
 * @buf:	where the bytes are stored
 * @base:	address at which @buf[0] will execute
 * @len:	bytes emitted so far
 * @cap:	size of @buf
 * @overflow:	set when an emit did not fit; the output is then unusable
 */
struct jit_emitter {
	u8 *buf;
	u64 base;
	u32 len;
	u32 cap;
	bool overflow;
};

/* x86-64 register numbers as they appear in ModRM/REX */
enum jit_reg {
	JIT_RAX, JIT_RCX, JIT_RDX, JIT_RBX, JIT_RSP, JIT_RBP, JIT_RSI, JIT_RDI,
	JIT_R8, JIT_R9, JIT_R10, JIT_R11, JIT_R12, JIT_R13, JIT_R14, JIT_R15,
};

static inline u64 jit_emit_pc(const struct jit_emitter *e)
{
	return e->base + e->len;
}

static inline bool jit_fits_s32(s64 v)
{
	return v == (s64)(s32)v;
}

static inline bool jit_fits_s8(s64 v)
{
	return v == (s64)(s8)v;
}

void jit_emit_init(struct jit_emitter *e, u8 *buf, u64 base, u32 cap);
void jit_emit_bytes(struct jit_emitter *e, const void *p, u32 n);
void jit_emit_u8(struct jit_emitter *e, u8 v);
void jit_emit_u32(struct jit_emitter *e, u32 v);
void jit_emit_u64(struct jit_emitter *e, u64 v);
void jit_emit_nops(struct jit_emitter *e, u32 n);
void jit_emit_align_field(struct jit_emitter *e, u32 lead);
bool jit_emit_patch_rel32(struct jit_emitter *e, u32 field_off, u64 target);
bool jit_emit_rel32_branch(struct jit_emitter *e, const u8 *op, u32 oplen,
			   u64 target, u32 *field_off);
void jit_emit_push_reg(struct jit_emitter *e, unsigned int reg);
void jit_emit_pop_reg(struct jit_emitter *e, unsigned int reg);
void jit_emit_lea_rsp(struct jit_emitter *e, s32 delta);
void jit_emit_mov_imm(struct jit_emitter *e, unsigned int reg, u64 imm);
void jit_emit_mov_reg(struct jit_emitter *e, unsigned int dst,
		      unsigned int src);
void jit_emit_load_rsp(struct jit_emitter *e, unsigned int reg, s32 disp);
bool jit_emit_push_imm(struct jit_emitter *e, u64 imm);
void jit_emit_endbr64(struct jit_emitter *e);

struct jit_host;

/**
 * struct jit_ic_config - inline caches for indirect jmp/call
 * @jmp_miss:	entry the first miss of an indirect jmp site calls: stack
 *		[red zone gap][native target][stub return address]
 * @call_miss:	likewise for an indirect call: [native target][cache
 *		continuation][stub return address]
 *
 * Both 0 (the default): no inline caches, the sequences of README
 * "Indirect branches".  Set, every indirect jmp/call site first compares
 * its target with one cached native target, flag-free, and branches
 * straight to its block on a hit; the entries resolve a miss and call
 * jit_ic_link() with the stub return address.  A global rather than a
 * struct jit_host field: one translator per program, and the kernel sets
 * it at load like the userspace harness does.
 */
struct jit_ic_config {
	u64 jmp_miss;
	u64 call_miss;
};

extern struct jit_ic_config jit_ic;

/**
 * jit_ic_link() - arm the inline cache of a site after its first miss
 * @h:		the host (its ibl_*_entry take over the site's misses)
 * @wr:		writable address of the byte at @stub_ret
 * @stub_ret:	the return address the site's miss stub pushed
 * @target:	native target that missed
 * @dest:	where it goes (cache or native address)
 *
 * Caches @target once per site (never re-patched: a CPU between the
 * compare and the branch would otherwise take a stale target) and points
 * the site's miss path at the host's generic lookup.
 *
 * Return: true if the site now caches @target.
 */
bool jit_ic_link(const struct jit_host *h, u8 *wr, u64 stub_ret, u64 target,
		 u64 dest);

#endif /* JIFL_JIT_EMIT_H */
