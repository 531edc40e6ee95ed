#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exact block counts: run each scenario of jifl_target.ko with its system
# call executed from jifl's code cache and block counting on, and compare
# every basic block's execution count with the count derived by hand from
# the module's code (tests/target/expected-<series>.txt).
#
# Our blocks are dynamic (a jump into the middle of a translated block
# starts a new, overlapping one), so a static block's count is the sum of
# the counts of the translated blocks that contain its first instruction:
# every execution of an instruction happens in exactly one of them.
. "$top_srcdir/tests/lib.sh"
TR=$top_builddir/tests/kernel/trace-run
RT=${RUN_TARGET:-$top_builddir/tests/target/run-target}
work=$(mktemp -d)

[ -n "${JIFL_TARGET_KO:-}" ] || skip_all "JIFL_TARGET_KO not set (run through tests/kernel/vmtest)"
case $(uname -r) in
6.1.*) series=6.1 ;;
6.12.*) series=6.12 ;;
*) skip_all "no expected counts for kernel $(uname -r)" ;;
esac
expected=$top_srcdir/tests/target/expected-$series.txt
insmod "$JIFL_TARGET_KO"
ok $? "insmod jifl_target"

# address of each jifl_target function
declare -A func_addr
while read -r addr _ name _; do
	func_addr[$name]=$((16#$addr))
done < <(grep '\[jifl_target\]' /proc/kallsyms)

# count_at ADDR BLOCKFILE: executions of the instruction at ADDR (bash
# arithmetic: 64-bit, unlike awk's doubles)
count_at() {
	local a=$1 start len count n=0
	while read -r start len count; do
		start=$((16#$start))
		if [ "$start" -le "$a" ] && [ "$a" -lt $((start + len)) ]; then
			n=$((n + count))
		fi
	done <"$2"
	echo "$n"
}

# check_section NAME ARGS VARS [ATTACH]: run one scenario with the cache
# entered at ATTACH, trace-run's options (default: the ioctl system call,
# -a __x64_sys_ioctl; -s for softirq actions, -A for every task), check its
# section
check_section() {
	local name=$1 args=$2 vars=$3 at=${4:--a __x64_sys_ioctl}
	local line fn off formula want got bad=0
	# shellcheck disable=SC2086 # $at: options
	"$TR" -b -m jifl_target $at -o "$work/stats" \
		-B "$work/blocks" -- "$RT" $args >"$work/out" 2>&1
	local status=$?
	# the ioctl's own result is checked by target.t; here: it ran
	[ -s "$work/blocks" ] || { ok 1 "$name $args: blocks recorded (status $status)"; return; }
	while read -r fn off formula; do
		want=$(eval "$vars; echo \$(($formula))")
		got=$(count_at $((func_addr[$fn] + off)) "$work/blocks")
		if [ "$want" != "$got" ]; then
			diag "$name $args: $fn+$off ran $got times, expected $want ($formula)"
			bad=1
		fi
	done < <(awk -v s="$name" '/^scenario / { on = ($2 == s); next }
		on && NF == 3 && $1 !~ /^#/ { print }' "$expected")
	ok $bad "$name $args: every block's count is exact"
}

check_section loop "loop 7" "N=7"
check_section loop "loop 0" "N=0"
check_section nested "nested 3 4" "N=3 M=4"
for n in 0 1 2 3 4 5 6 7 8 9 10 11; do
	check_section switch "switch $n" "N=$n"
done
check_section indirect "indirect 9" "N=9"
check_section recurse "recurse 6" "N=6"
check_section copy "copy good" "F=0"
check_section copy "copy unmapped" "F=1"
check_section sleep "sleep 2" "N=2"
check_section spin "spin 5" "N=5"
check_section warn "warn 3" "N=3"
# the page-fault context: entered at handle_mm_fault, as jifl record's
# --contexts=fault does; every fault of the process enters, jt_fault()'s
# blocks count only the device mapping's
check_section fault "fault 5" "N=5" "-a handle_mm_fault"
check_section fault "fault 64" "N=64" "-a handle_mm_fault"
# attached at handle_mm_fault alone, every entry is a fault entry; the
# 64 faults of the device mapping are among them
e=$(sed -n 's/^entries=//p' "$work/stats")
ef=$(sed -n 's/^entries_fault=//p' "$work/stats")
[ -n "$e" ] && [ "$e" = "$ef" ] && [ "$ef" -ge 64 ]
ok $? "fault 64: entries counted as faults (entries=$e entries_fault=$ef)"

# stat NAME: a statistic of the last run
stat() { sed -n "s/^$1=//p" "$work/stats"; }
# the STOP ioctl of trace-run, not traced, passed the handler
r=$(stat rejected)
[ -n "$r" ] && [ "$r" -ge 1 ]
ok $? "fault 64: untraced calls counted as rejected (rejected=$r)"

# The softirq context: tasklet_action attached as a softirq action (-s),
# run from the ioctl's local_bh_enable() on the traced task; the ioctl
# itself native, then from the cache too (the softirq entered nested,
# from translated code, through the native __do_softirq)
check_section tasklet "tasklet 4 7" "N=4 M=7" "-s tasklet_action"
es=$(stat entries_softirq)
[ -n "$es" ] && [ "$es" -ge 4 ] && [ "$es" = "$(stat entries)" ]
ok $? "tasklet 4 7: entries counted as softirq (entries_softirq=$es)"
check_section tasklet "tasklet 3 0" "N=3 M=0" "-s tasklet_action"
check_section tasklet "tasklet 100 10" "N=100 M=10" \
	"-a __x64_sys_ioctl -s tasklet_action"
es=$(stat entries_softirq)
[ -n "$es" ] && [ "$es" -ge 100 ]
ok $? "tasklet 100 10 from the cache: softirq entries nested (entries_softirq=$es)"
# attached without -s, a softirq action never enters: refused
"$TR" -b -m jifl_target -a tasklet_action -o "$work/stats" \
	-- "$RT" tasklet 5 3 >"$work/out" 2>&1
rf=$(stat refused)
[ "$(stat entries)" = 0 ] && [ -n "$rf" ] && [ "$rf" -ge 5 ]
ok $? "tasklet_action attached for task context: refused in softirq (entries=$(stat entries) refused=$rf)"

# Every softirq action this kernel can attach, for every task (-A: the
# idle task's and ksoftirqd's too) while the traced loop runs from the
# cache: softirqs on irq exit interrupt it there and enter themselves
sirq=
for f in net_rx_action net_tx_action run_timer_softirq tasklet_action \
	tasklet_hi_action rcu_core_si blk_done_softirq hrtimer_run_softirq \
	run_rebalance_domains sched_balance_softirq; do
	grep -qx "$f" /sys/kernel/tracing/available_filter_functions &&
		sirq="$sirq -s $f"
done
check_section loop "loop 1000000" "N=1000000" "-A -a __x64_sys_ioctl $sirq"
es=$(stat entries_softirq)
[ -n "$es" ] && [ "$es" -ge 1 ]
ok $? "loop under -A: softirqs entered (entries_softirq=$es, actions:$sirq)"
check_section tasklet "tasklet 50 20" "N=50 M=20" "-A -a __x64_sys_ioctl $sirq"
# stop while softirqs run from the cache: 20 ioctls of 10000 tasklets of
# 10000 iterations (0.3 s or more each under TCG), the session stopped
# after 1 s. The unpin pass finds no tasklet on an IRQ stack
# (stop_machine waits for softirqs to end; on PREEMPT_RT they are task
# context, walked like any task), and the ioctls finish natively, each
# with the right result; fewer than the 200000 tasklets entered
"$TR" -t 1000 -a __x64_sys_ioctl -s tasklet_action -o "$work/stats" \
	-- sh -c "for i in \$(seq 20); do '$RT' tasklet 10000 10000; done" \
	>"$work/out" 2>&1
es=$(stat entries_softirq)
n=$(grep -cx "scenario=tasklet arg=10000,10000 result=1000000000000" "$work/out")
[ "$n" = 20 ] && [ -n "$es" ] && [ "$es" -gt 0 ] && [ "$es" -lt 200000 ]
ok $? "stop during tasklets from the cache: stopped while they ran ($es entered), all 20 results right ($n), inflight=$(stat inflight) at the stop"

# jifl record --contexts=softirq: the same entries, in the summary's
# softirq count (no system call attached: syscall 0)
J=${JIFL:-$top_builddir/src/jifl}
"$J" record -e bbcount --contexts=softirq --module jifl_target \
	-o "$work/rec.data" -- "$RT" tasklet 4 7 >"$work/out" 2>"$work/rec.err"
sum=$(sed -n 's/.* entries into the cache (\(.*\)) ]$/\1/p' "$work/rec.err")
es=$(printf '%s\n' "$sum" | sed -n 's/.*softirq: \([0-9]*\).*/\1/p')
grep -qx "scenario=tasklet arg=4,7 result=196" "$work/out" &&
	case $sum in "syscall: 0, fault: 0, softirq: "*) true ;; *) false ;; esac &&
	[ "${es:-0}" -ge 4 ]
ok $? "jifl record --contexts=softirq: tasklets entered ($sum)"

! dmesg | grep -qE 'WARNING|BUG:|Oops'
ok $? "no WARNING, BUG or Oops in the kernel log"
rmmod jifl_target
ok $? "rmmod jifl_target"
rm -rf "$work"
done_testing
