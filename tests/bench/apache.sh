#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The mission's benchmark, side by side in one boot: apache2 in the guest,
# ab's requests per second natively, under `jifl record -e MODE -- ab` for
# each plugin (none, bbcount, cover, calltrace, sysstat), and under the
# kernel's own tracers on the same work (ftrace function and
# function_graph, restricted to the ab process with set_ftrace_pid and
# function-fork), each at a cold size (every jifl session starts with an
# empty cache) and a warm one.  Under QEMU icount by default: guest time is
# the guest instruction count, so the ratios are exact and repeatable
# (tests/bench/README); --mttcg adds the multi-threaded TCG wall-clock
# figures of a second boot as a second column.
# Last line: key=value, every ratio in percent of native, the translated
# blocks, translate_insns_per_block and entry_insns (tests/bench/README
# explains both derivations).
#
#   tests/bench/apache.sh [--kernel SERIES] [--cold N] [--warm N]
#                         [--rounds R] [--mttcg] [SERIES]
set -eu
usage() { sed -n '17,18s/^# \{0,1\}//p' "$0" >&2; exit 2; }
series=6.1 cold=300 warm=3000 rounds=1 mttcg=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:?}; shift 2 ;;
	--cold) cold=${2:?}; shift 2 ;;
	--warm) warm=${2:?}; shift 2 ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--mttcg) mttcg=1; shift ;;
	-h | --help) usage ;;
	-*) echo "apache.sh: unknown option '$1'" >&2; usage ;;
	*) series=$1; shift ;;
	esac
done
. "$(dirname "$0")/vm-bench.sh"
bench_need_apache apache.sh
make -s src/jifl >/dev/null
cc -O2 -Wall -o build/syscall-micro tests/bench/syscall-micro.c
bench_kmod "$series" apache.sh
out=$(mktemp -d "$top/build/bench-apache.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
T=/sys/kernel/tracing
url=http://127.0.0.1/
$top/tests/apache/apache-guest start /tmp/www || exit 1
modes="none bbcount cover sysstat"
\$J record -q -e calltrace -o /tmp/probe.data -- true 2>/dev/null && modes="\$modes calltrace"
rps() { sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' /tmp/ab.out; }
blocks() { sed -n 's/^\[ jifl record: \([0-9]*\) blocks translated.*/\1/p' /tmp/rec.err; }
# an ftrace tracer on the ab process and its children only: the pid is
# set by the shell that then execs ab
ftrace_ab() {
	echo nop >\$T/current_tracer
	echo 1 >\$T/options/function-fork
	bash -c 'echo \$\$ >/sys/kernel/tracing/set_ftrace_pid
		echo \$0 >/sys/kernel/tracing/current_tracer
		exec ab -q -n \$1 \$2' "\$1" "\$2" "\$3" >/tmp/ab.out
	echo nop >\$T/current_tracer
	echo >\$T/set_ftrace_pid
	echo 0 >\$T/options/function-fork
	echo >\$T/trace
}
# warm apache2, the page cache and every binary up: under icount a read
# that waits on the host costs a varying guest time (tests/vm/README)
ab -q -n 200 \$url >/dev/null
for m in \$modes; do \$J record -q -e \$m -o /tmp/w.data -- ab -q -n 20 \$url >/dev/null; done
ftrace_ab function 20 \$url; ftrace_ab function_graph 20 \$url
$top/build/syscall-micro 2000 getppid >/dev/null
for r in \$(seq 1 $rounds); do
	for n in $cold $warm; do
		ab -q -n \$n \$url >/tmp/ab.out; echo "native \$n \$(rps)"
		for m in \$modes; do
			rm -f /tmp/ab.data /tmp/ab.data.old
			\$J record -e \$m -o /tmp/ab.data -- ab -q -n \$n \$url >/tmp/ab.out 2>/tmp/rec.err
			echo "\$m \$n \$(rps) \$(blocks)"
		done
		ftrace_ab function \$n \$url; echo "ftrace_function \$n \$(rps)"
		ftrace_ab function_graph \$n \$url; echo "ftrace_graph \$n \$(rps)"
	done
	# the cost of a system call entry from the cache, no instrumentation
	echo "entry native \$($top/build/syscall-micro 20000 getppid)"
	rm -f /tmp/s.data /tmp/s.data.old
	echo "entry none \$(\$J record -q -e none -o /tmp/s.data -- $top/build/syscall-micro 20000 getppid)"
done
$top/tests/apache/apache-guest stop /tmp/www
GUEST

# run_boot ACCEL RESULTS: one boot running guest.sh
run_boot() {
	local opts=$bench_vm_opts
	[ "$1" = icount ] || opts="--accel $1 --smp 2"
	# shellcheck disable=SC2086  # the words of $opts
	tests/vm/vmrun -q --kernel "$rel" $opts --timeout 5400 --log "$out/console-$1.log" \
		--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
		-- bash "$out/guest.sh" >"$2"
}
run_boot "$JIFL_VM_ACCEL" "$out/results.txt"
cat "$out/results.txt" >&2
# MTTCG can Oops the stock guest as ftrace toggles (tests/vm/README): the
# icount figures stand without the second column
if [ "$mttcg" -eq 1 ]; then
	run_boot tcg "$out/results-mttcg.txt" ||
		{ echo "apache.sh: the MTTCG boot failed (status $?, $out/console-tcg.log): no MTTCG column" >&2
		  : >"$out/results-mttcg.txt"; }
	cat "$out/results-mttcg.txt" >&2
fi
[ -s "$out/results-mttcg.txt" ] || : >"$out/results-mttcg.txt"

awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v smp="$bench_smp" -v cold="$cold" -v warm="$warm" \
	-v rounds="$rounds" -v commit="$(git rev-parse --short HEAD)" "$bench_awk_median"'
FNR == 1 { file++ }
$1 == "entry" && file == 1 { e[$2] = $4 }	# entry MODE getppid NS
$1 != "entry" && NF >= 3 && $3 > 0 {
	k = file SUBSEP $1 SUBSEP $2
	v[k, ++c[k]] = $3
	if (NF >= 4) b[k] = $4
	if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 }
}
END {
	if (!c[1, "native", cold] || !c[1, "native", warm]) { print "apache.sh: no native figure" > "/dev/stderr"; exit 1 }
	nc = median(1 SUBSEP "native" SUBSEP cold); nw = median(1 SUBSEP "native" SUBSEP warm)
	mt = c[2, "native", cold] > 0
	if (mt) { mc = median(2 SUBSEP "native" SUBSEP cold); mw = median(2 SUBSEP "native" SUBSEP warm) }
	printf "kernel %s, %s, %d vCPU(s), commit %s, %d round(s); %% of native requests/s\n", series, accel, smp, commit, rounds
	printf "%-16s %10s %8s %10s %8s %8s", "mode", "cold rps", "cold %", "warm rps", "warm %", "blocks"
	if (mt) printf " %9s %9s", "mttcg c%", "mttcg w%"
	printf "   (cold: ab -n %d, warm: ab -n %d)\n", cold, warm
	line = sprintf("kernel=%s accel=%s smp=%d native_cold_rps=%.1f native_warm_rps=%.1f", series, accel, smp, nc, nw)
	for (i = 1; i <= m; i++) {
		k = order[i]
		rc = median(1 SUBSEP k SUBSEP cold); rw = median(1 SUBSEP k SUBSEP warm)
		printf "%-16s %10.1f %7.1f%% %10.1f %7.1f%% %8s", k, rc, 100 * rc / nc, rw, 100 * rw / nw, b[1, k, cold]
		if (mt) printf " %8.1f%% %8.1f%%", 100 * median(2 SUBSEP k SUBSEP cold) / mc, 100 * median(2 SUBSEP k SUBSEP warm) / mw
		printf "\n"
		if (k == "native") continue
		line = line sprintf(" %s_cold_pct=%.1f %s_warm_pct=%.1f", k, 100 * rc / nc, k, 100 * rw / nw)
		if (mt) line = line sprintf(" %s_cold_mttcg_pct=%.1f %s_warm_mttcg_pct=%.1f", k,
			100 * median(2 SUBSEP k SUBSEP cold) / mc, k, 100 * median(2 SUBSEP k SUBSEP warm) / mw)
	}
	# Guest ns = guest instructions under icount.  T(n) = n / rps is
	# ab time for n requests = F + n * t; two sizes give each mode fixed
	# F and per-request t; what none adds to native fixed, over the
	# blocks its cold session translated, is translation per block.
	if (accel == "icount" && b[1, "none", cold] > 0) {
		tn1 = cold / nc; tn2 = warm / nw
		tj1 = cold / median(1 SUBSEP "none" SUBSEP cold); tj2 = warm / median(1 SUBSEP "none" SUBSEP warm)
		fn = tn1 - cold * (tn2 - tn1) / (warm - cold)
		fj = tj1 - cold * (tj2 - tj1) / (warm - cold)
		per_req = 1e9 * ((tj2 - tj1) - (tn2 - tn1)) / (warm - cold)
		line = line sprintf(" none_cold_blocks=%d none_warm_blocks=%d none_fixed_insns=%.0f none_insns_per_request=%.0f translate_insns_per_block=%.0f",
			b[1, "none", cold], b[1, "none", warm], 1e9 * (fj - fn), per_req, 1e9 * (fj - fn) / b[1, "none", cold])
	}
	if (accel == "icount" && ("none" in e) && ("native" in e))
		line = line sprintf(" entry_insns=%.0f", e["none"] - e["native"])
	print line
}' "$out/results.txt" "$out/results-mttcg.txt"
