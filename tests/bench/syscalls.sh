#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Syscall microbenchmarks natively, under jifl with no instrumentation,
# and under jifl with block counting, interleaved in one boot of each
# target kernel (QEMU/TCG, so absolute times are emulated; the ratios are
# measured side by side). Last line: key=value figures.
#
#   tests/bench/syscalls.sh [KERNEL_SERIES] [ROUNDS] [ITERATIONS]
set -eu
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} rounds=${2:-3} iters=${3:-20000}
make -s tests/kernel/trace-run >/dev/null
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
done
GUEST
tests/vm/vmrun -q --kernel "$rel" --timeout 1800 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
# best (lowest) time of each mode and benchmark over the rounds
awk -v series="$series" '
{ k = $1 SUBSEP $2; if (!(k in best) || $3 < best[k]) best[k] = $3; names[$2] = 1 }
END {
	printf "%-14s %10s %10s %10s %7s %7s\n", "benchmark", "native_ns", "none_ns", "bbcount_ns", "none_x", "bbc_x"
	line = "kernel=" series
	for (n in names) {
		nat = best["native", n]; no = best["none", n]; bb = best["bbcount", n]
		printf "%-14s %10.1f %10.1f %10.1f %7.2f %7.2f\n", n, nat, no, bb, no / nat, bb / nat
		line = line sprintf(" %s_none=%.2f %s_bbcount=%.2f", n, no / nat, n, bb / nat)
	}
	print line
}' "$out/results.txt"
