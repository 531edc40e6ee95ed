#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a jifl session costs the tasks it does not trace, in one boot: the
# getppid loop of syscall-micro and ab's requests against apache2 (both
# untraced), natively and with a session open on another task (trace-run
# at every system call, tracing only a task waiting), interleaved. The session's
# statistics count the ftrace handler's rejections (jifl_stats.rejected),
# so the tax divides into rejections per operation and guest instructions
# per rejection (icount: a guest ns is a guest instruction; no caches
# modelled, vCPUs serialised). Last line: key=value.
#
#   tests/bench/untraced.sh [SERIES] [ROUNDS] [AB_REQUESTS]
set -eu
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} rounds=${2:-3} nab=${3:-1000}
bench_need_apache untraced.sh
make -s tests/kernel/trace-run >/dev/null
cc -O2 -Wall -o build/syscall-micro tests/bench/syscall-micro.c
bench_kmod "$series" untraced.sh
out=$(mktemp -d "$top/build/bench-untraced.XXXXXX")
cat >"$out/guest.sh" <<GUEST
url=http://127.0.0.1/
$top/tests/apache/apache-guest start /tmp/www || exit 1
ab -q -n 200 \$url >/dev/null
rps() { sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' /tmp/ab.out; }
# session ARGS: a session on a task waiting for a FIFO, open while ARGS
# run untraced; then the handler's rejections during it
mkfifo /tmp/go
session() {
	$top/tests/kernel/trace-run -a '__x64_sys_*' -a __do_sys_getppid \
		-o /tmp/st -- sh -c 'read x </tmp/go' &
	sleep 1
	"\$@"
	echo >/tmp/go; wait
	sed -n 's/^rejected=//p' /tmp/st
}
for r in \$(seq 1 $rounds); do
	echo "native getppid \$($top/build/syscall-micro 20000 getppid | cut -d' ' -f2)"
	t=\$(session $top/build/syscall-micro 20000 getppid | tr '\n' ' ')
	echo "session getppid \$t"
	ab -q -n $nab \$url >/tmp/ab.out; echo "native ab \$(rps)"
	t=\$(session sh -c "ab -q -n $nab \$url >/tmp/ab.out")
	echo "session ab \$(rps) \$t"
done
$top/tests/apache/apache-guest stop /tmp/www
GUEST
# shellcheck disable=SC2086  # the words of $bench_vm_opts
tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 3600 \
	--log "$out/console.log" --insmod "build/kmod-$rel/jifl_cache.ko" \
	--insmod "build/kmod-$rel/jifl.ko" -- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2
# medians over the rounds; the session's getppid line is "getppid NS REJECTED"
# (syscall-micro prints "getppid NS"), ab's "rps rejected"
awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v smp="$bench_smp" \
	-v nab="$nab" -v commit="$(git rev-parse --short HEAD)" "$bench_awk_median"'
function add(k, x) { v[k, ++c[k]] = x }
$1 == "native" { add($2, $3) }
$1 == "session" && $2 == "getppid" { add("s_getppid", $4); add("s_getppid_rej", $5) }
$1 == "session" && $2 == "ab" { add("s_ab", $3); add("s_ab_rej", $4) }
END {
	u = accel == "icount" ? "insns" : "ns"
	g0 = median("getppid"); g1 = median("s_getppid")
	a0 = median("ab"); a1 = median("s_ab")
	# getppid: 22000 calls (a tenth warm-up) plus the loop tool itself
	gr = median("s_getppid_rej") / 22000
	ar = median("s_ab_rej") / nab
	gtax = g1 - g0; atax = 1e9 / a1 - 1e9 / a0
	printf "kernel %s, %s, %d vCPU(s), commit %s: untraced tasks, natively and with a session open on another task\n", series, accel, smp, commit
	printf "getppid: %.1f -> %.1f %s per call, %.2f rejections per call: %.0f %s per rejection\n", g0, g1, u, gr, gr ? gtax / gr : 0, u
	printf "ab: %.1f -> %.1f requests/s, %.1f rejections per request, %.0f %s per request: %.0f per rejection\n", a0, a1, ar, atax, u, ar ? atax / ar : 0
	printf "kernel=%s accel=%s smp=%d getppid_native=%.1f getppid_session=%.1f getppid_rejections=%.2f ab_native_rps=%.1f ab_session_rps=%.1f ab_rejections_per_request=%.1f ab_tax_per_request=%.0f insns_per_rejection=%.0f\n", series, accel, smp, g0, g1, gr, a0, a1, ar, atax, ar ? atax / ar : 0
}' "$out/results.txt"
