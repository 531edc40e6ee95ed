#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-decode.c with clang's libFuzzer (+ ASan, UBSan)
# and runs it for SECONDS (default 20), seeded with a few instruction
# encodings.  Exit 77 (skip) when clang or libFuzzer is missing: install
# the Debian packages clang and libclang-rt-14-dev (or the -dev of the
# installed clang version).
#
# Usage: tests/unit/fuzz-decode.sh [SECONDS]

secs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
CLANG=${CLANG:-clang}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP $CLANG not found (Debian package: clang)"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$top_srcdir/kmod" \
	"$top_srcdir/kmod/jit/decode.c" "$top_srcdir/tests/unit/fuzz-decode.c" \
	-o "$tmp/fuzz-decode" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "1..0 # SKIP libFuzzer not available (Debian package: libclang-rt-14-dev, or that of your clang version)"
	exit 77
fi
mkdir "$tmp/corpus"
n=0
for hex in 90 c3 e8000100 00 4889e5 488b0500000000 0f1f440000 f30f1efa \
	c5fe6f07 62f1fe486f4701 8fe878c0c105 0fb9cc 66c7f81000 \
	c8100001 48b80102030405060708 0f0fc1b4 f20f78c10102 \
	6666666666666666666666666690 65ff0500000000 0f01cb d9c0; do
	n=$((n + 1))
	printf '%s' "$hex" | xxd -r -p >"$tmp/corpus/seed$n" 2>/dev/null ||
		printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$tmp/corpus/seed$n"
done
echo "1..1"
if "$tmp/fuzz-decode" -max_total_time="$secs" -max_len=32 \
	-print_final_stats=1 "$tmp/corpus" >"$tmp/log" 2>&1; then
	echo "ok 1 - fuzz-decode for ${secs}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/log" | grep -o '[0-9]*$') executions"
else
	sed 's/^/# /' "$tmp/log" | tail -40
	echo "not ok 1 - fuzz-decode found a problem"
	exit 1
fi
sed -n 's/^\(stat::.*\)/# \1/p' "$tmp/log"
