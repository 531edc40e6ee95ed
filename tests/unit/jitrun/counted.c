// SPDX-License-Identifier: GPL-2.0
/*
 * Functions whose block counts are known by construction.  Built at -O1
 * (see translate.am) so that every loop is a rotated loop with one backward
 * branch whose target, the first instruction of the body, runs exactly once
 * per iteration.
 */
#include "workloads.h"

#define NOINLINE __attribute__((noinline))

NOINLINE long cnt_leaf(long x)
{
	return x * 3 + 1;
}

NOINLINE long cnt_loop(long n)
{
	long s = 0, i;

	for (i = 0; i < n; i++)
		s += i ^ (s >> 3);
	return s;
}

NOINLINE long cnt_nested(long outer, long inner)
{
	long s = 0, i, j;

	for (i = 0; i < outer; i++)
		for (j = 0; j < inner; j++)
			s += (i + 1) * (j ^ s);
	return s;
}

NOINLINE long cnt_calls(long n)
{
	long s = 0, i;

	for (i = 0; i < n; i++)
		s += cnt_leaf(i);
	return s;
}
