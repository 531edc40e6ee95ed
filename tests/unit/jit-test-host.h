/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the user-space hosts of the translator (unit tests,
 * the jitrun harness, the fuzz target and the benchmark).
 */
#ifndef JIFL_JIT_TEST_HOST_H
#define JIFL_JIT_TEST_HOST_H

#include <stdint.h>
#include <string.h>

/**
 * jit_test_read_range() - a jit_host read_code over one range of code
 * @bytes:	the code of [@lo, @hi)
 * @lo:		native address of its first byte
 * @hi:		native address just past its last byte
 * @pc:		address to read from
 * @buf:	where to copy
 * @len:	bytes wanted
 *
 * Return: bytes copied, fewer than @len at the range's end, 0 outside it,
 * as the translator expects of unreadable code.
 */
static inline unsigned int jit_test_read_range(const void *bytes, uint64_t lo,
					       uint64_t hi, uint64_t pc,
					       uint8_t *buf, unsigned int len)
{
	if (pc < lo || pc >= hi)
		return 0;
	if (len > hi - pc)
		len = hi - pc;
	memcpy(buf, (const uint8_t *)bytes + (pc - lo), len);
	return len;
}

#endif
