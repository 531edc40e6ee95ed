#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Syscall microbenchmarks natively, under jifl with no instrumentation
# (tests/kernel/trace-run at the system calls, and `jifl record -e none`),
# and under jifl with block counting, interleaved in one boot of each
# target kernel.  Under QEMU icount by default (tests/bench/README): a guest
# nanosecond is a guest instruction, so the figures are instructions per
# operation, and entry_insns (what entering the cache costs a system call
# with no instrumentation) is getppid under `jifl record -e none` minus
# getppid natively.  Last line: key=value figures.
#
#   tests/bench/syscalls.sh [KERNEL_SERIES] [ROUNDS] [ITERATIONS]
set -eu
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} rounds=${2:-3} iters=${3:-20000}
make -s tests/kernel/trace-run src/jifl >/dev/null
cc -O2 -Wall -o build/syscall-micro tests/bench/syscall-micro.c
bench_kmod "$series" syscalls.sh
out=$(mktemp -d "$top/build/bench.XXXXXX")
cat >"$out/guest.sh" <<GUEST
set -e
for r in \$(seq 1 $rounds); do
	$top/build/syscall-micro $iters | sed 's/^/native /'
	$top/tests/kernel/trace-run -a '__x64_sys_*' -a __do_sys_getppid -o /dev/null -- \
		$top/build/syscall-micro $iters | sed 's/^/none /'
	$top/tests/kernel/trace-run -b -a '__x64_sys_*' -a __do_sys_getppid -o /dev/null -- \
		$top/build/syscall-micro $iters | sed 's/^/bbcount /'
	rm -f /tmp/s.data /tmp/s.data.old
	$top/src/jifl record -q -e none -o /tmp/s.data -- \
		$top/build/syscall-micro $iters | sed 's/^/record_none /'
done
GUEST
# shellcheck disable=SC2086  # the words of $bench_vm_opts
tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 3600 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
# best (lowest) time of each mode and benchmark over the rounds
awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v commit="$(git rev-parse --short HEAD)" '
{ k = $1 SUBSEP $2; if (!(k in best) || $3 < best[k]) best[k] = $3; if (!($2 in names)) { names[$2] = 1; order[++m] = $2 } }
END {
	u = accel == "icount" ? "insns" : "ns"
	printf "kernel %s, %s, commit %s: %s per operation (best of the rounds)\n", series, accel, commit, u
	printf "%-14s %10s %10s %10s %10s %7s %7s %7s\n", "benchmark", "native", "none", "bbcount", "rec_none", "none_x", "bbc_x", "rec_x"
	line = "kernel=" series " accel=" accel
	for (i = 1; i <= m; i++) {
		n = order[i]
		nat = best["native", n]; no = best["none", n]; bb = best["bbcount", n]; rn = best["record_none", n]
		printf "%-14s %10.1f %10.1f %10.1f %10.1f %7.2f %7.2f %7.2f\n", n, nat, no, bb, rn, no / nat, bb / nat, rn / nat
		line = line sprintf(" %s_none=%.2f %s_bbcount=%.2f %s_record_none=%.2f", n, no / nat, n, bb / nat, n, rn / nat)
	}
	if (accel == "icount")
		line = line sprintf(" getppid_native_insns=%.0f entry_insns=%.0f", best["native", "getppid"],
			best["record_none", "getppid"] - best["native", "getppid"])
	print line
}' "$out/results.txt"
