#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Translator benchmark (tests/bench/translate-bench.c), measured side by
# side in one run: translation throughput (blocks/s), code expansion
# (cache/native bytes) without instrumentation and with block counting, and
# run time from the cache vs native for the jitrun workloads, likewise.
# Uses the automake-built binary if there is one, else builds it with gcc.
# The last line is "key=value ...".
#
# Usage: tests/bench/translate.sh [SCALE_PERCENT]   (default 100)

scale=${1:-100}
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
bench="$top_builddir/tests/bench/translate-bench"
# a configured tree rebuilds it first: a binary older than the sources
# would measure the translator as it was
[ -f "$top_builddir/Makefile" ] &&
	make -s -C "$top_builddir" tests/bench/translate-bench >/dev/null 2>&1

if [ ! -x "$bench" ]; then
	tmp=$(mktemp -d) || exit 99
	trap 'rm -rf "$tmp"' EXIT
	src="$top_srcdir"
	CC=${CC:-gcc}
	flags="-O2 -g -I$src/kmod -I$src/tests/unit -fno-strict-aliasing"
	set -e
	$CC $flags -mgeneral-regs-only -c "$src/tests/unit/jitrun/runtime.c" \
		-o "$tmp/runtime.o"
	$CC $flags -O1 -c "$src/tests/unit/jitrun/counted.c" -o "$tmp/counted.o"
	$CC $flags -static -no-pie -o "$tmp/translate-bench" \
		"$src/tests/bench/translate-bench.c" \
		"$src/tests/unit/jitrun/workloads.c" \
		"$src/tests/unit/jitrun/entry.S" "$tmp/runtime.o" "$tmp/counted.o" \
		"$src/kmod/jit/translate.c" "$src/kmod/jit/emit.c" \
		"$src/kmod/jit/liveness.c" "$src/kmod/jit/decode.c" -lm
	set +e
	bench="$tmp/translate-bench"
fi
"$bench" "$scale"
