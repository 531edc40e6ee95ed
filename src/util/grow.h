/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growing arrays: the one realloc-doubling step the report, the symbol
 * tables and the subcommands share, with the size's overflow checked.
 */
#ifndef JIFL_GROW_H
#define JIFL_GROW_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Arrays at least this large are asked for transparent huge pages: a
 * 10 M-event report's call tree (48 MB of nodes) otherwise takes a page
 * fault every 4 KiB it grows into, 6% of the run in the kernel alone.
 */
#define GROW_HUGE_MIN	(4UL << 20)

/**
 * grow_advise_huge() - ask for huge pages under @len bytes at @p
 * @p:		an allocation (malloc, realloc or calloc)
 * @len:	its size in bytes
 *
 * The whole pages it spans are advised, so that an allocation of its own
 * mapping stays one mapping (realloc() then still moves it by mremap()
 * instead of copying it); a hint, its failure ignored.
 */
static inline void grow_advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t pg, a, e;

	if (!p || len < GROW_HUGE_MIN)
		return;
	pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	a = (uintptr_t)p & ~(pg - 1);
	e = ((uintptr_t)p + len + pg - 1) & ~(pg - 1);
	(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/**
 * grow_buf() - make room for @need elements of @size bytes in @p
 * @p:		the array (NULL: none yet)
 * @cap:	its capacity in elements; updated
 * @need:	how many elements it must hold
 * @size:	one element's size
 * @min:	the first capacity (then doubled until @need fits)
 *
 * Return: the array, moved or not; NULL if out of memory, and then @p
 * and *@cap are unchanged (the caller still owns @p).
 */
static inline void *grow_buf(void *p, size_t *cap, size_t need, size_t size,
			     size_t min)
{
	size_t n = *cap ? *cap : (min ? min : 1);
	void *t;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return NULL;
	t = realloc(p, n * size);
	if (t) {
		*cap = n;
		grow_advise_huge(t, n * size);
	}
	return t;
}

/*
 * GROW(arr, cap, need, min): room for @need elements in @arr (an lvalue
 * pointer) of capacity @cap (an lvalue size_t); 0, or -ENOMEM with @arr
 * and @cap unchanged.
 */
#define GROW(arr, cap, need, min) ({					\
	void *grow_t_ = grow_buf((arr), &(cap), (need), sizeof(*(arr)),	\
				 (min));				\
	if (grow_t_)							\
		(arr) = grow_t_;					\
	grow_t_ ? 0 : -ENOMEM;						\
})

#endif
