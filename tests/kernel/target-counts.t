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
# entered at ATTACH (default: the ioctl system call), check its section
check_section() {
	local name=$1 args=$2 vars=$3 at=${4:-__x64_sys_ioctl}
	local line fn off formula want got bad=0
	"$TR" -b -m jifl_target -a "$at" -o "$work/stats" \
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
check_section fault "fault 5" "N=5" handle_mm_fault
check_section fault "fault 64" "N=64" handle_mm_fault
# attached at handle_mm_fault alone, every entry is a fault entry; the
# 64 faults of the device mapping are among them
e=$(sed -n 's/^entries=//p' "$work/stats")
ef=$(sed -n 's/^entries_fault=//p' "$work/stats")
[ -n "$e" ] && [ "$e" = "$ef" ] && [ "$ef" -ge 64 ]
ok $? "fault 64: entries counted as faults (entries=$e entries_fault=$ef)"

! dmesg | grep -qE 'WARNING|BUG:|Oops'
ok $? "no WARNING, BUG or Oops in the kernel log"
rmmod jifl_target
ok $? "rmmod jifl_target"
rm -rf "$work"
done_testing
