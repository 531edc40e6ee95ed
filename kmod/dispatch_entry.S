/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points of the code cache's exit stubs and indirect-branch lookups
 * (struct jit_host *_entry; the protocols are in kmod/jit/README).
 *
 * Cache code jumps in here between any two instructions, so every entry
 * preserves all registers and EFLAGS and leaves the stack as the native
 * instruction would have. Kernel C never touches vector registers, so
 * unlike the userspace harness nothing beyond the GPRs is saved. The
 * kernel has no red zone and no free thread-local slot: the jump to the
 * result goes through the stack with a ret (the slot already holds the
 * native target, which the lookup replaces): those rets are jumps, not
 * function returns, hence ANNOTATE_UNRET_SAFE.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/processor-flags.h>
#include "jit/entry_regs.S"
#include "jit/ibl_probe.S"

	.text

/* Bounds of this file's code: a task stopped in here is in the dispatcher */
	.globl jifl_entry_text_start
jifl_entry_text_start:
	ANNOTATE_NOENDBR	/* an address compared with, never a target */

/*
 * Call \fn(word at \slot, EFLAGS or the word at \arg2) and store its
 * result back into the \slot word. Layout after the pushes, from %rbx
 * (JIT_SAVE_C_REGS): 0=rbx 8=r11 16=r10 24=r9 32=r8 40=rdi 48=rsi 56=rdx
 * 64=rcx 72=rax 80=saved flags, 88=the caller's first stack word.
 *
 * The arithmetic flags are saved with lahf/seto (80(%rbx)) and restored
 * with sahf and an overflowing add, not the whole of RFLAGS with popf: IF
 * comes back through the C code's irqsave/irqrestore, TF is never
 * touched, and DF is 0 wherever a block can exit (the kernel keeps it
 * clear outside std;rep movs;cld runs). popf is also what would load the
 * junk of a stale-flags bug of QEMU 7.2's TCG after cmpxchg16b, which can
 * OR TF, NT, IOPL and AC into the RFLAGS image pushf stores.
 *
 * AC is the exception: cache code exits here inside user-access regions
 * (stac ... clac, e.g. strncpy_from_user's loop meeting an untranslated
 * block), and the C code may schedule (a mutex in translation, a sleeping
 * spinlock on PREEMPT_RT, preempt_enable() under preempt=full), while
 * switch_to keeps no RFLAGS: the task would come back with AC clear and
 * fault on its next user access. So AC is read with pushf (after a flag
 * write, which leaves QEMU no stale flags to mix in), kept at 84(%rbx),
 * cleared for the C code (which must run with AC clear) and set again
 * after it iff it was set. stac/clac run only when AC was set, so only on
 * CPUs with SMAP.
 */
.macro CALL_C fn, slot, arg2=0
	lea	-8(%rsp), %rsp		/* the flags slot; lea leaves flags alone */
	JIT_SAVE_C_REGS
	JIT_FLAGS_SAVE
	mov	%eax, 80(%rbx)		/* %ah: SF ZF AF PF CF; %al: OF */
	xor	%ecx, %ecx		/* a flag write before pushf (QEMU) */
	pushf
	pop	%rcx
	and	$X86_EFLAGS_AC, %ecx
	mov	%ecx, 84(%rbx)
	jz	1f
	clac
1:
	.if \arg2
	mov	\arg2(%rbx), %rsi
	.else
	movzbl	%ah, %esi		/* EFLAGS for the C code: */
	movzbl	%al, %ecx
	shl	$11, %ecx		/* OF is bit 11 */
	or	%ecx, %esi		/* they pick a shared jcc stub's exit */
	.endif
	and	$-16, %rsp
	cld
	mov	\slot(%rbx), %rdi
	call	\fn
	mov	%rax, \slot(%rbx)
	testl	$X86_EFLAGS_AC, 84(%rbx)
	jz	2f
	stac
2:	mov	80(%rbx), %eax
	JIT_FLAGS_RESTORE
	JIT_RESTORE_C_REGS
	lea	8(%rsp), %rsp
.endm

/*
 * From a jmp/jcc exit stub ("call jifl_exit_entry"): the stack holds the
 * stub's return address, which names the exit. The dispatcher links the
 * exit and returns where to go, which replaces that word; ret goes there.
 */
SYM_FUNC_START(jifl_exit_entry)
	CALL_C	jifl_dispatch_exit, 88
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_exit_entry)
STACK_FRAME_NON_STANDARD jifl_exit_entry

/* From a call exit stub: [stub return address][cache return address]. */
SYM_FUNC_START(jifl_exit_call_entry)
	CALL_C	jifl_dispatch_exit, 88
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_exit_call_entry)
STACK_FRAME_NON_STANDARD jifl_exit_call_entry

/*
 * Look up the native target in %rax in the native->cache table; return the
 * cache address (or the native address to run natively) in %rax. Clobbers
 * %rcx and EFLAGS only; on a miss, the C dispatcher translates.
 */
SYM_FUNC_START_LOCAL(ibl_lookup)
	JIT_IBL_PROBE jifl_htab, jifl_htab_mask, jifl_htab_end, 3f, 4f
3:	mov	8(%rcx), %rax
	ANNOTATE_UNRET_SAFE
	ret
4:	push	%rax			/* argument and result slot */
	CALL_C	jifl_dispatch_ind, 88
	pop	%rax
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(ibl_lookup)
STACK_FRAME_NON_STANDARD ibl_lookup

/*
 * Indirect jmp: "push <target>; jmp jifl_ibl_jmp_entry". The flags are kept
 * with lahf/seto, cheaper than pushf/popf; the result replaces the target
 * word and ret jumps there.
 */
SYM_FUNC_START(jifl_ibl_jmp_entry)
	JIT_IBL_ENTER
	mov	24(%rsp), %rax
	call	ibl_lookup
	mov	%rax, 24(%rsp)
	JIT_IBL_LEAVE
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_ibl_jmp_entry)
STACK_FRAME_NON_STANDARD jifl_ibl_jmp_entry

/*
 * Indirect call: "push <target>; call jifl_ibl_call_entry". Stack:
 * [cache return address][target]. Make it [result][cache return address]
 * and ret: the callee then starts with its return address on top, as
 * after a native call.
 */
SYM_FUNC_START(jifl_ibl_call_entry)
	JIT_IBL_ENTER
	mov	32(%rsp), %rax
	call	ibl_lookup
	mov	24(%rsp), %rcx		/* cache return address */
	mov	%rcx, 32(%rsp)
	mov	%rax, 24(%rsp)
	JIT_IBL_LEAVE
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_ibl_call_entry)
STACK_FRAME_NON_STANDARD jifl_ibl_call_entry

/*
 * Where entry trampolines return to after the traced function: counts the
 * task out of the cache (outside it, so that no task counted out can still
 * be running cache code) and returns to the native caller.
 */
SYM_FUNC_START(jifl_tramp_exit)
	decq	PER_CPU_VAR(jifl_inflight)
	RET
SYM_FUNC_END(jifl_tramp_exit)
STACK_FRAME_NON_STANDARD jifl_tramp_exit

/*
 * What a translated static call site calls while its key holds no
 * function (natively a nop there): returns, changing no register. Some
 * sites are asm calls that expect every register kept (the preempt
 * schedule thunks), so __static_call_return0 would not do.
 */
SYM_FUNC_START(jifl_static_call_nop)
	RET
SYM_FUNC_END(jifl_static_call_nop)

/*
 * jifl_tramp_exit when plugins have leave callbacks: call
 * jifl_plugins_leave(stack pointer, return value) first. The function
 * returned, so the arithmetic flags are dead; %rax and %rdx (return
 * values) and the other caller-saved registers are kept all the same,
 * and AC is cleared around the C call and set again iff it was set, as
 * in CALL_C (a function returning inside a user-access region is rare,
 * but the plugin's C code must not run in one, nor lose it).
 */
SYM_FUNC_START(jifl_tramp_exit_leave)
	push	%rax
	push	%rdx
	push	%rcx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbp
	push	%rbx
	mov	%rsp, %rbp
	xor	%ebx, %ebx		/* a flag write before pushf (QEMU) */
	pushf
	pop	%rbx
	and	$X86_EFLAGS_AC, %ebx	/* %rbx is callee-saved: kept for after */
	jz	1f
	clac
1:	lea	88(%rsp), %rdi		/* at the native return address */
	mov	80(%rsp), %rsi		/* %rax */
	and	$-16, %rsp
	call	jifl_plugins_leave
	test	%ebx, %ebx
	jz	2f
	stac
2:	mov	%rbp, %rsp
	pop	%rbx
	pop	%rbp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rcx
	pop	%rdx
	pop	%rax
	decq	PER_CPU_VAR(jifl_inflight)
	RET
SYM_FUNC_END(jifl_tramp_exit_leave)
STACK_FRAME_NON_STANDARD jifl_tramp_exit_leave

/*
 * The first miss of an inline-cache site (kmod/jit/emit.h, jit_ic): the
 * dispatcher arms the site and returns where to go.
 * jmp: [stub return address][native target] -> go there, both dropped.
 */
SYM_FUNC_START(jifl_ic_jmp_miss)
	CALL_C	jifl_dispatch_ic, 88, 96
	push	%rax
	mov	8(%rsp), %rax		/* the result, over the target */
	mov	%rax, 16(%rsp)
	pop	%rax
	lea	8(%rsp), %rsp
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_ic_jmp_miss)
STACK_FRAME_NON_STANDARD jifl_ic_jmp_miss

/*
 * call: [stub return address][cache continuation][native target] ->
 * [result][continuation]; ret goes to the callee, which then sees only
 * the continuation, as after a native call.
 */
SYM_FUNC_START(jifl_ic_call_miss)
	CALL_C	jifl_dispatch_ic, 88, 104
	push	%rax
	mov	16(%rsp), %rax		/* continuation over the target */
	mov	%rax, 24(%rsp)
	mov	8(%rsp), %rax		/* result over the continuation */
	mov	%rax, 16(%rsp)
	pop	%rax
	lea	8(%rsp), %rsp
	ANNOTATE_UNRET_SAFE
	ret
SYM_FUNC_END(jifl_ic_call_miss)
STACK_FRAME_NON_STANDARD jifl_ic_call_miss

	.globl jifl_entry_text_end
jifl_entry_text_end:
	ANNOTATE_NOENDBR
