#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPU use of `jifl top` while it refreshes, in the VM guest: system-wide,
# with a workload of system calls running, once with --stdio and once with
# the ncurses view in tmux; each for SECONDS at -d DELAY. The figure is
# top's own user+system CPU time over the wall time (QEMU/TCG emulates
# the CPU: absolute costs are inflated, compare them with each other).
# Last line: key=value.
#
#   tests/bench/top.sh [KERNEL_SERIES] [SECONDS] [DELAY]
set -eu
# Not icount: a run of SECONDS of sleep-paced work on every CPU wants
# vCPUs in parallel (and 6.1 has one vCPU under icount).
export JIFL_VM_ACCEL=${JIFL_VM_ACCEL:-tcg}
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} secs=${2:-20} delay=${3:-1}
make -s src/jifl >/dev/null
bench_kmod "$series" top.sh
out=$(mktemp -d "$top/build/bench-top.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
cd /tmp
# a steady workload: files opened, read and closed
( while :; do cat /etc/passwd /etc/hostname /etc/os-release >/dev/null; done ) &
load=\$!
hz=\$(getconf CLK_TCK)
cpu() { awk -v hz=\$hz '{ print (\$14 + \$15) / hz }' /proc/\$1/stat; }
# wait until top shows its first refresh, then measure SECONDS of it
measure() {	# measure NAME PID READY-FILE READY-REGEX
	for _ in \$(seq 1 600); do grep -q "\$4" "\$3" 2>/dev/null && break; sleep 0.1; done
	c0=\$(cpu \$2); t0=\$(date +%s.%N)
	sleep $secs
	c1=\$(cpu \$2); t1=\$(date +%s.%N)
	echo "\$1 \$(echo "\$c0 \$c1 \$t0 \$t1" | awk '{ printf "%.2f %.3f", 100 * (\$2 - \$1) / (\$4 - \$3), \$2 - \$1 }')"
}
\$J top --stdio -d $delay -E 25 >stdio.out 2>&1 &
pid=\$!
measure stdio \$pid stdio.out "blocks/s"
kill -INT \$pid; wait \$pid
echo "blocks \$(sed -n 's/.* \([0-9]*\) blocks translated.*/\1/p' stdio.out | tail -n 1)"
echo "refreshes \$(grep -c '^# jifl top' stdio.out)"
export TERM=xterm-256color
tmux -S /tmp/tm new-session -d -s b -x 160 -y 50 "\$J top -d $delay"
for _ in \$(seq 1 100); do pid=\$(pidof jifl) && break; sleep 0.1; done
tmux -S /tmp/tm capture-pane -p -t b >tui.out
for _ in \$(seq 1 600); do tmux -S /tmp/tm capture-pane -p -t b | grep -q "__x64_sys" && break; sleep 0.1; done
tmux -S /tmp/tm capture-pane -p -t b >tui.out
measure tui \$pid tui.out "blocks/s"
tmux -S /tmp/tm send-keys -t b q
sleep 1
tmux -S /tmp/tm kill-server 2>/dev/null
kill \$load
GUEST
tests/vm/vmrun -q --kernel "$rel" --timeout 1200 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2
awk -v series="$series" -v secs="$secs" -v delay="$delay" '
$1 == "stdio" { s = $2; scpu = $3 } $1 == "tui" { t = $2; tcpu = $3 }
$1 == "blocks" { b = $2 } $1 == "refreshes" { r = $2 }
END {
	if (s == "" || t == "") { print "top.sh: missing figures" > "/dev/stderr"; exit 1 }
	printf "jifl top, system-wide, -d %s, %s s each (kernel %s, %s blocks in the table):\n", delay, secs, series, b
	printf "  --stdio   %6.2f%% of one CPU (%.3f s CPU, %.1f ms per refresh)\n", s, scpu, 1000 * scpu * delay / secs
	printf "  ncurses   %6.2f%% of one CPU (%.3f s CPU, %.1f ms per refresh)\n", t, tcpu, 1000 * tcpu * delay / secs
	printf "kernel=%s delay=%s blocks=%s stdio_cpu_pct=%.2f tui_cpu_pct=%.2f stdio_ms_per_refresh=%.1f tui_ms_per_refresh=%.1f\n", series, delay, b, s, t, 1000 * scpu * delay / secs, 1000 * tcpu * delay / secs
}' "$out/results.txt"
