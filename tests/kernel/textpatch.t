#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: translations follow kernel text that changes under them.
# - Static keys: a tracepoint enabled while the code around its site is
#   already translated fires from the translation (and, as a control, does
#   not when static branch sites are copied as they were).
# - Static calls: a tracepoint's static call switched from its one probe to
#   the iterator (a second probe) is followed; jifl_target's static call,
#   tail call and static key too (--module), each with a control.
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
	"$J" record --syscalls write -o "$1.data" 2>"$1.err" -- sh -c "
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
	# the site's copy is a direct jmp that the key update repointed
	sb=$(sed -n 's/.* \([0-9]*\) static branch sites .*, \([0-9]*\) repointed.*/\1 \2/p' live.err)
	[ "${sb%% *}" -gt 0 ] 2>/dev/null && [ "${sb##* }" -gt 0 ]
	ok $? "static branch sites ran as direct jmps, repointed by the update (${sb:-none})"
	n=$(JIFL_DEBUG_COPY_STATIC_BRANCHES=1 renames copied)
	[ "$n" = 0 ]; ok $? "control: with sites copied as they were, it does not fire ($n events)"
else
	skip "no task_rename tracepoint"
	skip "no task_rename tracepoint"
	skip "no task_rename tracepoint"
	skip "no task_rename tracepoint"
fi

# Static calls of the core kernel: a tracepoint's static call goes from its
# one probe, called directly, to the iterator over all probes when a second
# one registers. With task_rename enabled in the top instance, the traced
# shell renames itself (the translation of the tracepoint's site is made
# while it calls the one probe), enables the event in a second instance,
# and renames itself again: both instances must see that rename.
inst=$T/instances/jifl-sc
instances() {
	mkdir -p $inst 2>/dev/null
	echo 0 >$ev/enable
	echo 0 >$inst/events/task/task_rename/enable
	echo >$T/trace
	echo >$inst/trace
	echo 1 >$ev/enable
	env "$@" "$J" record -q --syscalls write -o sc.data -- sh -c "
		echo jifl-sc-before >/proc/self/comm
		echo 1 >$inst/events/task/task_rename/enable
		echo jifl-sc-after >/proc/self/comm"
	echo 0 >$ev/enable
	echo 0 >$inst/events/task/task_rename/enable
	echo "$(grep -c newcomm=jifl-sc-after $T/trace) $(grep -c newcomm=jifl-sc-after $inst/trace)"
}

if [ -d "$ev" ] && mkdir -p $inst 2>/dev/null; then
	n=$(instances)
	[ "$n" = "1 1" ]
	ok $? "a static call updated under a traced task calls its new function (events: top, second instance: $n)"
	n=$(instances JIFL_DEBUG_COPY_STATIC_CALLS=1)
	[ "$n" = "1 0" ]
	ok $? "control: with static calls copied, the old probe alone is called ($n)"
	rmdir $inst
else
	skip "no tracefs instances"
	skip "no tracefs instances"
fi

# Module code (--module): jifl_target's static key and static call are
# flipped (JT_IOC_PATCH) between runs of jt_static() under one session, so
# the second and later runs use translations made in an earlier state.
# f = i + 1, 2i + 7, then 0 (__static_call_return0): for N = 100,
# sum(2 f(i)) = 10100, 21200, 0, plus 1000 an iteration while the key is on.
statics() {
	"$rt" patch 0 0 >/dev/null
	env "$@" "$J" record -q --module jifl_target -o static.data -- sh -c "
		$rt static 100; $rt patch 1 1 >/dev/null; $rt static 100
		$rt patch 0 2 >/dev/null; $rt static 100
		$rt patch 0 0 >/dev/null; $rt static 100" | sed 's/.*result=//' |
		tr '\n' ' '
	"$rt" patch 0 0 >/dev/null
}

if [ -n "$ko" ] && [ -f "$ko" ] && [ -x "$rt" ]; then
	insmod "$ko"
	want="10100 121200 0 10100 "
	native=$("$rt" static 100; "$rt" patch 1 1 >/dev/null
		"$rt" static 100; "$rt" patch 0 2 >/dev/null
		"$rt" static 100; "$rt" patch 0 0 >/dev/null
		"$rt" static 100)
	native=$(echo "$native" | sed 's/.*result=//' | tr '\n' ' ')
	[ "$native" = "$want" ]
	ok $? "native: jt_static follows its key and static call ($native)"
	got=$(statics)
	[ "$got" = "$want" ]
	ok $? "traced module code follows its static key and static call ($got)"
	"$J" report -i static.data --stdio --percent-limit 0 2>/dev/null | grep -q jt_static
	ok $? "and jt_static ran from the cache"
	got=$(statics JIFL_DEBUG_COPY_STATIC_BRANCHES=1 JIFL_DEBUG_COPY_STATIC_CALLS=1)
	[ "$got" = "10100 10100 10100 10100 " ]
	ok $? "control: with sites copied as they were, it keeps the old state ($got)"

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
	for i in 1 2 3 4 5 6 7 8; do skip "JIFL_TARGET_KO or run-target missing"; done
fi
done_testing
