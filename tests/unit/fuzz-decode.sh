#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-decode.c with clang's libFuzzer (+ ASan, UBSan)
# and runs it for SECONDS (default 20), seeded with a few instruction
# encodings.  Exit 77 (skip) when clang or libFuzzer is missing: install
# the Debian packages clang and libclang-rt-14-dev (or the -dev of the
# installed clang version).
#
# Usage: tests/unit/fuzz-decode.sh [SECONDS]

. "$(dirname "$0")/fuzz-lib.sh"

fuzz_build fuzz-decode -I"$top_srcdir/kmod" \
	"$top_srcdir/kmod/jit/decode.c" "$top_srcdir/tests/unit/fuzz-decode.c"
fuzz_seed_hex 90 c3 e8000100 00 4889e5 488b0500000000 0f1f440000 f30f1efa \
	c5fe6f07 62f1fe486f4701 8fe878c0c105 0fb9cc 66c7f81000 \
	c8100001 48b80102030405060708 0f0fc1b4 f20f78c10102 \
	6666666666666666666666666690 65ff0500000000 0f01cb d9c0
fuzz_run fuzz-decode -max_len=32
