#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# calltrace on apache's ab, side by side in one boot under QEMU icount
# (guest time = guest instructions, tests/bench/README): ab's requests per
# second natively, under `jifl record -e calltrace -- ab` with the inline
# path (the default) and with the clean-call path (jifl.ko's
# calltrace_inline=0, the path before issue 12), and under ftrace's
# function tracer restricted to ab; warm (after a warm-up session of each).
# Per calltrace session: events, bytes per event (the records, as the
# recorder counts them, and the whole jifl.data file), records lost, and guest instructions per event end to end ((ab's time under
# calltrace - native) / events: the records, the recorder, the rest of
# jifl). Then the demo's recording, ab -n 1000: events and bytes/event.
# Last line: key=value.
#
#   tests/bench/calltrace-apache.sh [--kernel SERIES] [--n N] [SERIES]
set -eu
usage() { sed -n '14,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
series=6.12 n=3000
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:?}; shift 2 ;;
	--n) n=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "calltrace-apache.sh: unknown option '$1'" >&2; usage ;;
	*) series=$1; shift ;;
	esac
done
. "$(dirname "$0")/vm-bench.sh"
bench_need_apache calltrace-apache.sh
make -s src/jifl >/dev/null
bench_kmod "$series" calltrace-apache.sh
out=$(mktemp -d "$top/build/bench-ctapache.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
T=/sys/kernel/tracing
P=/sys/module/jifl/parameters/calltrace_inline
url=http://127.0.0.1/
$top/tests/apache/apache-guest start /tmp/www || exit 1
rps() { sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' /tmp/ab.out; }
# "events lost file_bytes record_bytes" of the session's summary and file
summary() {
	ev=\$(sed -n 's/^\[ jifl record: \([0-9]*\) events (.*/\1/p' /tmp/rec.err)
	by=\$(sed -n 's/^\[ jifl record: [0-9]* events (\([0-9]*\) bytes.*/\1/p' /tmp/rec.err)
	lost=\$(sed -n 's/.*WARNING: \([0-9]*\) events LOST.*/\1/p' /tmp/rec.err)
	echo "\${ev:-0} \${lost:-0} \$(stat -c %s /tmp/ab.data) \${by:-0}"
}
session() {	# LABEL INLINE N
	echo \$2 >\$P
	rm -f /tmp/ab.data /tmp/ab.data.old
	\$J record -e calltrace -o /tmp/ab.data -- ab -q -n \$3 \$url >/tmp/ab.out 2>/tmp/rec.err
	echo "\$1 \$3 \$(rps) \$(summary)"
}
ab -q -n 200 \$url >/dev/null
for i in 1 0; do echo \$i >\$P; \$J record -q -e calltrace -o /tmp/w.data -- ab -q -n 20 \$url >/dev/null; done
ab -q -n $n \$url >/tmp/ab.out; echo "native $n \$(rps)"
session inline 1 $n
session clean_call 0 $n
echo nop >\$T/current_tracer
echo 1 >\$T/options/function-fork
bash -c 'echo \$\$ >/sys/kernel/tracing/set_ftrace_pid
	echo function >/sys/kernel/tracing/current_tracer
	exec ab -q -n \$0 \$1' $n \$url >/tmp/ab.out
echo nop >\$T/current_tracer
echo >\$T/set_ftrace_pid
echo "ftrace_function $n \$(rps)"
session demo_inline 1 1000
session demo_clean_call 0 1000
echo 1 >\$P
$top/tests/apache/apache-guest stop /tmp/www
GUEST
tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 5400 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2
awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v commit="$(git rev-parse --short HEAD)" '
{ rps[$1] = $3; n[$1] = $2; ev[$1] = $4; lost[$1] = $5; fb[$1] = $6; rb[$1] = $7 }
END {
	if (!rps["native"]) { print "calltrace-apache.sh: no native figure" > "/dev/stderr"; exit 1 }
	printf "kernel %s, %s, commit %s, ab -n %d (warm); demo: ab -n 1000\n", series, accel, commit, n["native"]
	printf "%-16s %10s %8s %10s %8s %10s %10s %10s\n", "mode", "req/s", "% native", "events", "lost", "rec B/ev", "file B/ev", "insns/ev"
	line = sprintf("kernel=%s accel=%s native_rps=%.1f", series, accel, rps["native"])
	split("native inline clean_call ftrace_function demo_inline demo_clean_call", order, " ")
	for (i = 1; i <= 6; i++) {
		k = order[i]
		if (!(k in rps)) continue
		pct = 100 * rps[k] / rps["native"]
		bpe = ev[k] ? fb[k] / ev[k] : 0
		# guest ns (= instructions) of ab beyond native, per event
		ipe = ev[k] && k !~ /^demo/ ? 1e9 * (n[k] / rps[k] - n[k] / rps["native"]) / ev[k] : 0
		rpe = ev[k] ? rb[k] / ev[k] : 0
		printf "%-16s %10.1f %7.1f%% %10s %8s %10s %10s %10s\n", k, rps[k], pct, ev[k] ? ev[k] : "",
			ev[k] ? lost[k] : "", rpe ? sprintf("%.1f", rpe) : "", bpe ? sprintf("%.1f", bpe) : "",
			ipe ? sprintf("%.0f", ipe) : ""
		if (k == "native") continue
		if (k !~ /^demo/) line = line sprintf(" %s_pct=%.1f", k, pct)
		if (ev[k]) line = line sprintf(" %s_events=%d %s_lost=%d %s_record_bytes_per_event=%.1f %s_file_bytes_per_event=%.1f", k, ev[k], k, lost[k], k, rpe, k, bpe)
		if (ipe) line = line sprintf(" %s_insns_per_event=%.0f", k, ipe)
	}
	print line
}' "$out/results.txt"
