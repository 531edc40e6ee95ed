/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included, not assembled by itself: Kbuild builds the C files of jit/.
 *
 * Hash probe of the indirect-branch lookup routines, shared by the kernel's
 * (kmod/dispatch_entry.S) and the userspace harness's
 * (tests/unit/jitrun/entry.S): one source for the table layout both C
 * sides fill (kmod/dispatch.c, tests/unit/jitrun/runtime.c).
 *
 * The table: \htab points to an array of {u64 native; u64 cache;} entries,
 * \mask + 1 of them (a power of two), \end just past the last; open
 * addressing with linear probing from slot (pc ^ pc >> 4) & \mask; an
 * entry whose native word is 0 is empty, and the native word is written
 * last, so a reader that sees it sees the cache word too.
 */
#ifndef JIFL_JIT_IBL_PROBE_S
#define JIFL_JIT_IBL_PROBE_S

#ifdef __ASSEMBLER__
/*
 * JIT_IBL_PROBE: look up the native address in %rax; go to \found with
 * %rcx pointing at its entry, or to \missing.  Clobbers %rcx and EFLAGS.
 * Uses the local label 1.
 */
.macro JIT_IBL_PROBE htab, mask, end, found, missing
	mov	%rax, %rcx
	shr	$4, %rcx
	xor	%rax, %rcx
	and	\mask(%rip), %rcx
	shl	$4, %rcx
	add	\htab(%rip), %rcx
1:	cmp	(%rcx), %rax
	je	\found
	cmpq	$0, (%rcx)
	je	\missing
	add	$16, %rcx
	cmp	\end(%rip), %rcx
	jb	1b
	mov	\htab(%rip), %rcx
	jmp	1b
.endm
#endif

#endif /* JIFL_JIT_IBL_PROBE_S */
