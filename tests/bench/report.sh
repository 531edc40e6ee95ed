#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl report / jifl cover throughput on large synthetic recordings
# (tests/unit/make-report-fixture):
#   - BLOCKS (default 10 M) block-count entries spread over 20000 functions,
#     reported by function with symbol resolution through the kallsyms
#     snapshot (-s sym) and by block (-s block): entries per second end to
#     end (open, validate, resolve, group, sort, print), peak RSS;
#   - EVENTS (default 10 M) calltrace events in the current format (2.x,
#     make-report-fixture calls-compact: compact records of calltrace's
#     inline path, 32 threads on 4 CPUs with context switches, system
#     calls entered and left, a 150000-symbol kallsyms snapshot, nesting
#     about 10 deep, returns matched to calls by stack pointer in the
#     reader): the flat profile (the default), -g, --folded, --json and
#     jifl script (events per second, CPU seconds, peak RSS);
#   - DWARF_BLOCKS (default 2 M) blocks inside tests/target/jifl_target.ko
#     resolved through libdwfl to source lines (-s srcline) and turned
#     into an lcov tracefile (jifl cover), when the module can be built.
# The last line is "key=value ...". Targets: sym_rate >= 2000000 and
# calls_rate >= 20000000 (issue 12; per CPU second when the machine is
# shared: *_cpu_rate). BLOCKS or DWARF_BLOCKS 0 skips that part.
#
# Usage: tests/bench/report.sh [BLOCKS [DWARF_BLOCKS [EVENTS]]]

blocks=${1:-10000000}
dblocks=${2:-2000000}
events=${3:-10000000}
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
work=$(mktemp -d "$top_builddir/build/bench-report.XXXXXX" 2>/dev/null ||
	mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT

[ -x "$J" ] || { echo "bench: build jifl first (make)" >&2; exit 99; }
if [ ! -x "$GEN" ]; then
	${CC:-gcc} -O2 -I"$top_srcdir/src" -o "$work/gen" \
		"$top_srcdir/tests/unit/make-report-fixture.c" \
		"$top_srcdir/src/util/data-file.c" || exit 99
	GEN=$work/gen
fi

# run NAME CMD...: wall seconds, CPU seconds (user + system) and peak RSS
# (KB) of CMD into $NAME_s, $NAME_cpu, $NAME_kb; its output in $work/out,
# or in $RUN_OUT.  Rates are per wall
# second; on a loaded machine the CPU figure is the steadier one.
run() {
	local name=$1 s u y kb
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"${RUN_OUT:-$work/out}" 2>"$work/err" ||
		{ echo "bench: $* failed:" >&2; cat "$work/err" >&2; exit 1; }
	read -r s u y kb <"$work/time"
	printf -v "${name}_s" '%s' "$s"
	printf -v "${name}_cpu" '%s' "$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')"
	printf -v "${name}_kb" '%s' "$kb"
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }'; }

first=
if [ "$blocks" -gt 0 ]; then
	"$GEN" "$work/big.data" bench "$blocks" || exit 1
	size=$(stat -c %s "$work/big.data")
	run sym "$J" report -i "$work/big.data" --stdio -s sym
	grep -q 'bench_func_' "$work/out" || { echo "bench: no symbols resolved" >&2; exit 1; }
	run block "$J" report -i "$work/big.data" --stdio -s block
	run json "$J" report -i "$work/big.data" --json -s sym,module
	echo "report -s sym:    $blocks entries in ${sym_s}s (${sym_cpu}s CPU): $(rate "$blocks" "$sym_s")/s, peak RSS ${sym_kb} KB (file $size bytes)"
	echo "report -s block:  $blocks entries in ${block_s}s (${block_cpu}s CPU): $(rate "$blocks" "$block_s")/s, peak RSS ${block_kb} KB"
	echo "report --json -s sym,module: ${json_s}s"
	rm -f "$work/big.data"
	first="blocks=$blocks sym_s=$sym_s sym_cpu_s=$sym_cpu sym_rate=$(rate "$blocks" "$sym_s") sym_cpu_rate=$(rate "$blocks" "$sym_cpu") sym_rss_kb=$sym_kb block_rate=$(rate "$blocks" "$block_s") block_rss_kb=$block_kb "
fi

# Events per wall and per CPU second, peak RSS: one line per command
calls_line() {
	local name=$1 what=$2 s cpu kb
	eval "s=\${${name}_s} cpu=\${${name}_cpu} kb=\${${name}_kb}"
	printf '%-24s %s events in %ss (%ss CPU): %s/s, %s/s per CPU second, peak RSS %s KB\n' \
		"$what:" "$events" "$s" "$cpu" "$(rate "$events" "$s")" \
		"$(rate "$events" "$cpu")" "$kb"
}
"$GEN" "$work/calls.data" calls-compact "$events" || exit 1
csize=$(stat -c %s "$work/calls.data")
load=$(cut -d' ' -f1 /proc/loadavg)
run calls "$J" report -i "$work/calls.data" --stdio
grep -q 'bench_func_' "$work/out" || { echo "bench: no call profile" >&2; exit 1; }
run graph "$J" report -i "$work/calls.data" --stdio -g
run folded "$J" report -i "$work/calls.data" --folded
run cjson "$J" report -i "$work/calls.data" --json
# a line per event, 1.5 GB: written but not kept
RUN_OUT=/dev/null run script "$J" script -i "$work/calls.data"
echo "calltrace recording (2.x, compact records): $events events, $csize bytes ($(awk -v s="$csize" -v n="$events" 'BEGIN { printf "%.1f", s / n }') per event), load average $load on $(nproc) CPUs"
calls_line calls "report (flat, default)"
calls_line graph "report -g"
calls_line folded "report --folded"
calls_line cjson "report --json"
calls_line script "script"
rm -f "$work/calls.data"
extra="events=$events load=$load calls_rate=$(rate "$events" "$calls_s") calls_cpu_rate=$(rate "$events" "$calls_cpu") calls_rss_kb=$calls_kb graph_rate=$(rate "$events" "$graph_s") graph_cpu_rate=$(rate "$events" "$graph_cpu") graph_rss_kb=$graph_kb folded_rate=$(rate "$events" "$folded_s") folded_cpu_rate=$(rate "$events" "$folded_cpu") json_rate=$(rate "$events" "$cjson_s") json_cpu_rate=$(rate "$events" "$cjson_cpu") script_rate=$(rate "$events" "$script_s") script_cpu_rate=$(rate "$events" "$script_cpu") script_rss_kb=$script_kb"
. "$top_srcdir/tests/unit/report-target.sh"
if [ "$dblocks" -gt 0 ] && target_ko 2>/dev/null; then
	target_spec "$work/dw.spec" 0 "$KO_ID" all "" jt_loop
	grep -v '^block' "$work/dw.spec" >"$work/dw2.spec"
	echo "blocks $BASE 0x590 $dblocks" >>"$work/dw2.spec"
	"$GEN" "$work/dw.data" spec "$work/dw2.spec" || exit 1
	run src "$J" report -i "$work/dw.data" --stdio -s srcline --symfs "$KODIR"
	grep -q 'jifl_target\.c:' "$work/out" || { echo "bench: no source lines" >&2; exit 1; }
	run cov "$J" cover -i "$work/dw.data" --lcov --symfs "$KODIR"
	echo "report -s srcline (libdwfl): $dblocks entries in ${src_s}s: $(rate "$dblocks" "$src_s")/s, peak RSS ${src_kb} KB"
	echo "cover --lcov (libdwfl):      $dblocks entries in ${cov_s}s: $(rate "$dblocks" "$cov_s")/s, peak RSS ${cov_kb} KB"
	extra="$extra dwarf_blocks=$dblocks srcline_rate=$(rate "$dblocks" "$src_s") srcline_rss_kb=$src_kb cover_rate=$(rate "$dblocks" "$cov_s") cover_rss_kb=$cov_kb"
fi
echo "$first$extra"
