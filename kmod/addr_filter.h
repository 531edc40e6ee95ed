/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-sided membership filter in front of the sorted address tables the
 * translator asks about every instruction it reads (exception table,
 * static branch and static call sites): one bit per hash of an address,
 * set for every address in the table.  A clear bit means "not in the
 * table" for sure, which is the answer for nearly every instruction, at
 * the cost of one load; a set bit sends the question on to the table's
 * binary search.
 */
#ifndef JIFL_ADDR_FILTER_H
#define JIFL_ADDR_FILTER_H

#include <linux/bitops.h>
#include <linux/types.h>

/* 2^18 bits (32 KiB): a few percent false positives for 10,000 entries */
#define JIFL_FILTER_BITS	18

struct jifl_addr_filter {
	unsigned long bits[BITS_TO_LONGS(1UL << JIFL_FILTER_BITS)];
};

static inline unsigned long jifl_filter_bit(unsigned long addr)
{
	/* instruction addresses: the low bits vary the most */
	return (addr ^ (addr >> JIFL_FILTER_BITS)) &
	       ((1UL << JIFL_FILTER_BITS) - 1);
}

static inline void jifl_filter_add(struct jifl_addr_filter *f,
				   unsigned long addr)
{
	__set_bit(jifl_filter_bit(addr), f->bits);
}

/* false: @addr is not in the table; true: it may be */
static inline bool jifl_filter_may_hold(const struct jifl_addr_filter *f,
					unsigned long addr)
{
	return test_bit(jifl_filter_bit(addr), f->bits);
}

#endif /* JIFL_ADDR_FILTER_H */
