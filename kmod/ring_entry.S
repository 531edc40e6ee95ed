/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The calls an inline event record makes (struct jit_event_host,
 * kmod/jit/README "Inline events"), both rare: the refill when its CPU's
 * chunk is full, and the reschedule when its preempt count's decrement
 * finds one pending.
 *
 * Inline records run wherever cache code runs, user-access regions
 * (stac ... clac) included, and what they call may schedule, while
 * switch_to keeps no RFLAGS: as the dispatcher entries do
 * (dispatch_entry.S), AC is read with pushf (the record's cmp or decl
 * has just written the flags, so QEMU's stale lazy flags cannot mix in),
 * cleared for the call and set again after it iff it was set; the pushf
 * image is dropped, never popf'd. stac/clac run only when AC was set, so
 * only on CPUs with SMAP. objtool cannot follow that (a return "with
 * UACCESS enabled" on the path it was enabled on entry), hence
 * STACK_FRAME_NON_STANDARD, as for the dispatcher entries.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>

	.text

/*
 * jit_event_host.refill: in %edx the record's size, out %rcx where to
 * write it (0: lost). The record's code saved %rax, %rcx, %rdx and the
 * flags; this saves the other registers C may clobber.
 */
SYM_FUNC_START(jifl_ev_refill)
	pushf
	push	%rax
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	testl	$X86_EFLAGS_AC, 56(%rsp)
	jz	1f
	clac
1:	mov	%edx, %edi
	call	jifl_ev_refill_c
	mov	%rax, %rcx
	testl	$X86_EFLAGS_AC, 56(%rsp)
	jz	2f
	stac
2:	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rax
	lea	8(%rsp), %rsp		/* the pushf image */
	RET
SYM_FUNC_END(jifl_ev_refill)
STACK_FRAME_NON_STANDARD jifl_ev_refill

/*
 * jit_event_host.resched: what preempt_enable_notrace() calls, which
 * saves every register itself (the static call follows preempt=).
 */
SYM_FUNC_START(jifl_ev_resched)
	pushf
	testl	$X86_EFLAGS_AC, (%rsp)
	jz	1f
	clac
1:
#ifdef CONFIG_PREEMPT_DYNAMIC
	call	__SCT__preempt_schedule_notrace
#else
	call	preempt_schedule_notrace_thunk
#endif
	testl	$X86_EFLAGS_AC, (%rsp)
	jz	2f
	stac
2:	lea	8(%rsp), %rsp		/* the pushf image */
	RET
SYM_FUNC_END(jifl_ev_resched)
STACK_FRAME_NON_STANDARD jifl_ev_resched
