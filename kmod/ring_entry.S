/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The refill an inline event record calls when its CPU's chunk is full
 * (struct jit_event_host.refill, kmod/jit/README "Inline events"): in
 * %edx the record's size, out %rcx where to write it (0: lost). The
 * record's code saved %rax, %rcx, %rdx and the flags; this saves the
 * other registers C may clobber.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.text

SYM_FUNC_START(jifl_ev_refill)
	push	%rax
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%edx, %edi
	call	jifl_ev_refill_c
	mov	%rax, %rcx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rax
	RET
SYM_FUNC_END(jifl_ev_refill)
