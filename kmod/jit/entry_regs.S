/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included, not assembled by itself: Kbuild builds the C files of jit/.
 *
 * Register and flag saving of the dispatcher entries, shared by the
 * kernel's (kmod/dispatch_entry.S) and the userspace harness's
 * (tests/unit/jitrun/entry.S). Cache code enters both between any two
 * instructions, so an entry keeps every register and the arithmetic
 * flags; the flags go through lahf/seto and come back with an overflowing
 * add and sahf, never popf (kmod/README "Flags in the dispatcher
 * entries"). What differs, the rest of RFLAGS (EFLAGS.AC in the kernel,
 * pushfq/popfq and the vector state in userspace), stays in each file.
 */
#ifndef JIFL_JIT_ENTRY_REGS_S
#define JIFL_JIT_ENTRY_REGS_S

#ifdef __ASSEMBLER__
/*
 * JIT_SAVE_C_REGS: push what C may clobber, and %rbx, which then points
 * at them: 0(%rbx)=rbx 8=r11 16=r10 24=r9 32=r8 40=rdi 48=rsi 56=rdx
 * 64=rcx 72=rax, 80= the word pushed before (a flags slot in both users).
 */
.macro JIT_SAVE_C_REGS
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	mov	%rsp, %rbx
.endm

/* JIT_RESTORE_C_REGS: back from JIT_SAVE_C_REGS, %rsp included */
.macro JIT_RESTORE_C_REGS
	mov	%rbx, %rsp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
.endm

/* JIT_FLAGS_SAVE: %ah = SF ZF AF PF CF, %al = OF (0 or 1) */
.macro JIT_FLAGS_SAVE
	lahf
	seto	%al
.endm

/* JIT_FLAGS_RESTORE: the flags of JIT_FLAGS_SAVE's %ax back; add sets OF */
.macro JIT_FLAGS_RESTORE
	add	$0x7f, %al		/* overflows exactly when %al was 1 */
	sahf
.endm

/*
 * JIT_IBL_ENTER: the start of an indirect-branch entry: %rax, %rcx and
 * %rdx pushed (the lookup's scratch), the flags kept in %edx.
 * JIT_IBL_LEAVE: its end, the flags and the three registers back.
 */
.macro JIT_IBL_ENTER
	push	%rax
	push	%rcx
	push	%rdx
	JIT_FLAGS_SAVE
	mov	%eax, %edx
.endm

.macro JIT_IBL_LEAVE
	mov	%edx, %eax
	JIT_FLAGS_RESTORE
	pop	%rdx
	pop	%rcx
	pop	%rax
.endm
#endif

#endif /* JIFL_JIT_ENTRY_REGS_S */
