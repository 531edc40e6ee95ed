#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# calltrace event throughput in the VM (QEMU/TCG: emulated time, so the
# figures compare runs, not machines): jifl record -e calltrace of a
# system-call-heavy workload on every CPU, for each ring size; events per
# second written to jifl.data, records lost, bytes per event in the rings
# and in the file. Last line: key=value figures of the largest ring.
#
#   tests/bench/calltrace.sh [KERNEL_SERIES] [SECONDS] [RING_SIZES]
set -eu
# Not icount: a run of SECONDS of sleep-paced work on every CPU wants
# vCPUs in parallel (and 6.1 has one vCPU under icount).
export JIFL_VM_ACCEL=${JIFL_VM_ACCEL:-tcg}
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} secs=${2:-5} rings=${3:-"256K 4M 32M"}
make -s src/jifl >/dev/null
bench_kmod "$series" calltrace.sh
out=$(mktemp -d "$top/build/bench.XXXXXX")
cat >"$out/guest.sh" <<GUEST
cd "\$JIFL_VM_OUT" || exit 1
ncpu=\$(nproc)
# one worker per CPU: stat, read and close in a loop, for $secs seconds
cat >work.sh <<'W'
end=\$((\$(date +%s) + $secs))
while [ \$(date +%s) -lt \$end ]; do
	for i in 1 2 3 4 5 6 7 8 9 10; do
		read -r x </etc/hostname; [ -e /etc/passwd ]
	done
done
W
for m in $rings; do
	$top/src/jifl record -e calltrace -m \$m -o ct.data -- \
		sh -c "for c in \\\$(seq \$ncpu); do sh work.sh & done; wait" 2>rec.err
	echo "ring=\$m \$(tr '\n' ' ' <rec.err)"
done
GUEST
tests/vm/vmrun -q --kernel "$rel" --smp 2 --timeout 1800 --out "$out" \
	--log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
awk -v series="$series" '
/^ring=/ {
	ring = substr($1, 6)
	match($0, /jifl record: [0-9.]+ s,/); s = substr($0, RSTART + 13, RLENGTH - 15)
	match($0, /[0-9]+ events \(/); ev = substr($0, RSTART, RLENGTH - 9)
	match($0, /\([0-9]+ bytes,/); by = substr($0, RSTART + 1, RLENGTH - 8)
	match($0, /in [0-9]+ chunks/); ch = substr($0, RSTART + 3, RLENGTH - 10)
	lost = 0
	if (match($0, /WARNING: [0-9]+ events LOST/)) lost = substr($0, RSTART + 9, RLENGTH - 20)
	# in the file: the records, a 48-byte header and a 32-byte table entry per chunk
	fb = (by + ch * 80) / (ev ? ev : 1)
	printf "ring %-5s %8.2f s %10d events %10.0f events/s %8d lost %5.1f ring B/event %5.1f file B/event\n",
		ring, s, ev, ev / s, lost, by / (ev ? ev : 1), fb
	last = sprintf("kernel=%s ring=%s events_per_s=%.0f events=%d lost=%d ring_bytes_per_event=%.1f file_bytes_per_event=%.1f",
		series, ring, ev / s, ev, lost, by / (ev ? ev : 1), fb)
}
END { print last }' "$out/results.txt"
