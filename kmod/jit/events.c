// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: inline event records (jit_insert_event(), README
 * "Inline events"): the record write a call or return event is, emitted
 * in the translated code itself instead of a clean call.
 *
 * Fast path, with %rax, %rcx, %rdx (and the flags, when live) saved:
 *
 *	incl	%gs:preempt			(host with a preempt count)
 * 1:	mov	%gs:cpu.pos, %rax
 *	lea	SIZE(%rax), %rdx
 *	cmp	%gs:cpu.end, %rdx
 *	jbe	2f
 *	mov	$SIZE, %edx			(slow path: a new chunk)
 *	call	refill				(reserves: %rcx, 0 if lost)
 *	jrcxz	4f
 *	jmp	3f
 * 2:	cmpxchg	%rdx, %gs:cpu.pos		(no lock: this CPU only)
 *	jne	1b				(an interrupt took it first)
 *	mov	%rax, %rcx
 * 3:	rdtsc
 *	mov	%eax, 8(%rcx); mov %edx, 12(%rcx)
 *	movl	$word0, (%rcx)
 *	lea	SP(%rsp), %rax; mov %eax, 4(%rcx)
 *	[mov	T(%rsp), %rax; mov %rax, 16(%rcx)]	(the branch target)
 * 4:	decl	%gs:preempt
 *	jnz	5f
 *	call	resched
 * 5:
 *
 * The reservation is one instruction, the cmpxchg: an interrupt that
 * writes records on this CPU between the load of the position and its
 * advance (a softirq in cache code, a C writer) makes the cmpxchg fail
 * and the record take the next free space, never the interrupt's. The
 * preempt count keeps other tasks out until the record is written; the
 * host publishes records only from task context (README "Inline
 * events"), so a reservation an interrupt sees is written before anyone
 * reads it.
  */
#include "translate_priv.h"

/* "%gs: [REX.W] op /reg disp32" (absolute, SIB without base or index) */
static void emit_gs_abs(struct jit_emitter *e, bool rex_w, u8 op,
			unsigned int reg, s32 disp)
{
	jit_emit_u8(e, 0x65);
	if (rex_w)
		jit_emit_u8(e, 0x48);
	jit_emit_u8(e, op);
	jit_emit_u8(e, 0x04 | ((reg & 7) << 3));
	jit_emit_u8(e, 0x25);
	jit_emit_u32(e, (u32)disp);
}

/* "op reg, disp8(%rcx)" (32-bit, or 64-bit with @rex_w) */
static void emit_rcx_disp8(struct jit_emitter *e, bool rex_w, u8 op,
			   unsigned int reg, u8 disp)
{
	if (rex_w)
		jit_emit_u8(e, 0x48);
	jit_emit_u8(e, op);
	jit_emit_u8(e, 0x41 | ((reg & 7) << 3));
	jit_emit_u8(e, disp);
}

/* "lea / mov disp32(%rsp), %rax" */
static void emit_rax_rsp(struct jit_emitter *e, u8 op, s32 disp)
{
	jit_emit_u8(e, 0x48);
	jit_emit_u8(e, op);
	jit_emit_u8(e, 0x84);
	jit_emit_u8(e, 0x24);
	jit_emit_u32(e, (u32)disp);
}

/* call @fn, through %rax (saved here) when out of rel32 reach */
static void emit_call(struct jit_emitter *e, u64 fn)
{
	static const u8 call_rax[2] = { 0xff, 0xd0 };

	if (jit_emit_rel32_branch(e, op_call, 1, fn, NULL))
		return;
	jit_emit_mov_imm(e, JIT_RAX, fn);
	jit_emit_bytes(e, call_rax, 2);
}

int jit_insert_event(struct jit_translator *t, u32 word0, unsigned int flags)
{
	static const u8 lahf_seto[4] = { 0x9f, 0x0f, 0x90, 0xc0 };
	static const u8 add_sahf[3] = { 0x04, 0x7f, 0x9e };
	static const u8 rdtsc[2] = { 0x0f, 0x31 };
	static const u8 zero_eax_edx[4] = { 0x31, 0xc0, 0x31, 0xd2 };
	static const u8 mov_rax_rcx[3] = { 0x48, 0x89, 0xc1 };
	const struct jit_event_host *ev = t->host->events;
	struct jit_emitter *e = &t->emit;
	bool target = flags & JIT_EVENT_TARGET;
	bool save_flags = jit_live_flags(t);
	u32 size = target ? JIT_EVENT_SIZE_TARGET : JIT_EVENT_SIZE;
	s32 rz = t->host->red_zone, pushed = 0, target_at = 0;
	u32 retry, to_fast, to_write, to_done, to_out;
	s64 back;

	if (!ev || !ev->refill || (flags & ~JIT_EVENT_TARGET)) {
		set_error(t, JIT_E_INVAL);
		return -JIT_E_INVAL;
	}
	jit_emit_lea_rsp(e, -rz);
	jit_emit_push_reg(e, JIT_RAX);
	jit_emit_push_reg(e, JIT_RCX);
	jit_emit_push_reg(e, JIT_RDX);
	pushed = 24;
	if (target) {
		/* operands still see the original registers here */
		jit_emit_target_arg(t, JIT_RAX, pushed + rz);
		jit_emit_push_reg(e, JIT_RAX);
		pushed += 8;
		target_at = 0;
	}
	if (save_flags) {
		jit_emit_bytes(e, lahf_seto, sizeof(lahf_seto));
		jit_emit_push_reg(e, JIT_RAX);
		pushed += 8;
		target_at += 8;
	}
	if (ev->has_preempt)
		emit_gs_abs(e, false, 0xff, 0, ev->preempt);	/* incl */
	retry = e->len;
	emit_gs_abs(e, true, 0x8b, JIT_RAX, ev->cpu);		/* mov pos */
	jit_emit_u8(e, 0x48);					/* lea */
	jit_emit_u8(e, 0x8d);
	jit_emit_u8(e, 0x50);
	jit_emit_u8(e, (u8)size);
	emit_gs_abs(e, true, 0x3b, JIT_RDX, ev->cpu + 8);	/* cmp end */
	jit_emit_u8(e, 0x76);					/* jbe */
	to_fast = e->len;
	jit_emit_u8(e, 0);
	jit_emit_u8(e, 0xba);					/* mov $size */
	jit_emit_u32(e, size);
	emit_call(e, ev->refill);
	jit_emit_u8(e, 0xe3);					/* jrcxz */
	to_done = e->len;
	jit_emit_u8(e, 0);
	jit_emit_u8(e, 0xeb);					/* jmp */
	to_write = e->len;
	jit_emit_u8(e, 0);
	jit_patch_rel8_here(t, to_fast);
	jit_emit_u8(e, 0x65);					/* cmpxchg */
	jit_emit_u8(e, 0x48);
	jit_emit_u8(e, 0x0f);
	jit_emit_u8(e, 0xb1);
	jit_emit_u8(e, 0x04 | (JIT_RDX << 3));
	jit_emit_u8(e, 0x25);
	jit_emit_u32(e, (u32)ev->cpu);
	back = (s64)retry - (e->len + 2);			/* jne 1b */
	if (!jit_fits_s8(back))
		set_error(t, JIT_E_INVAL);
	jit_emit_u8(e, 0x75);
	jit_emit_u8(e, (u8)back);
	jit_emit_bytes(e, mov_rax_rcx, sizeof(mov_rax_rcx));
	jit_patch_rel8_here(t, to_write);
	if (ev->no_clock)
		jit_emit_bytes(e, zero_eax_edx, sizeof(zero_eax_edx));
	else
		jit_emit_bytes(e, rdtsc, sizeof(rdtsc));
	emit_rcx_disp8(e, false, 0x89, JIT_RAX, 8);
	emit_rcx_disp8(e, false, 0x89, JIT_RDX, 12);
	jit_emit_u8(e, 0xc7);					/* movl $w0 */
	jit_emit_u8(e, 0x01);
	jit_emit_u32(e, word0);
	emit_rax_rsp(e, 0x8d, pushed + rz);			/* the sp */
	emit_rcx_disp8(e, false, 0x89, JIT_RAX, 4);
	if (target) {
		emit_rax_rsp(e, 0x8b, target_at);
		emit_rcx_disp8(e, true, 0x89, JIT_RAX, 16);
	}
	jit_patch_rel8_here(t, to_done);
	if (ev->has_preempt) {
		emit_gs_abs(e, false, 0xff, 1, ev->preempt);	/* decl */
		if (ev->resched) {
			jit_emit_u8(e, 0x75);			/* jnz */
			to_out = e->len;
			jit_emit_u8(e, 0);
			emit_call(e, ev->resched);
			jit_patch_rel8_here(t, to_out);
		}
	}
	if (save_flags) {
		jit_emit_pop_reg(e, JIT_RAX);
		jit_emit_bytes(e, add_sahf, sizeof(add_sahf));
	}
	if (target)
		jit_emit_pop_reg(e, JIT_RAX);			/* dropped */
	jit_emit_pop_reg(e, JIT_RDX);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_pop_reg(e, JIT_RAX);
	jit_emit_lea_rsp(e, rz);
	return t->error ? -t->error : 0;
}
