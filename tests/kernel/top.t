#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl top in the VM: exact counts in --stdio and --json, and the live
# ncurses view driven through tmux (send-keys, capture-pane): help, sort,
# filter, annotate, zero, snapshot, resize and quit.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
cd "$(mktemp -d)" || exit 1

# --- --stdio: one final table when the command exits ---------------------
# dd reads 4000 single bytes: __x64_sys_read's entry block runs 4000 times,
# plus the few reads of the dynamic loader.
out=$("$J" top --stdio --view blocks -E 0 -n 1 -d 120 --syscalls read -- \
	dd if=/dev/zero of=/dev/null bs=1 count=4000 2>/dev/null)
ok $? "top --stdio -- dd exits 0 when the command ends"
entry=$(printf '%s\n' "$out" | awk '$5 ~ /^__x64_sys_read\+0x/ && $3 > m { m = $3 } END { print m + 0 }')
[ "$entry" -ge 4000 ] && [ "$entry" -lt 4100 ]
ok $? "__x64_sys_read's entry block ran once per read: $entry (4000 + the loader's)"
expect_match_out() { out=$1; expect_match "$2" "$3"; }
expect_match_out "$out" "header: blocks/s and blocks translated" "blocks/s, [0-9]+ since start, [0-9]+ blocks translated"
expect_match_out "$out" "column headings" "Rate/s +Rate% +Total +Blocks +Symbol"

out=$("$J" top --stdio --json -n 2 -d 0.3 -E 0 --syscalls read,openat,close -- sh -c 'i=0; while [ $i -lt 200 ]; do cat /etc/hostname >/dev/null; i=$((i+1)); done' 2>&1)
lines=$(printf '%s\n' "$out" | grep -c '^{"time":')
[ "$lines" -ge 1 ] && [ "$lines" -le 2 ]
ok $? "--json: one object per refresh ($lines)"
expect_match "--json entries name kernel functions" '"entries":\[\{"name":"[a-z_]'
expect_match "--json: syscalls by name" '__x64_sys_|__do_sys_'

# -p: a running process, until -n refreshes
dd if=/dev/zero of=/dev/null bs=1 2>/dev/null &
dd=$!
out=$("$J" top --stdio -n 2 -d 0.5 -E 0 --syscalls read,write -p $dd 2>&1)
ok $? "top -p PID --stdio -n 2 exits 0"
expect_match "-p: the header names the pid" "pid $dd, every"
expect_match "-p: dd's reads and writes" "[0-9]  (__x64_sys_read|__x64_sys_write)$"
kill $dd 2>/dev/null
wait $dd 2>/dev/null

# --- errors that say what to do ------------------------------------------
expect_status "-d abc: usage error" 2 "$J" top -d abc
expect_match "-d names the range" "between 0.05 and 3600"
expect_status "--sort frob: usage error" 2 "$J" top --sort frob
expect_match "--sort lists the valid keys" "valid: rate total blocks name"
expect_status "-a with -p: usage error" 2 "$J" top -a -p 1
expect_status "-p of no process: usage error" 2 "$J" top -p 99999999
expect_match "and names it" "no process 99999999"

# --- Ctrl-C ends a system-wide --stdio top cleanly -----------------------
"$J" top --stdio -d 0.3 --syscalls read,write >sigint.out 2>sigint.err &
pid=$!
# setting up takes seconds in the VM: wait for the first table
for _ in $(seq 1 300); do grep -q "system-wide" sigint.out && break; sleep 0.1; done
kill -INT $pid
wait $pid
ok $? "system-wide --stdio top exits 0 on SIGINT ($SECONDS s into the test)"
grep -q "system-wide" sigint.out
ok $? "and printed system-wide tables"

# --- the live view under tmux --------------------------------------------
export TERM=xterm-256color
sock=$PWD/tmux.sock
tm() { tmux -S "$sock" "$@"; }
screen() { tm capture-pane -p -t jt; }
# wait_screen DESCRIPTION REGEX: the screen shows REGEX within 30 s
wait_screen() {
	for _ in $(seq 1 150); do
		if screen | grep -Eq -- "$2"; then
			ok 0 "$1"
			return 0
		fi
		sleep 0.2
	done
	ok 1 "$1"
	diag "expected /$2/ on the screen:" "$(screen)"
	return 1
}
# the view of a command: a steady workload of system calls (tracing only
# it keeps tmux and the test's own commands at native speed); only the
# file system calls, so that fork and exec, whose many functions each run
# a few times, do not push the open and read paths off the screen
tm new-session -d -s jt -x 140 -y 36 \
	"'$J' top -d 0.5 --syscalls openat,read,close -o '$PWD/snap.data' -- sh -c 'while :; do cat /etc/hostname /etc/passwd >/dev/null; sleep 0.05; done'; echo \$? >'$PWD/top.exit'; sleep 60"
wait_screen "title: the command, blocks/s" "jifl top - sh -c while .* blocks/s"
wait_screen "the workload's kernel functions appear" "[0-9]+  (__x64_sys_[a-z_0-9]+|__do_sys_[a-z_0-9]+|path_openat|do_sys_openat2|ksys_read|vfs_read)( |$)"
wait_screen "key hints on the last line" "h help  q quit  s sort"
# keep a screen for people to look at (tests/kernel/k*/top.out/)
screen >"${JIFL_VM_OUT:-.}/top-screen.txt"

tm send-keys -t jt h
wait_screen "h: help screen" "cycle the sort order"
tm send-keys -t jt x
wait_screen "any key leaves the help" "Rate/s +Rate% +Total +Blocks +Function"

tm send-keys -t jt s
wait_screen "s: sort by total" "sort: total"
tm send-keys -t jt s s s
wait_screen "s cycles back to rate" "sort: rate"

tm send-keys -t jt / r e a d Enter
wait_screen "/read: the filter is shown" "filter: read "
sleep 1.2
rows=$(screen | sed -n '4,34p' | awk 'NF >= 5 && $1 ~ /^[0-9.]+[MGT]?$/ { print $5 }')
[ -n "$rows" ] && ! printf '%s\n' "$rows" | grep -vq read
ok $? "every listed function matches 'read': $(printf '%s ' $rows | head -c 200)"

tm send-keys -t jt / C-u '*sys_rea?' Enter
wait_screen "a glob filter" "filter: \*sys_rea\? "
wait_screen "the glob keeps ksys_read" "[0-9]+  ksys_read( |$)"
tm send-keys -t jt / C-u __x64_sys_read Enter
wait_screen "__x64_sys_read listed" "[0-9]+  __x64_sys_read( |$)"
tm send-keys -t jt a
wait_screen "a: annotate title names the function" "^__x64_sys_read +\[0x[0-9a-f]+, \+[0-9]+ bytes\]"
wait_screen "annotation: disassembly with counts and block marks" "[0-9]+ +[0-9]+  > \+0x[0-9a-f]+ +[a-z]+"
screen >annotate.txt
cp annotate.txt "${JIFL_VM_OUT:-.}/top-annotate.txt"
grep -Eq "(call|jmp|ret)" annotate.txt
ok $? "annotation shows branch instructions"
tm send-keys -t jt q
wait_screen "q leaves the annotation" "Rate/s +Rate% +Total +Blocks +Function"

tm send-keys -t jt / C-u Enter
wait_screen "an empty filter clears it" "filter: - "
tm send-keys -t jt b
wait_screen "b: the blocks view" "Rate/s +Rate% +Total +Blocks +Block"
wait_screen "blocks are named func+offset" "[0-9]+  [a-z_0-9.]+\+0x[0-9a-f]+"
tm send-keys -t jt b

tm send-keys -t jt z
wait_screen "z: totals zeroed" "totals zeroed"

# a second of counts after the zeroing: the snapshot holds them
sleep 1.5
tm send-keys -t jt P
wait_screen "P: snapshot written" "snapshot 1: wrote .*snap.data"
"$J" report -i snap.data --stdio --percent-limit 0 >snap.report 2>&1
ok $? "jifl report reads the snapshot"
grep -Eq "__x64_sys_|__do_sys_" snap.report
ok $? "the snapshot's report names system calls"

tm send-keys -t jt j
tm resize-window -t jt -x 90 -y 16
wait_screen "after a resize, the view is laid out again" "Rate/s +Rate% +Total +Blocks +Function"
w=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$w" -le 90 ]
ok $? "no line wider than the new 90 columns ($w)"
n=$(screen | wc -l)
[ "$n" -le 16 ]
ok $? "no more than the new 16 rows ($n)"
screen | tail -n 1 | grep -q "h help"
ok $? "the key hints moved to the new last line"

tm send-keys -t jt q
for _ in $(seq 1 50); do [ -s top.exit ] && break; sleep 0.2; done
[ "$(cat top.exit 2>/dev/null)" = 0 ]
ok $? "q quits with status 0 ($SECONDS s into the test)"
tm kill-server 2>/dev/null

# the module is free again: a new session can start
expect_status "a session can start after top quit" 0 \
	"$J" record -q --syscalls getpid -- true
done_testing
