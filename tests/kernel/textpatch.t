#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: translations follow kernel text that changes under them.
# - Static keys: a tracepoint enabled while the code around its site is
#   already translated fires from the translation (and, as a control, does
#   not when static branch sites are copied as they were).
# - Module unload: translations of a module traced with --module are
#   dropped when it unloads, and the module loaded again runs correctly.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
ko=${JIFL_TARGET_KO:-}
rt=${RUN_TARGET:-$top_builddir/tests/target/run-target}
cd "$(mktemp -d)" || exit 1

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
ev=$T/events/task/task_rename

# The shell renames itself (comm_write -> __set_task_comm, whose
# trace_task_rename() is a static branch), enables the tracepoint, then
# renames itself again: only the second rename may be traced.
renames() {
	echo 0 >$ev/enable
	echo >$T/trace
	"$J" record -q --syscalls write -o "$1.data" -- sh -c "
		echo jifl-before-$1 >/proc/self/comm
		echo 1 >$ev/enable
		echo jifl-after-$1 >/proc/self/comm"
	echo 0 >$ev/enable
	grep -c "newcomm=jifl-after-$1" $T/trace
}

if [ -d "$ev" ]; then
	n=$(renames live)
	[ "$n" = 1 ]; ok $? "a tracepoint enabled under a traced task fires from the cache ($n event)"
	grep -q "newcomm=jifl-before" $T/trace
	[ $? = 1 ]; ok $? "and not before it was enabled"
	n=$(JIFL_DEBUG_COPY_STATIC_BRANCHES=1 renames copied)
	[ "$n" = 0 ]; ok $? "control: with sites copied as they were, it does not fire ($n events)"
else
	skip "no task_rename tracepoint"
	skip "no task_rename tracepoint"
	skip "no task_rename tracepoint"
fi

if [ -n "$ko" ] && [ -f "$ko" ] && [ -x "$rt" ]; then
	insmod "$ko"
	native=$("$rt" indirect 100)
	"$J" record --module jifl_target -o mod.data -- sh -c "
		$rt indirect 100 && rmmod jifl_target && insmod $ko &&
		$rt indirect 100" >mod.out 2>mod.err
	ok $? "traced: run, unload, load again, run"
	[ "$(sed -n 1p mod.out)" = "$native" ] &&
		[ "$(sed -n 2p mod.out)" = "$native" ]
	ok $? "both runs give the native result ($native)"
	grep -q "translations dropped: their module was unloaded" mod.err
	ok $? "the unload dropped the module's translations" || cat mod.err >&2
	"$J" record -q --module jifl_target -o mod2.data -- "$rt" indirect 100 >mod2.out
	[ "$(cat mod2.out)" = "$native" ] &&
		"$J" report -i mod2.data -s module | grep -q jifl_target
	ok $? "a new session translates the reloaded module"
	rmmod jifl_target
else
	for i in 1 2 3 4; do skip "JIFL_TARGET_KO or run-target missing"; done
fi
done_testing
