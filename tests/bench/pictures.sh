#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sizes and times of jifl report's pictures of one calltrace recording:
# --chrome (JSON), --perfetto (protobuf) and --flamegraph (SVG), and the
# ratio Chrome JSON / Perfetto trace.  The recording is FILE (a real
# jifl.data, e.g. build/demo/jifl.data from `make demo`) or, given a
# number, that many records of make-report-fixture's calls-skewed (kernel-
# shaped: 2000 functions, a few called most) and calls-bench (uniform over
# 20000 functions, the worst case for per-thread interning).
# With python3, tests/bench/perfetto-check.py checks the trace against the
# JSON (calls and summed durations per thread; perfetto_check=match).
# The last line is "key=value ...". Target: perfetto_ratio >= 5.
#
# Usage: tests/bench/pictures.sh [FILE.data | EVENTS]   (default 2000000)

arg=${1:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
work=$(mktemp -d "$top_builddir/build/bench-pictures.XXXXXX" 2>/dev/null ||
	mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT

[ -x "$J" ] || { echo "bench: build jifl first (make)" >&2; exit 99; }

# run NAME CMD...: wall and CPU seconds of CMD into $NAME_s, $NAME_cpu
run() {
	local name=$1 s u y
	shift
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$@" 2>"$work/err" ||
		{ echo "bench: $* failed:" >&2; cat "$work/err" >&2; exit 1; }
	read -r s u y <"$work/time"
	printf -v "${name}_s" '%s' "$s"
	printf -v "${name}_cpu" '%s' "$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')"
}

# pictures LABEL FILE.data: prints the sizes; sets $line
pictures() {
	local label=$1 data=$2 c p g calls ratio
	run chrome sh -c '"$0" report -i "$1" --chrome >"$2"' "$J" "$data" "$work/t.json"
	run perfetto "$J" report -i "$data" --perfetto "$work/t.pftrace"
	run flame "$J" report -i "$data" --flamegraph "$work/t.svg"
	c=$(stat -c %s "$work/t.json")
	p=$(stat -c %s "$work/t.pftrace")
	g=$(stat -c %s "$work/t.svg")
	calls=$(grep -c '"ph": "X"' "$work/t.json")
	ratio=$(awk -v c="$c" -v p="$p" 'BEGIN { printf "%.2f", p ? c / p : 0 }')
	check=skipped
	if command -v python3 >/dev/null 2>&1; then
		python3 "$here/perfetto-check.py" "$work/t.pftrace" "$work/t.json" >"$work/check"
		check=$(cut -d: -f1 "$work/check")
		echo "$label: perfetto-check: $(cat "$work/check")"
	fi
	echo "$label: $calls calls: --chrome $c bytes (${chrome_s}s), --perfetto $p bytes (${perfetto_s}s, $(awk -v p="$p" -v n="$calls" 'BEGIN { printf "%.1f", n ? p / n : 0 }') bytes a call), ratio ${ratio}x; --flamegraph $g bytes (${flame_s}s)"
	line="calls=$calls chrome_bytes=$c perfetto_bytes=$p perfetto_ratio=$ratio perfetto_check=$check flamegraph_bytes=$g chrome_s=$chrome_s perfetto_s=$perfetto_s flamegraph_s=$flame_s"
	rm -f "$work/t.json" "$work/t.pftrace" "$work/t.svg"
}

if [ -f "$arg" ]; then
	pictures "$arg" "$arg"
	echo "$line"
	exit 0
fi
[ -x "$GEN" ] || { echo "bench: make check builds $GEN; run it first" >&2; exit 99; }
"$GEN" "$work/u.data" calls-bench "$arg" || exit 1
pictures "calls-bench $arg (uniform, 20000 functions)" "$work/u.data"
uniform=$line
rm -f "$work/u.data"
"$GEN" "$work/s.data" calls-skewed "$arg" || exit 1
pictures "calls-skewed $arg (kernel-shaped, 2000 functions)" "$work/s.data"
echo "events=$arg $line uniform_ratio=$(echo "$uniform" | sed 's/.*perfetto_ratio=\([^ ]*\).*/\1/')"
