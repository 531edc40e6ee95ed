#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-translate.c with clang's libFuzzer (+ ASan, UBSan)
# against the translator core and runs it for SECONDS (default 20), seeded
# with a few small blocks.  Exit 77 (skip) when clang or libFuzzer is
# missing: install the Debian packages clang and libclang-rt-14-dev (or the
# -dev of the installed clang version).
#
# Usage: tests/unit/fuzz-translate.sh [SECONDS]

. "$(dirname "$0")/fuzz-lib.sh"
jit="$top_srcdir/kmod/jit"

fuzz_build fuzz-translate -I"$top_srcdir/kmod" \
	"$jit/decode.c" "$jit/translate.c" "$jit/branches.c" "$jit/exits.c" \
	"$jit/indirect.c" "$jit/jumptable.c" "$jit/static_sites.c" \
	"$jit/instrument.c" "$jit/emit.c" "$jit/liveness.c" \
	"$top_srcdir/tests/unit/fuzz-translate.c"
# first byte: configuration (see fuzz-translate.c); then native code
fuzz_seed_hex 004889e5c3 08ff24c500000000 09e800000000c3 0f7405e2fe4801c3 \
	01ff2500001000 0b488b05000000004885c07403ffe0c3 \
	8d9090909090909090cc 0ae3fc7ffa0f85f0ffffff 05f30f1efa55c3 \
	1e48c7c0010000000f05c3 0c66e8000000005bc3 07ff5424f8ffd0c3 \
	0190486304874801f8ffe0cccccccccccccccccc \
	0990488b04c7ffd0cccccccccccccccccccccc \
	01900fb60c3841ff24c8cccccccccccc
fuzz_run fuzz-translate -max_len=600 -timeout=10
