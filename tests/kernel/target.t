#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: loads the test-target module jifl_target.ko (from
# $JIFL_TARGET_KO), runs every scenario natively with run-target ($RUN_TARGET,
# default $top_builddir/tests/target/run-target) and checks each result
# against values computed here from the scenario definitions
# (tests/target/jifl_target.h), then unloads the module.
. "$top_srcdir/tests/lib.sh"

ko=${JIFL_TARGET_KO:-}
rt=${RUN_TARGET:-$top_builddir/tests/target/run-target}
[ -n "$ko" ] || skip_all "JIFL_TARGET_KO is not set"
[ -f "$ko" ] || skip_all "$ko: no such module"
[ -x "$rt" ] || skip_all "$rt: not built"

# ---- expected results, from the definitions --------------------------------
line() { echo "scenario=$1 arg=$2 result=$3"; }

exp_switch() {
	case $1 in
	0) echo $(($1 + 100)) ;;
	1) echo $(($1 * 3)) ;;
	2) echo $(($1 ^ 0x55)) ;;
	3) echo $(($1 << 4)) ;;
	4) echo $(($1 * $1)) ;;
	5) echo $(($1 - 1)) ;;
	6) echo $(($1 | 0x100)) ;;
	7) echo $((~$1 & 0xffff)) ;;
	8) echo $(($1 * 7 + 1)) ;;
	9) echo $(($1 >> 1)) ;;
	*) echo $((0xdef)) ;;
	esac
}

# acc = 1; for i < N: acc = jt_ops[i & 3](acc, i)
exp_indirect() {
	acc=1 i=0
	while [ "$i" -lt "$1" ]; do
		case $((i & 3)) in
		0) acc=$((acc + i)) ;;
		1) acc=$((acc * 3 % 1000003)) ;;
		2) acc=$((acc ^ (i * 7))) ;;
		3) acc=$((acc - (acc >> 2))) ;;
		esac
		i=$((i + 1))
	done
	echo "$acc"
}

# The copy scenario's bytes as a little-endian u64 (all below 0x80).
exp_copy() {
	v=0 sh=0
	for b in $(printf 'jifl_tgt' | od -An -tu1); do
		v=$((v + (b << sh)))
		sh=$((sh + 8))
	done
	echo "$v"
}

expected() {
	for n in 0 1 10 1000 1000000; do line loop "$n" $((n * n)); done
	line loop 1000001 -EINVAL
	for nm in 0,5 3,0 1,1 3,4 20,30 1000,1000; do
		n=${nm%,*} m=${nm#*,}
		line nested "$nm" $((n * m * (n * m - 1) / 2))
	done
	line nested 1001,1 -EINVAL
	line nested 1,1001 -EINVAL
	for n in 0 1 2 3 4 5 6 7 8 9 10 12345; do
		line switch "$n" "$(exp_switch "$n")"
	done
	for n in 0 1 2 3 4 7 1000; do
		line indirect "$n" "$(exp_indirect "$n")"
	done
	for n in 0 1 10 100; do
		line recurse "$n" $((n * (n + 1) * (2 * n + 1) / 6))
	done
	line recurse 101 -EINVAL
	line copy good "$(exp_copy)"
	line copy unmapped -EFAULT
	line copy kernel -EFAULT
	for n in 1 5; do line sleep "$n" "$n"; done
	for n in 0 1 100 10000; do line spin "$n" $((n * (n - 1) / 2)); done
	for n in 0 7; do line warn "$n" $((2 * n + 1)); done
	line warn 0x5741524e -EINVAL
	# JT_FAULT_WORD (3) per page read
	line fault 1 3
	line fault 64 192
	line fault 65 -EINVAL
	# N tasklet runs of M odd numbers each
	for nm in 0,5 3,0 4,7 100,100; do
		n=${nm%,*} m=${nm#*,}
		line tasklet "$nm" $((n * m * m))
	done
	line tasklet 10001,1 -EINVAL
}

# ---- the module --------------------------------------------------------------
warnings_before=$(dmesg | grep -c -E 'WARNING:|BUG:|Oops')
expect_status "insmod jifl_target.ko" 0 insmod "$ko"
[ -c /dev/jifl_target ]; ok $? "/dev/jifl_target is a character device"
mode=$(stat -c %a /dev/jifl_target 2>/dev/null)
[ "$mode" = 600 ]; ok $? "/dev/jifl_target has mode 0600 (got $mode)"

# ---- run-target all ----------------------------------------------------------
got=$("$rt" all 2>"${TMPDIR:-/tmp}/run-target.err"); status=$?
ok $status "run-target all exits 0"
[ $status -eq 0 ] || diag "$(cat "${TMPDIR:-/tmp}/run-target.err")"
want=$(expected)
while IFS= read -r w; do
	key=${w% result=*}
	g=$(printf '%s\n' "$got" | grep -F -x -- "$w")
	[ -n "$g" ]; ok $? "$w"
	[ -n "$g" ] || diag "got: $(printf '%s\n' "$got" | grep -F -- "$key result=")"
done <<EOF
$want
EOF
[ "$got" = "$want" ]; ok $? "run-target all prints exactly the expected lines, in order"

# ---- single scenarios ----------------------------------------------------------
expect_status "run-target loop 7 exits 0" 0 "$rt" loop 7
expect_match "run-target loop 7 prints 49" "^scenario=loop arg=7 result=49$"
expect_status "run-target nested 2 3 exits 0" 0 "$rt" nested 2 3
expect_match "run-target nested 2 3 prints 15" "^scenario=nested arg=2,3 result=15$"
expect_status "run-target copy unmapped exits 1" 1 "$rt" copy unmapped
expect_match "run-target copy unmapped prints -EFAULT" "result=-EFAULT$"
expect_status "run-target with a bad scenario exits 2" 2 "$rt" nosuch 1

# ---- kernel log, unload --------------------------------------------------------
warnings_after=$(dmesg | grep -c -E 'WARNING:|BUG:|Oops')
[ "$warnings_after" -eq "$warnings_before" ]
ok $? "no WARNING/BUG/Oops in dmesg (before $warnings_before, after $warnings_after)"
[ "$warnings_after" -eq "$warnings_before" ] ||
	diag "$(dmesg | grep -E -A5 'WARNING:|BUG:|Oops' | tail -n 30)"
expect_status "rmmod jifl_target" 0 rmmod jifl_target
! grep -q '^jifl_target ' /proc/modules; ok $? "jifl_target is gone from /proc/modules"
[ ! -e /dev/jifl_target ]; ok $? "/dev/jifl_target is gone"
done_testing
