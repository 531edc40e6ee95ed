/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jitrun's out-of-line halves of the inline event records
 * (struct jit_event_host): the refill a record calls when the ring chunk
 * is full, and the resched its preempt-count decrement calls when the
 * count drops to zero.  Both preserve what jit_event_host asks them to.
 */
	.text

/*
 * In: %edx = record size.  Out: %rcx = where to write it (reserved), or
 * 0.  Saves the other registers C may clobber; the C half is built with
 * -mgeneral-regs-only, so the vector state needs no save.
 */
	.globl	jitrun_ev_refill
	.type	jitrun_ev_refill, @function
jitrun_ev_refill:
	push	%rax
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	mov	%edx, %edi
	call	jitrun_ev_refill_c
	mov	%rax, %rcx
	mov	%rbp, %rsp
	pop	%rbp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rax
	ret
	.size	jitrun_ev_refill, . - jitrun_ev_refill

/*
 * The kernel would schedule here; jitrun counts the call and clears the
 * pending reschedule (x86 keeps it as bit 31 clear in the preempt count).
 */
	.globl	jitrun_ev_resched
	.type	jitrun_ev_resched, @function
jitrun_ev_resched:
	incq	jitrun_ev_resched_calls(%rip)
	orl	$0x80000000, %gs:16
	ret
	.size	jitrun_ev_resched, . - jitrun_ev_resched

	.section .note.GNU-stack, "", @progbits
