#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-translate.c with clang's libFuzzer (+ ASan, UBSan)
# against the translator core and runs it for SECONDS (default 20), seeded
# with a few small blocks.  Exit 77 (skip) when clang or libFuzzer is
# missing: install the Debian packages clang and libclang-rt-14-dev (or the
# -dev of the installed clang version).
#
# Usage: tests/unit/fuzz-translate.sh [SECONDS]

secs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
CLANG=${CLANG:-clang}
jit="$top_srcdir/kmod/jit"

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP $CLANG not found (Debian package: clang)"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$top_srcdir/kmod" \
	"$jit/decode.c" "$jit/translate.c" "$jit/emit.c" "$jit/liveness.c" \
	"$top_srcdir/tests/unit/fuzz-translate.c" \
	-o "$tmp/fuzz-translate" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "1..0 # SKIP libFuzzer not available (Debian package: libclang-rt-14-dev, or that of your clang version)"
	exit 77
fi
mkdir "$tmp/corpus"
n=0
# first byte: configuration (see fuzz-translate.c); then native code
for hex in 004889e5c3 08ff24c500000000 09e800000000c3 0f7405e2fe4801c3 \
	01ff2500001000 0b488b05000000004885c07403ffe0c3 \
	8d9090909090909090cc 0ae3fc7ffa0f85f0ffffff 05f30f1efa55c3 \
	1e48c7c0010000000f05c3 0c66e8000000005bc3 07ff5424f8ffd0c3; do
	n=$((n + 1))
	printf '%s' "$hex" | xxd -r -p >"$tmp/corpus/seed$n" 2>/dev/null ||
		printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$tmp/corpus/seed$n"
done
echo "1..1"
if "$tmp/fuzz-translate" -max_total_time="$secs" -max_len=600 \
	-timeout=10 -print_final_stats=1 "$tmp/corpus" >"$tmp/log" 2>&1; then
	echo "ok 1 - fuzz-translate for ${secs}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/log" | grep -o '[0-9]*$') executions"
else
	sed 's/^/# /' "$tmp/log" | tail -40
	echo "not ok 1 - fuzz-translate found a problem"
	exit 1
fi
sed -n 's/^\(stat::.*\)/# \1/p' "$tmp/log"
