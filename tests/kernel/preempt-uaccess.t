#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: translations and preemptions inside user-access regions.
# On a fresh session every block of strncpy_from_user's loop, of the copy
# routines and of filldir64 is a miss, so the traced task enters the
# dispatcher between stac and clac; a SCHED_FIFO waker on the same CPU
# makes the dispatcher's preempt_enable() schedule right there (on
# preempt=full and PREEMPT_RT kernels), and switch_to keeps no EFLAGS.AC.
# Every session must compute what the native run computes, with no Oops
# (vmtest fails on any splat), whatever the plugins.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
PL=$top_builddir/tests/kernel/preempt-load
[ -x "$PL" ] || skip_all "$PL not built"
cd "$(mktemp -d)" || exit 1

diag "kernel $(uname -r), preemption: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null ||
	uname -v | grep -o 'PREEMPT[_A-Z]*' | head -n 1)"
"$PL" work 0 2 4 >native.out 2>native.err
ok $? "the load runs natively ($(head -n 1 native.out))"

"$PL" waker 0 100 600 &
waker=$!
i=0
for plugins in none calltrace sysstat calltrace,bbcount bbcount calltrace; do
	i=$((i + 1))
	"$J" record -q -e $plugins -o s$i.data -- "$PL" work 0 2 4 \
		>s$i.out 2>s$i.err
	st=$?
	[ $st = 0 ] && cmp -s native.out s$i.out
	good=$?
	ok $good "session $i (-e $plugins), preempted by the waker: same results as native ($(sed -n 's/^preempted //p' s$i.err) involuntary switches)"
	[ $good = 0 ] || diag "exit status $st" "$(head -n 20 s$i.err)" "$(cat s$i.out)"
done
kill $waker
wait $waker 2>/dev/null
n=$(cat s*.err | sed -n 's/^preempted //p' | awk '{ s += $1 } END { print s + 0 }')
[ "$n" -gt 0 ]
ok $? "the traced load was preempted ($n involuntary switches in all)"
"$J" record -q -e none -o after.data -- true
ok $? "a session starts after them"
done_testing
