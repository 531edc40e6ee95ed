#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The example third-party plugin (kmod/examples/syslat, its own module
# using only jifl_plugin.h): loaded, selected by name, its per-system-call
# latency histograms dumped into jifl.data; alongside calltrace; pinned
# while a session uses it; an unknown plugin named.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
EV=$top_builddir/tests/kernel/jd-events
[ -n "${JIFL_SYSLAT_KO:-}" ] || skip_all "JIFL_SYSLAT_KO not set (run through tests/kernel/vmtest)"
cd "${JIFL_VM_OUT:-$(mktemp -d)}" || exit 1

expect_status "-e syslat before its module is loaded: usage error" 2 \
	"$J" record -e syslat -- true
expect_match "the message names the plugin and what to do" "no plugin 'syslat'.*module must be loaded"
insmod "$JIFL_SYSLAT_KO"
ok $? "insmod jifl_syslat"

# dd does exactly 200 reads of /dev/zero (and a few more at start-up)
expect_status "record -e syslat --syscalls read" 0 \
	"$J" record -e syslat --syscalls read -o lat.data -- \
	dd if=/dev/zero of=/dev/null bs=1 count=200 status=none
"$EV" -d syslat lat.data >lat.txt
ok $? "the plugin's dump is in jifl.data"
read_addr=$(awk '$3 == "__x64_sys_read" { print $1 }' /proc/kallsyms)
# record: TYPE SIZE func count total_ns bucket0..31 (hex)
line=$(awk -v f="$read_addr" '$3 == f' lat.txt)
[ -n "$line" ]; ok $? "a histogram for __x64_sys_read ($read_addr)"
count=$((16#$(echo "$line" | awk '{ print $4 }')))
[ "$count" -ge 200 ] && [ "$count" -lt 220 ]
ok $? "it counts dd's 200 reads and a few more ($count)"
sum=0
for b in $(echo "$line" | cut -d' ' -f6-); do sum=$((sum + 16#$b)); done
[ "$sum" = "$count" ]; ok $? "its buckets add up to its count ($sum)"
lines=$(wc -l <lat.txt)
[ "$lines" = 1 ]; ok $? "one histogram: only read was attached ($lines)"

# several plugins at once: syslat's dump and calltrace's events
expect_status "record -e calltrace,syslat" 0 \
	"$J" record -e calltrace,syslat --syscalls read,write -o both.data -- \
	dd if=/dev/zero of=/dev/null bs=1 count=20 status=none
n=$("$EV" -d syslat both.data | wc -l)
[ "$n" = 2 ]; ok $? "syslat: read and write histograms ($n)"
out=$("$EV" -r both.data)
case $out in *"calls=0 "*) ok 1 "calltrace's events too ($out)" ;;
*) ok 0 "calltrace's events too ($out)" ;; esac

# a session using the plugin pins its module
sleep 30 &
victim=$!
"$J" record -e syslat -p $victim -o pin.data 2>pin.err &
rec=$!
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" pin.err && break
	sleep 0.1
done
rmmod jifl_syslat 2>rmmod.err
[ $? -ne 0 ] && grep -q "in use" rmmod.err
ok $? "rmmod jifl_syslat fails while a session uses it"
kill -INT $rec
wait $rec
ok $? "the session ends"
kill $victim
wait $victim 2>/dev/null
rmmod jifl_syslat
ok $? "then rmmod jifl_syslat succeeds"
expect_status "and -e syslat is unknown again" 2 "$J" record -e syslat -- true

# the built-in cover plugin: its stores agree with bbcount's counts, and
# blocks that ran have their store removed (a jump over it)
expect_status "record -e cover,bbcount" 0 "$J" record -e cover,bbcount \
	-o cov.data -- sh -c 'for i in $(seq 1 40); do cat /etc/hostname; done >/dev/null; sleep 0.3'
expect_match "summary: coverage stores removed once run" "[1-9][0-9]* coverage stores removed"
out=$("$EV" -c cov.data)
case $out in *" ran=0 "*) st=1 ;; *" differ=0") st=0 ;; *) st=1 ;; esac
ok $st "every block that ran is covered, and no other ($out)"

! dmesg | grep -qE 'WARNING|BUG:|Oops'
ok $? "no WARNING, BUG or Oops in the kernel log"
done_testing
