#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where calltrace's guest instructions per event go, under QEMU icount
# (guest time = guest instructions, tests/bench/README), on a workload
# whose events are all system calls: dd if=/dev/zero of=/dev/null bs=1,
# COUNT and 2 x COUNT bytes, natively, under `jifl record -e none` and
# under `jifl record -e calltrace` (inline path, and the clean-call path
# with jifl.ko's calltrace_inline=0). Differences between the two counts
# cancel each session's start-up (the shell, dd's exec); per event, in
# CPU time (bash's times for dd, /proc/PID/schedstat of jifl record read
# around dd by dd's shell), not the guest's clock:
#   total    dd's added CPU time (beyond native) + the recorder's
#   none     the none session's added CPU time / the calltrace events
#            (the translated code itself, calls and returns included)
#   record   dd's added time - none: the record sequences in the cache,
#            chunk refills, context records, wake-ups
#   recorder the recorder's CPU time meanwhile
# Also lost records and bytes per event. Last line: key=value.
#
#   tests/bench/calltrace-cost.sh [--kernel SERIES] [--count N] [SERIES]
set -eu
usage() { sed -n '19,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }
series=6.12 count=20000
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:?}; shift 2 ;;
	--count) count=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "calltrace-cost.sh: unknown option '$1'" >&2; usage ;;
	*) series=$1; shift ;;
	esac
done
. "$(dirname "$0")/vm-bench.sh"
make -s src/jifl >/dev/null
bench_kmod "$series" calltrace-cost.sh
out=$(mktemp -d "$top/build/bench-ctcost.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
P=/sys/module/jifl/parameters/calltrace_inline
# dd's shell prints: dd's CPU us (user + system), the recorder's (its
# parent's) CPU ns meanwhile
cat >/tmp/w.sh <<'W'
read -r a _ </proc/\$PPID/schedstat
dd if=/dev/zero of=/dev/null bs=1 count=\$1 2>/dev/null
read -r b _ </proc/\$PPID/schedstat
times >/tmp/w.times
t=\$(sed -n 2p /tmp/w.times)
echo \$t | awk -v r=\$(( b - a )) '{ split(\$1, u, /[ms]/); split(\$2, s, /[ms]/)
	printf "%d %d\\n", 1e6 * (60 * u[1] + u[2] + 60 * s[1] + s[2]), r }'
W
# LABEL COUNT: "label count dd_us rec_ns events lost file_bytes"
session() {
	local w ev lost
	rm -f /tmp/c.data /tmp/c.data.old
	case \$1 in
	native) echo "\$1 \$2 \$(bash /tmp/w.sh \$2) 0 0 0"; return ;;
	none) w=\$(\$J record -e none -o /tmp/c.data -- bash /tmp/w.sh \$2 2>/tmp/rec.err) ;;
	inline) echo 1 >\$P; w=\$(\$J record -e calltrace -o /tmp/c.data -- bash /tmp/w.sh \$2 2>/tmp/rec.err) ;;
	clean_call) echo 0 >\$P; w=\$(\$J record -e calltrace -o /tmp/c.data -- bash /tmp/w.sh \$2 2>/tmp/rec.err) ;;
	esac
	ev=\$(sed -n 's/^\[ jifl record: \([0-9]*\) events (.*/\1/p' /tmp/rec.err)
	lost=\$(sed -n 's/.*WARNING: \([0-9]*\) events LOST.*/\1/p' /tmp/rec.err)
	echo "\$1 \$2 \$w \${ev:-0} \${lost:-0} \$(stat -c %s /tmp/c.data)"
}
dd if=/dev/zero of=/dev/null bs=1 count=1000 2>/dev/null
\$J record -q -e calltrace -o /tmp/c.data -- true
for m in native none inline clean_call; do
	session \$m $count
	session \$m $((2 * count))
done
echo 1 >\$P
GUEST
tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 3600 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2
awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v c1="$count" -v c2="$((2 * count))" \
    -v commit="$(git rev-parse --short HEAD)" '
{ us[$1, $2] = $3; rns[$1, $2] = $4; ev[$1, $2] = $5; lost[$1, $2] = $6; fb[$1, $2] = $7 }
END {
	if (!us["native", c2]) { print "calltrace-cost.sh: no native figure" > "/dev/stderr"; exit 1 }
	nat = us["native", c2] - us["native", c1]
	none = us["none", c2] - us["none", c1] - nat
	printf "kernel %s, %s, commit %s, dd bs=1 count=%d and %d\n", series, accel, commit, c1, c2
	printf "%-11s %9s %7s %8s %8s %8s %8s %9s\n", "mode", "events", "lost", "total", "none", "record", "recorder", "file B/ev"
	line = sprintf("kernel=%s accel=%s count=%d", series, accel, c1)
	split("inline clean_call", order, " ")
	for (i = 1; i <= 2; i++) {
		k = order[i]
		e = ev[k, c2] - ev[k, c1]
		if (e <= 0) continue
		prod = 1000 * (us[k, c2] - us[k, c1] - nat) / e
		nn = 1000 * none / e
		rec = (rns[k, c2] - rns[k, c1]) / e
		tot = prod + rec
		printf "%-11s %9d %7d %8.1f %8.1f %8.1f %8.1f %9.1f\n", k, ev[k, c2], lost[k, c2], tot, nn,
			prod - nn, rec, fb[k, c2] / (ev[k, c2] ? ev[k, c2] : 1)
		line = line sprintf(" %s_events=%d %s_lost=%d %s_lost_%d=%d %s_insns_per_event=%.1f %s_none_per_event=%.1f %s_recorder_per_event=%.1f %s_record_per_event=%.1f %s_file_bytes_per_event=%.1f",
			k, ev[k, c2], k, lost[k, c2], k, c1, lost[k, c1], k, tot, k, nn, k, rec, k, prod - nn, k, fb[k, c2] / (ev[k, c2] ? ev[k, c2] : 1))
	}
	print line
}' "$out/results.txt"
