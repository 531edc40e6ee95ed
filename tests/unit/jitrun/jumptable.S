/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Jump-table sites for test-jitrun (kmod/jit/README "Jump tables"), in
 * assembly so that every case the translator must get right occurs:
 *
 *  - one site reached with three table bases: the same index leads to
 *    different targets, so an entry's check fails (mismatch path);
 *  - targets that read the flags of the site's add (setc, adc): the
 *    entry's check must leave CF as the add set it; the add carries or not
 *    depending on whether the case lies below or above its table;
 *  - a table longer than the site's (300 > JIT_JT_ENTRIES): high indices
 *    take the block's ordinary indirect path;
 *  - %rcx as the target register (the flag-free check's scratch), REX
 *    registers as base, index and target;
 *  - a call through a writable table of function pointers that the
 *    caller rewrites between calls.
 *
 * long jt_sw(long idx, long sel):   sel 0, 1, 2: tables a, b, big
 * long jt_sw2(long idx, long sel):  tables a, b through %r8/%r9/%rcx
 * long jt_sw3(long idx, long sel):  tables a, b through %rdx/%rdi/%r11
 * long jt_call(long idx, long arg): jt_fns[idx](arg)
 * long jt_call2(long idx, long arg): the same through "call *(mem)"
 *
 * Byte-indexed tables with live flags (glibc printf's computed gotos):
 * the cases read the flags of "cmp x,idx" (or of the and), set before
 * the index load, so the site and its entries must not touch them:
 * long jt_sw4(long idx, long x, long sel):  mov (%r8,%rcx,8),%r10; jmp *%r10
 * long jt_sw5(long idx, long x, long sel):  jmp *(%r8,%rcx,8)
 * long jt_sw6(long idx, long x, long sel):  and $3,%eax; mov ...; jmp *%rax
 * (sel: table c or d, so entries made for one table see the other's
 * targets)
 */
	.text
	.p2align 4
	.globl	jt_sw
	.type	jt_sw, @function
jt_sw:
	lea	jt_tab_a(%rip), %rdx
	cmp	$1, %rsi
	jb	1f
	lea	jt_tab_b(%rip), %rdx
	je	1f
	lea	jt_tab_big(%rip), %rdx
1:	mov	%rdi, %rax
	movslq	(%rdx,%rax,4), %rax
	add	%rdx, %rax
	jmp	*%rax
	.size	jt_sw, . - jt_sw

	.globl	jt_sw2
	.type	jt_sw2, @function
jt_sw2:
	lea	jt_tab_a(%rip), %r8
	lea	jt_tab_b(%rip), %rax
	test	%rsi, %rsi
	cmovne	%rax, %r8
	mov	%rdi, %r9
	movslq	(%r8,%r9,4), %rcx
	add	%r8, %rcx
	jmp	*%rcx
	.size	jt_sw2, . - jt_sw2

	.globl	jt_sw3
	.type	jt_sw3, @function
jt_sw3:
	lea	jt_tab_a(%rip), %rdx
	lea	jt_tab_b(%rip), %rax
	test	%rsi, %rsi
	cmovne	%rax, %rdx
	movslq	(%rdx,%rdi,4), %r11
	add	%rdx, %r11
	jmp	*%r11
	.size	jt_sw3, . - jt_sw3

/*
 * Cases below the tables in .text: the add of a negative offset carries.
 * Table b sends indices 0 and 2 to cases that do not read the flags and
 * lie below (bot) and above (top) the flag-reading cases table a sends
 * them to (lo, hi), so that an entry made for b's target, run with table
 * a, leaves a compare's CF there unless it puts the add's back.
 */
jt_case_bot:
	lea	-3(%rdi), %rax
	ret
jt_case_lo:			/* reads CF */
	setc	%al
	movzbl	%al, %eax
	lea	100(%rax,%rdi,2), %rax
	ret
jt_case_one:
	mov	$1, %eax
	ret
jt_case_two:
	lea	2(%rdi), %rax
	ret
jt_case_jmp:			/* joins another case: liveness follows */
	jmp	jt_case_lo

/* table a, inside .text: cases after it get positive offsets */
	.p2align 2
jt_tab_a:
	.long	jt_case_lo - jt_tab_a
	.long	jt_case_one - jt_tab_a
	.long	jt_case_hi - jt_tab_a
	.long	jt_case_jmp - jt_tab_a

jt_case_hi:			/* reads CF: the add did not carry here */
	mov	%rdi, %rax
	adc	$7, %rax
	ret
jt_case_top:
	lea	9(%rdi,%rdi), %rax
	ret

	.section .rodata
	.p2align 2
jt_tab_b:
	.long	jt_case_bot - jt_tab_b
	.long	jt_case_lo - jt_tab_b
	.long	jt_case_top - jt_tab_b
	.long	jt_case_hi - jt_tab_b
jt_tab_big:
	.rept	299
	.long	jt_case_two - jt_tab_big
	.endr
	.long	jt_case_lo - jt_tab_big

	.text
	.p2align 4
	.globl	jt_call
	.type	jt_call, @function
jt_call:
	sub	$8, %rsp
	lea	jt_fns(%rip), %rdx
	mov	%rdi, %rcx
	mov	%rsi, %rdi
	mov	(%rdx,%rcx,8), %rax
	call	*%rax
	add	$8, %rsp
	ret
	.size	jt_call, . - jt_call

	.globl	jt_call2
	.type	jt_call2, @function
jt_call2:
	sub	$8, %rsp
	lea	jt_fns(%rip), %rdx
	mov	%rdi, %rcx
	mov	%rsi, %rdi
	call	*(%rdx,%rcx,8)
	add	$8, %rsp
	ret
	.size	jt_call2, . - jt_call2

/* %r8: table c, or d if %rdx; %rax: jt_bytes; flags: cmp %rsi,%rdi */
.macro JT_LIVE_PROLOGUE
	lea	jt_tab_c(%rip), %r8
	lea	jt_tab_d(%rip), %r9
	test	%rdx, %rdx
	cmovne	%r9, %r8
	lea	jt_bytes(%rip), %rax
	and	$15, %rdi
	cmp	%rsi, %rdi
.endm

	.globl	jt_sw4
	.type	jt_sw4, @function
jt_sw4:
	JT_LIVE_PROLOGUE
	movzbl	(%rax,%rdi,1), %ecx
	mov	(%r8,%rcx,8), %r10
	jmp	*%r10
	.size	jt_sw4, . - jt_sw4

	.globl	jt_sw5
	.type	jt_sw5, @function
jt_sw5:
	JT_LIVE_PROLOGUE
	movzbl	(%rax,%rdi,1), %ecx
	jmp	*(%r8,%rcx,8)
	.size	jt_sw5, . - jt_sw5

	.globl	jt_sw6
	.type	jt_sw6, @function
jt_sw6:
	JT_LIVE_PROLOGUE
	mov	%rdi, %rax
	and	$3, %eax		/* ZF for the cases */
	mov	(%r8,%rax,8), %rax
	jmp	*%rax
	.size	jt_sw6, . - jt_sw6

/* cases of tables c and d: all but the last read the flags */
jt_fc0:
	setb	%al
	movzbl	%al, %eax
	lea	10(%rax,%rdi,2), %rax
	ret
jt_fc1:
	sete	%al
	movzbl	%al, %eax
	lea	20(%rax,%rdi,2), %rax
	ret
jt_fc2:
	seta	%al
	movzbl	%al, %eax
	lea	30(%rax,%rdi,2), %rax
	ret
jt_fc3:
	lea	40(%rdi), %rax
	ret

	.globl	jt_f0, jt_f1, jt_f2, jt_f3
jt_f0:
	lea	1(%rdi), %rax
	ret
jt_f1:
	lea	(%rdi,%rdi,2), %rax
	ret
jt_f2:
	mov	%rdi, %rax
	xor	$0x55, %rax
	ret
jt_f3:
	mov	%rdi, %rax
	shr	$1, %rax
	ret

	.section .rodata
	.p2align 3
jt_tab_c:
	.quad	jt_fc0, jt_fc1, jt_fc2, jt_fc3
jt_tab_d:
	.quad	jt_fc2, jt_fc3, jt_fc1, jt_fc0
jt_bytes:
	.byte	0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2, 0, 3, 0, 3

	.data
	.p2align 3
	.globl	jt_fns
jt_fns:
	.quad	jt_f0, jt_f1, jt_f2, jt_f3
	.rept	296
	.quad	jt_f2
	.endr

	.section .note.GNU-stack, "", @progbits
