#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl record -e calltrace in the VM: the exact call sequences of the
# test-target module's scenarios (derived from tests/target/jifl_target.c,
# see tests/target/README), block counts that stay exact with calltrace
# alongside, calls and returns that reconcile per thread, lost-record
# accounting under a tiny ring, and Ctrl-C mid-run.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
EV=$top_builddir/tests/kernel/jd-events
RT=${RUN_TARGET:-$top_builddir/tests/target/run-target}
[ -n "${JIFL_TARGET_KO:-}" ] || skip_all "JIFL_TARGET_KO not set (run through tests/kernel/vmtest)"
cd "${JIFL_VM_OUT:-$(mktemp -d)}" || exit 1
insmod "$JIFL_TARGET_KO"
ok $? "insmod jifl_target"

# The calls into and within jifl_target as "call DEPTH CALLEE [from FN]"
# and "ret DEPTH FN [to FN]", function names only, depths relative to the
# entry into jt_ioctl (the module's ioctl handler).
jt_calls() {
	"$EV" "$1" | awk '
	function fn(s) { sub(/\+0x[0-9a-f]+$/, "", s); return s }
	$1 == "call" && fn($5) ~ /^jt_/ {
		if (base == "") base = $3
		line = "call " ($3 - base) " " fn($5)
		if (fn($4) ~ /^jt_/) line = line " from " fn($4)
		print line
	}
	$1 == "ret" && fn($4) ~ /^jt_/ {
		line = "ret " ($3 - base) " " fn($4)
		if (fn($5) ~ /^jt_/) line = line " to " fn($5)
		print line
	}'
}

record_target() {	# FILE PLUGINS SCENARIO ARGS...
	local f=$1 e=$2
	shift 2
	"$J" record -q -e "$e" --module jifl_target --syscalls ioctl -o "$f" \
		-- "$RT" "$@" >"$f.out" 2>&1
}

# recurse N: jt_ioctl -> jt_recurse(N) -> ... -> jt_recurse(0), N + 1
# activations, each returning to its caller (jt_recurse+0x16, after the call)
record_target rec.data calltrace,bbcount recurse 3
ok $? "record -e calltrace,bbcount of run-target recurse 3"
grep -q "result=14" rec.data.out; ok $? "recurse 3 still computes 14 under calltrace"
{
	echo "call 0 jt_ioctl"
	echo "call 1 jt_recurse from jt_ioctl"
	for d in 2 3 4; do echo "call $d jt_recurse from jt_recurse"; done
	for d in 4 3 2; do echo "ret $d jt_recurse to jt_recurse"; done
	echo "ret 1 jt_recurse to jt_ioctl"
	echo "ret 0 jt_ioctl"
} >rec.want
jt_calls rec.data >rec.got
diff -u rec.want rec.got >rec.diff; ok $? "recurse 3: exactly the known call sequence"
[ -s rec.diff ] && diag "$(cat rec.diff)"
n=$("$EV" rec.data | grep -c "^ret .* jt_recurse+0x16$")
[ "$n" = 3 ]; ok $? "recurse 3: 3 returns to jt_recurse+0x16, after its call (got $n)"
# bbcount alongside: jt_recurse's blocks (README): 0x0 runs N+1 times, 0x9 N
a=$("$EV" -b jt_recurse+0x0 rec.data) b=$("$EV" -b jt_recurse+0x9 rec.data)
[ "$a" = 4 ] && [ "$b" = 3 ]
ok $? "bbcount with calltrace: jt_recurse+0x0 ran 4 times, +0x9 3 times (got $a, $b)"

# indirect N: calls jt_ops[i & 3] = add, mul, xor, sub, ... through a
# retpoline thunk: an indirect call whose target is read at run time
record_target ind.data calltrace indirect 6
ok $? "record -e calltrace of run-target indirect 6"
{
	echo "call 0 jt_ioctl"
	echo "call 1 jt_indirect from jt_ioctl"
	for op in add mul xor sub add mul; do
		echo "call 2 jt_op_$op from jt_indirect"
		echo "ret 2 jt_op_$op to jt_indirect"
	done
	echo "ret 1 jt_indirect to jt_ioctl"
	echo "ret 0 jt_ioctl"
} >ind.want
jt_calls ind.data >ind.got
diff -u ind.want ind.got >ind.diff; ok $? "indirect 6: exactly the known call sequence"
[ -s ind.diff ] && diag "$(cat ind.diff)"

# sleep N: N calls of msleep from jt_sleep, which sleep (the task leaves
# the CPU inside the traced call and comes back, maybe elsewhere)
record_target sleep.data calltrace sleep 3
n=$("$EV" sleep.data | grep -c "^call .* jt_sleep+0x[0-9a-f]* msleep+0x0$")
[ "$n" = 3 ]; ok $? "sleep 3: 3 calls of msleep from jt_sleep (got $n)"
out=$("$EV" -r sleep.data); ok $? "sleep 3: calls and returns reconcile ($out)"

# A whole command: every call has its return, per thread
"$J" record -e calltrace -o sh.data -- sh -c 'ls -l / >/dev/null; cat /etc/hostname >/dev/null' 2>sh.err
ok $? "record -e calltrace of a small shell pipeline"
grep -q "no events lost" sh.err; ok $? "summary: no events lost with the default ring"
grep -q "bytes/event" sh.err; ok $? "summary: bytes per event"
out=$("$EV" -r sh.data); st=$?
ok $st "calls and returns reconcile per thread ($out)"
case $out in *" open=0") ok 0 "no call left open once the command exited" ;;
*) ok 1 "no call left open once the command exited ($out)" ;; esac
calls=$(echo "$out" | sed 's/.*calls=\([0-9]*\).*/\1/')
[ "${calls:-0}" -gt 1000 ]; ok $? "thousands of calls recorded ($calls)"

# A tiny ring loses records, and says so, per CPU, in the summary and file
"$J" record -e calltrace -m 4K -o tiny.data -- sh -c 'ls -l / >/dev/null' 2>tiny.err
ok $? "record with a 4 KiB ring"
grep -q "WARNING: [0-9]* events LOST (rings full): cpu" tiny.err
ok $? "the summary says loudly how many records were lost, per CPU"
lost=$("$EV" -l tiny.data); ok $? "the file is valid ($lost)"
case $lost in lost=0*) ok 1 "the lost records are in the file" ;;
*) ok 0 "the lost records are in the file" ;; esac
said=$(sed -n 's/.*WARNING: \([0-9]*\) events LOST.*/\1/p' tiny.err)
[ "lost=$said" = "${lost% *}" ]; ok $? "file and summary agree ($said)"

# Ctrl-C while tracing a running process: a valid file with its events
sh -c 'while :; do cat /etc/hostname >/dev/null; done' &
victim=$!
"$J" record -e calltrace -o ctrlc.data -p $victim 2>ctrlc.err &
rec=$!
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" ctrlc.err && break
	sleep 0.1
done
sleep 1
kill -INT $rec
wait $rec
ok $? "record -e calltrace -p stopped by SIGINT exits 0"
kill $victim
out=$("$EV" -r ctrlc.data); st=$?
ok $st "Ctrl-C mid-run: a valid file whose calls and returns reconcile ($out)"
calls=$(echo "$out" | sed 's/.*calls=\([0-9]*\).*/\1/')
[ "${calls:-0}" -gt 0 ]; ok $? "with the events recorded until then ($calls calls)"

! dmesg | grep -qE 'WARNING|BUG:|Oops'
ok $? "no WARNING, BUG or Oops in the kernel log"
rmmod jifl_target
ok $? "rmmod jifl_target"
done_testing
