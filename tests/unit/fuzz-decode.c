// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for jit_decode().  Checks, for every input:
 * - no crash, no read past @avail (the input is copied to an exact-sized
 *   heap buffer, so ASan catches an over-read);
 * - a result in range: 1..15 and <= avail, or INVALID/TRUNCATED;
 * - fields consistent with the length (offsets inside the instruction);
 * - prefix-closedness: the same bytes with more bytes after them decode
 *   the same (identical struct), and every shorter prefix of a valid
 *   instruction is TRUNCATED;
 * - the result does not depend on what *insn held before.
 * Build: clang -fsanitize=fuzzer,address,undefined (tests/unit/fuzz-decode.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit/insn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size)
{
	struct jit_insn a, b;
	unsigned int n;
	uint8_t *exact, big[32];
	int r, r2;

	exact = malloc(size ? size : 1);
	memcpy(exact, data, size);
	memset(&a, 0x5a, sizeof(a));
	r = jit_decode(&a, exact, size, 0xffffffff81000000ULL);
	if (r != JIT_DECODE_INVALID && r != JIT_DECODE_TRUNCATED &&
	    (r < 1 || r > JIT_INSN_MAX_LEN || (size_t)r > size))
		abort();
	if (r > 0) {
		if (a.len != r || a.opcode_off >= r ||
		    a.rel_off + a.rel_size > r || a.disp_off + a.disp_size > r ||
		    a.imm_off + a.imm_size > r ||
		    ((a.attr & JIT_ATTR_MODRM) && a.modrm_off >= r) ||
		    ((a.attr & JIT_ATTR_RIPREL) && a.disp_size != 4) ||
		    a.flow >= JIT_FLOW_NR)
			abort();
		/* the struct does not depend on its previous contents */
		memset(&b, 0, sizeof(b));
		if (jit_decode(&b, exact, size, 0xffffffff81000000ULL) != r ||
		    memcmp(&a, &b, sizeof(a)))
			abort();
		/* every shorter prefix is truncated */
		for (n = 0; n < (unsigned int)r; n++) {
			uint8_t *p = malloc(n ? n : 1);

			memcpy(p, exact, n);
			if (jit_decode(&b, p, n, 0xffffffff81000000ULL) !=
			    JIT_DECODE_TRUNCATED)
				abort();
			free(p);
		}
	}
	/* more bytes after the same ones: same answer unless truncated */
	if (size < sizeof(big) && r != JIT_DECODE_TRUNCATED) {
		memset(big, 0xcc, sizeof(big));
		memcpy(big, exact, size);
		r2 = jit_decode(&b, big, sizeof(big), 0xffffffff81000000ULL);
		if (r2 != r || (r > 0 && memcmp(&a, &b, sizeof(a))))
			abort();
	}
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	/* and the same input less its first byte */
	if (size > 1)
		check(data + 1, size - 1);
	return 0;
}
