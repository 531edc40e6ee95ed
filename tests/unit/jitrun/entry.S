/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jitrun dispatcher entries: the addresses the translator's exit stubs and
 * indirect-branch sequences jump to (struct jit_host *_entry).
 *
 * Cache code calls in here at arbitrary points, so every entry preserves
 * all registers, EFLAGS and the vector state, and leaves the stack exactly
 * as the translated native instruction would have.
 */
#include "jit/entry_regs.S"
#include "jit/ibl_probe.S"

	.text

/* %fs offset of the thread-local slot indirect sites jump through */
	.section .rodata
	.globl	jitrun_ibl_slot_tpoff
	.p2align 3
jitrun_ibl_slot_tpoff:
	.quad	jitrun_ibl_slot@tpoff
	.text

/* XSAVE components: x87, SSE, AVX, AVX-512 (not AMX: 8 KiB more, unused) */
#define XSAVE_MASK	0xe7
#define XSAVE_AREA	4096

/*
 * Save what C may clobber and call \fn(%rdi, %rsi = EFLAGS or the word at
 * \arg2_off); its result is stored in the slot \slot bytes above the
 * pushed registers.  Layout after the pushes (JIT_SAVE_C_REGS):
 * 0(%rbx)=rbx 8=r11 16=r10 24=r9 32=r8 40=rdi 48=rsi 56=rdx 64=rcx 72=rax
 * 80=flags, then the caller's stack.
 */
.macro CALL_C fn, arg_off, slot, arg2_off=80, arg3_off=0
	pushfq
	JIT_SAVE_C_REGS
	sub	$XSAVE_AREA, %rsp
	and	$-64, %rsp
	/* XRSTOR faults on a dirty XSAVE header: clear it first */
	xor	%eax, %eax
	mov	%rax, 512(%rsp)
	mov	%rax, 520(%rsp)
	mov	%rax, 528(%rsp)
	mov	%rax, 536(%rsp)
	mov	%rax, 544(%rsp)
	mov	%rax, 552(%rsp)
	mov	%rax, 560(%rsp)
	mov	%rax, 568(%rsp)
	mov	$XSAVE_MASK, %eax
	xor	%edx, %edx
	xsave64	(%rsp)
	cld
	mov	\arg_off(%rbx), %rdi
	mov	\arg2_off(%rbx), %rsi	/* flags (shared jcc stubs) or 2nd arg */
	.if \arg3_off
	mov	\arg3_off(%rbx), %rdx
	.endif
	call	\fn
	mov	%rax, \slot(%rbx)
	mov	$XSAVE_MASK, %eax
	xor	%edx, %edx
	xrstor64 (%rsp)
	JIT_RESTORE_C_REGS
	popfq
.endm

/*
 * From a jmp/jcc exit stub: "lea -128(%rsp),%rsp; call jitrun_exit_entry".
 * Stack: [red zone][stub return address].  The dispatcher links the exit
 * and returns where to go; we overwrite the stub return address with it and
 * "ret $128" both jumps there and drops the red-zone gap.
 */
	.globl	jitrun_exit_entry
	.type	jitrun_exit_entry, @function
jitrun_exit_entry:
	CALL_C	jitrun_dispatch_exit, 88, 88
	ret	$128
	.size	jitrun_exit_entry, . - jitrun_exit_entry

/* From a call exit stub: [cache return address][stub return address]. */
	.globl	jitrun_exit_call_entry
	.type	jitrun_exit_call_entry, @function
jitrun_exit_call_entry:
	CALL_C	jitrun_dispatch_exit, 88, 88
	ret
	.size	jitrun_exit_call_entry, . - jitrun_exit_call_entry

/*
 * Hash lookup of the native target in %rax; returns the cache address (or
 * the address to run natively) in %rax, and leaves the pair in the
 * direct-mapped table the indirect sites probe inline (jit_host.ibl_keys:
 * entry low 16 bits of the target: -target and where to go).  Clobbers
 * %rcx and EFLAGS only; on a miss it saves everything and asks the C
 * dispatcher to translate.
 */
	.type	ibl_lookup, @function
ibl_lookup:
	incq	jitrun_ibl_lookups(%rip)
	/* a cache address already (longjmp, saved return): go as is */
	cmp	jitrun_cache_lo(%rip), %rax
	jb	0f
	cmp	jitrun_cache_hi(%rip), %rax
	jb	5f
0:	JIT_IBL_PROBE jitrun_htab, jitrun_htab_mask, jitrun_htab_end, 3f, 4f
3:	mov	8(%rcx), %rcx
	/* %rax: target, %rcx: where it goes */
6:	push	%rdx
	movzwl	%ax, %edx
	mov	%rcx, jitrun_ibl_dests(, %rdx, 8)
	neg	%rax
	mov	%rax, jitrun_ibl_keys(, %rdx, 8)
	mov	%rcx, %rax
	pop	%rdx
	ret
5:	mov	%rax, %rcx
	jmp	6b
4:	push	%rax			/* the target */
	push	%rax			/* argument and result slot */
	CALL_C	jitrun_dispatch_ind, 88, 88
	pop	%rcx
	pop	%rax
	jmp	6b
	.size	ibl_lookup, . - ibl_lookup

/*
 * Indirect jmp: "lea -128(%rsp),%rsp; push <target>; jmp jitrun_ibl_jmp".
 * Flags are kept with lahf/seto (cheaper than pushf/popf); the target goes
 * through a thread-local slot because no register is free.
 */
	.globl	jitrun_ibl_jmp
	.type	jitrun_ibl_jmp, @function
jitrun_ibl_jmp:
	JIT_IBL_ENTER
	mov	24(%rsp), %rax
	call	ibl_lookup
	mov	%rax, %fs:jitrun_ibl_slot@tpoff
	JIT_IBL_LEAVE
	lea	136(%rsp), %rsp		/* target slot + red zone */
	jmp	*%fs:jitrun_ibl_slot@tpoff
	.size	jitrun_ibl_jmp, . - jitrun_ibl_jmp

/*
 * Indirect call: "push <target>; call jitrun_ibl_call".  Stack:
 * [target][cache return address].  Leave only the return address, so the
 * callee starts as after a native call; the return stack buffer entry our
 * call made matches the callee's eventual ret.
 */
	.globl	jitrun_ibl_call
	.type	jitrun_ibl_call, @function
jitrun_ibl_call:
	JIT_IBL_ENTER
	mov	32(%rsp), %rax
	call	ibl_lookup
	mov	%rax, %fs:jitrun_ibl_slot@tpoff
	mov	24(%rsp), %rax
	mov	%rax, 32(%rsp)
	JIT_IBL_LEAVE
	lea	8(%rsp), %rsp
	jmp	*%fs:jitrun_ibl_slot@tpoff
	.size	jitrun_ibl_call, . - jitrun_ibl_call

/*
 * Inline-cache miss stubs (jit_ic, kmod/jit/emit.h): the first miss of a
 * site.  jmp: [red zone][target][stub return address]; the dispatcher arms
 * the site and returns where to go, which replaces the stub return
 * address; "ret $136" goes there and drops the target and the red zone.
 */
	.globl	jitrun_ic_jmp_miss
	.type	jitrun_ic_jmp_miss, @function
jitrun_ic_jmp_miss:
	CALL_C	jitrun_dispatch_ic, 88, 88, 96
	ret	$136
	.size	jitrun_ic_jmp_miss, . - jitrun_ic_jmp_miss

/*
 * call: [target][cache continuation][stub return address].  Leave only the
 * continuation, as after a native call, and go to the callee.
 */
	.globl	jitrun_ic_call_miss
	.type	jitrun_ic_call_miss, @function
jitrun_ic_call_miss:
	CALL_C	jitrun_dispatch_ic, 88, 88, 104
	push	%rax
	mov	16(%rsp), %rax		/* continuation over the target */
	mov	%rax, 24(%rsp)
	pop	%rax
	ret	$8
	.size	jitrun_ic_call_miss, . - jitrun_ic_call_miss

/*
 * Jump-table fill stub (jit_host.jt_fill_entry): the first use of an index
 * of a table site.  Stack: [red zone gap][index][native target][stub
 * return address], flags and registers as at the site's branch.  The
 * dispatcher makes the entry's code and returns where to go; "ret $144"
 * goes there and drops the target, the index and the gap (a call site's
 * return address is above them: the callee sees a native call's stack).
 */
	.globl	jitrun_jt_fill
	.type	jitrun_jt_fill, @function
jitrun_jt_fill:
	CALL_C	jitrun_dispatch_jt, 88, 88, 96, 104
	ret	$144
	.size	jitrun_jt_fill, . - jitrun_jt_fill

	.section .note.GNU-stack, "", @progbits
