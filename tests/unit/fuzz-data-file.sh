#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-data-file.c with clang's libFuzzer (+ ASan, UBSan)
# and runs it for SECONDS (default 20) on the jifl.data reader, seeded with
# valid files from the same source built as a seed writer.  Exit 77 (skip)
# when clang or libFuzzer is missing: install the Debian packages clang and
# libclang-rt-14-dev (or the -dev of the installed clang version).
#
# Usage: tests/unit/fuzz-data-file.sh [SECONDS]

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
src="$top_srcdir/src/util/data-file.c $top_srcdir/tests/unit/fuzz-data-file.c"
# shellcheck disable=SC2086
if ! "$CLANG" -g -O1 -DFUZZ_SEED_MAIN -I"$top_srcdir/src" $src \
	-o "$tmp/seed" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "not ok 1 - the seed writer does not build"
	exit 1
fi
# shellcheck disable=SC2086
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I"$top_srcdir/src" $src \
	-o "$tmp/fuzz-data-file" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "1..0 # SKIP libFuzzer not available (Debian package: libclang-rt-14-dev, or that of your clang version)"
	exit 77
fi
mkdir "$tmp/corpus"
if ! "$tmp/seed" "$tmp/corpus"; then
	echo "not ok 1 - the seed writer failed"
	exit 1
fi
echo "1..1"
if "$tmp/fuzz-data-file" -max_total_time="$secs" -max_len=4096 \
	-print_final_stats=1 "$tmp/corpus" >"$tmp/log" 2>&1; then
	echo "ok 1 - fuzz-data-file for ${secs}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/log" | grep -o '[0-9]*$') executions"
else
	sed 's/^/# /' "$tmp/log" | tail -40
	echo "not ok 1 - fuzz-data-file found a problem"
	exit 1
fi
sed -n 's/^\(stat::.*\)/# \1/p' "$tmp/log"
