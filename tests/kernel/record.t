#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl record in the VM: a command's kernel execution with block counting
# into jifl.data, its exit status passed on, the old file kept, errors
# that say what to do, and Ctrl-C still writing a valid file.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
cd "$(mktemp -d)" || exit 1

magic() { [ "$(head -c 8 "$1" 2>/dev/null)" = JIFLDATA ]; }

expect_status "record of a command exits with its status" 3 \
	"$J" record -e bbcount -- sh -c 'cat /etc/hostname >/dev/null; exit 3'
expect_match "summary: blocks translated" "blocks translated"
expect_match "summary: fallbacks by reason" "native fallbacks"
magic jifl.data; ok $? "jifl.data written, with the jifl.data magic"
out=$("$J" record -q --syscalls read -- true 2>&1); ok $? "record -q -- true"
[ -z "$out" ]; ok $? "-q prints nothing"
magic jifl.data.old; ok $? "the previous file is kept as jifl.data.old"
expect_status "record --syscalls read,getppid" 0 \
	"$J" record --syscalls read,getppid -o sc.data -- cat /etc/hostname
expect_match "attached at the two system calls" "2 attach patterns"

# a process tree by default; --no-inherit traces the command alone
"$J" record -o tree.data -- sh -c '/bin/true; /bin/true' 2>tree.err
"$J" record --no-inherit -o alone.data -- sh -c '/bin/true; /bin/true' 2>alone.err
entries() { sed -n 's/.* \([0-9]*\) entries into the cache.*/\1/p' "$1"; }
[ "$(entries alone.err)" -gt 0 ] && [ "$(entries alone.err)" -lt "$(entries tree.err)" ]
ok $? "--no-inherit: fewer entries than with the children ($(entries alone.err) < $(entries tree.err))"

expect_status "unknown event: usage error" 2 "$J" record -e frob -- true
expect_match "unknown event is named, with the registered ones" "no plugin 'frob'.*registered: .*bbcount"
expect_status "bad ring size: usage error" 2 "$J" record -e calltrace -m 3X -- true
expect_match "and says what a size is" "bad ring size '3X'"
expect_status "no command, -p or -a: usage error" 2 "$J" record
expect_status "bad pid: usage error" 2 "$J" record -p 99999999
expect_status "unknown system call: exit 1" 1 "$J" record --syscalls nosuchcall -- true
expect_match "and names it" "nosuchcall"
expect_status "missing command: exit 127" 127 "$J" record -q --syscalls read -- /nonexistent/cmd

# Ctrl-C while watching a running process: a valid file all the same
sleep 30 &
victim=$!
"$J" record --syscalls nanosleep,clock_nanosleep -o ctrlc.data -p $victim \
	2>ctrlc.err &
rec=$!
# wait until it says it is tracing
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" ctrlc.err && break
	sleep 0.1
done
kill -INT $rec
wait $rec
ok $? "record -p stopped with SIGINT exits 0"
magic ctrlc.data; ok $? "and wrote a valid jifl.data"
kill $victim 2>/dev/null

# -a: every task but the recorder itself, until Ctrl-C
"$J" record -a -e calltrace --syscalls read,write -o all.data 2>all.err &
rec=$!
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" all.err && break
	sleep 0.1
done
cat /etc/hostname /etc/hostname >/dev/null
kill -INT $rec
wait $rec
ok $? "record -a stopped with SIGINT exits 0"
[ "$(sed -n 's/.* \([0-9]*\) entries into the cache.*/\1/p' all.err)" -gt 0 ]
ok $? "record -a saw other tasks' system calls"
# the recorder wrote the file with write(2): none of it may be traced
"$J" report -i all.data --chrome >all.json 2>/dev/null
tids=$(grep -o '"tid": [0-9]*' all.json | sort -u | wc -l)
[ "$tids" -gt 0 ] && ! grep -q "\"tid\": $rec[,}]" all.json
ok $? "record -a traced $tids threads, not the recorder ($rec) itself"

# Signals during setup (-a attaches everywhere: seconds of setup). As a
# background job of this non-interactive shell the recorder inherits
# SIGINT ignored; it must catch it anyway. Each signal is sent once the
# handlers are in (SigCgt), at a different moment of the setup.
caught() {	# PID: SIGINT, SIGTERM and SIGHUP caught
	local m
	m=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$1/status 2>/dev/null)
	[ -n "$m" ] && [ $(( 0x$m & 0x4003 )) = $(( 0x4003 )) ]
}
echo previous >sig.data
during=0
for case in "INT 2 0" "TERM 15 0.5" "HUP 1 1.5"; do
	set -- $case
	rm -f sig.data.old
	"$J" record -a -e calltrace,bbcount -o sig.data 2>sig-$1.err &
	rec=$!
	for i in $(seq 1 300); do caught $rec && break; sleep 0.01; done
	sleep $3
	kill -$1 $rec
	wait $rec
	st=$?
	if grep -q "interrupted during setup" sig-$1.err; then
		during=$((during + 1))
		[ $st = $((128 + $2)) ] && [ "$(cat sig.data 2>/dev/null)" = previous ] &&
			[ ! -e sig.data.old ]
		good=$?
		ok $good "SIG$1 $3 s into setup: exit $((128 + $2)) (got $st), previous file untouched, no half file"
		grep -q "interrupted during setup (.*): nothing recorded, the previous file left as it was" sig-$1.err
		good=$((good + $?))
		ok $? "SIG$1 during setup: says so"
		[ $good = 0 ] || diag "$(cat sig-$1.err)" "$(ls -l sig.data*)"
	else
		# setup was over: a normal stop, with a valid file
		[ $st = 0 ] && magic sig.data
		good=$?
		ok $good "SIG$1 $3 s after start, setup already done: a normal stop (exit $st), valid file"
		[ $good = 0 ] || diag "$(cat sig-$1.err)"
		mv sig.data.old sig.data
		skip "SIG$1 came after setup"
	fi
done
[ $during -gt 0 ]; ok $? "at least one signal came during setup ($during of 3)"
expect_status "a session starts after interrupted setups" 0 \
	"$J" record -q -o after.data -- true

# a signal sent to the recorder alone goes on to the command
"$J" record -e bbcount -o fwd.data -- sleep 60 2>fwd.err &
rec=$!
for i in $(seq 1 600); do
	kid=$(cat /proc/$rec/task/*/children 2>/dev/null)
	[ -n "$kid" ] && [ "$(readlink /proc/$kid/exe 2>/dev/null)" != "$(readlink /proc/$rec/exe)" ] && break
	sleep 0.1
done
t0=$(date +%s)
kill -TERM $rec
wait $rec
st=$?
[ $st = 143 ] && [ $(( $(date +%s) - t0 )) -lt 30 ]
ok $? "SIGTERM to the recorder of a command: the command gets it, exit 143 (got $st)"
magic fwd.data; good=$?
ok $good "and the recording is a valid file"
[ $good = 0 ] || diag "$(cat fwd.err)"
done_testing
