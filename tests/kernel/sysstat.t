#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sysstat: exact blocks and instructions per system call.
#  - every translated block runs inside some attached function, so the
#    blocks sysstat attributes to system calls add up to exactly what
#    bbcount counted in the same recording (nothing unattributed);
#  - jifl_target's loop adds exactly one block (the loop body) and that
#    block's instructions per iteration to the ioctl system call;
#  - nested attached functions and calls open at start or stop.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
RT=${RUN_TARGET:-$top_builddir/tests/target/run-target}

[ -n "${JIFL_TARGET_KO:-}" ] || skip_all "JIFL_TARGET_KO not set (run through tests/kernel/vmtest)"
KODIR=$(dirname "$JIFL_TARGET_KO")
cd "$(mktemp -d)" || exit 1
insmod "$JIFL_TARGET_KO"
ok $? "insmod jifl_target"

# field N of the sysstat table's CSV (header names them), summed
col() {	# col FILE NAME [SYSCALL]
	awk -F, -v name="$2" -v sc="${3:-}" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		sc == "" || $(NF - 1) == sc { s += $c }
		END { printf "%d\n", s }' "$1"
}

# (a) one recording, bbcount and sysstat side by side. Three busy
# processes on two CPUs: system calls are preempted, sleep and migrate,
# and any interval charged twice or not at all breaks the identity.
"$J" record -q -e bbcount,sysstat -o id.data -- sh -c '
	dd if=/dev/zero of=/dev/null bs=64k count=3000 2>/dev/null &
	dd if=/dev/zero of=/dev/null bs=64k count=3000 2>/dev/null &
	ls -lR /usr/share/doc/bash >/dev/null; cat /etc/hostname >/dev/null
	sleep 0.2; wait'
ok $? "record -e bbcount,sysstat -- two dd, ls, cat, sleep in parallel"
"$J" report -i id.data -s syscall --csv >id.csv 2>id.err
ok $? "report -s syscall --csv from sysstat data"
"$J" report -i id.data -s sym --csv -n >bb.csv 2>>id.err
bb=$(awk -F, 'NR > 1 { s += $2 } END { printf "%d\n", s }' bb.csv)
ss=$(col id.csv blocks)
"$J" report -i id.data -s syscall --stdio >id.txt 2>>id.err
unattr=$(sed -n 's/^# unattributed *: \([0-9]*\) blocks.*/\1/p' id.txt)
switches=$(sed -n 's/^# switches *: \([0-9]*\) times.*/\1/p' id.txt)
[ "$ss" -gt 1000 ] && [ "$ss" = "$bb" ] && [ "$unattr" = 0 ]
ok $? "sum of sysstat's blocks over system calls = sum of bbcount's counts ($ss, $bb, unattributed $unattr)"
[ $? -eq 0 ] || diag "$(head -n 20 id.txt)"
calls=$(col id.csv calls)
ins=$(col id.csv insns)
[ "$ins" -gt "$ss" ] && [ "$calls" -gt 10 ]
ok $? "$calls calls, $ss blocks, $ins instructions"
[ "$switches" -gt 0 ]
ok $? "tasks were switched out inside calls ($switches times): the identity covers split intervals"

# (b) loop 10 vs loop 20: the ioctl runs 10 more loop iterations
rec() { "$J" record -q -e bbcount,sysstat --module jifl_target --syscalls ioctl -o "$@"; }
rec l10.data -- "$RT" loop 10 >/dev/null && rec l20.data -- "$RT" loop 20 >/dev/null
ok $? "record run-target loop 10 and loop 20"
for n in 10 20; do
	"$J" report -i l$n.data -s syscall --csv >l$n.csv 2>>id.err
done
b10=$(col l10.csv blocks __x64_sys_ioctl) b20=$(col l20.csv blocks __x64_sys_ioctl)
i10=$(col l10.csv insns __x64_sys_ioctl) i20=$(col l20.csv insns __x64_sys_ioctl)
c10=$(col l10.csv calls __x64_sys_ioctl) c20=$(col l20.csv calls __x64_sys_ioctl)
# (run-target's stdio asks whether stdout is a terminal: a second ioctl)
[ "$c10" -ge 1 ] && [ "$c10" = "$c20" ] && [ $((b20 - b10)) = 10 ]
ok $? "ioctl: $c10 calls each, 10 more blocks for 10 more iterations ($b10 -> $b20)"
# instructions per iteration: those jt_loop ran 20 times (the body)
k=$("$J" report -i l20.data --annotate jt_loop --stdio --symfs "$KODIR" 2>/dev/null |
	grep -cE '^ +20 +[0-9.]+% :')
[ "$k" -gt 0 ] && [ $((i20 - i10)) = $((10 * k)) ]
ok $? "ioctl: 10 x $k more instructions ($i10 -> $i20)"
# (c) nesting: security_file_ioctl, attached too, runs inside every ioctl;
# its blocks count toward the ioctl, which it must not close early. (The
# ioctl's blocks may differ from (b)'s: on 6.12 the attached function's
# ENDBR64 becomes a block of its own before its ftrace site, which now
# runs natively: 150 rather than 148 blocks for the 2 calls; 6.1: same.)
rec nest.data -F security_file_ioctl -- "$RT" loop 10 >/dev/null
ok $? "record run-target loop 10, attached at security_file_ioctl too"
"$J" report -i nest.data -s syscall --csv >nest.csv 2>>id.err
"$J" report -i nest.data -s syscall --stdio >nest.txt 2>>id.err
"$J" report -i nest.data -s sym --csv -n >nestbb.csv 2>>id.err
cn=$(col nest.csv calls __x64_sys_ioctl)
nunattr=$(sed -n 's/^# unattributed *: \([0-9]*\) blocks.*/\1/p' nest.txt)
nbb=$(awk -F, 'NR > 1 { s += $2 } END { printf "%d\n", s }' nestbb.csv)
! grep -q security_file_ioctl nest.csv && [ "$cn" = "$c10" ] &&
	[ "$nunattr" = 0 ] && [ "$(col nest.csv blocks)" = "$nbb" ]
ok $? "nested attached function: no entry of its own, $cn ioctl calls, all $nbb blocks attributed"
[ $? -eq 0 ] || diag "$(cat nest.txt)"
# (d) calls open at start and at stop: the victim waits in open(go) from
# before the recording (entered natively: never seen), then, traced, its
# child blocks in open(fifo) until after the stop, which moves it out of
# the cache without a return: counted as unfinished, its blocks as
# unattributed, and nothing else changes
mkfifo go fifo
sh -c 'read x <go; cat fifo >/dev/null' &
victim=$!
"$J" record -e bbcount,sysstat -o stop.data -p $victim 2>stop.err &
rec=$!
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" stop.err && break
	sleep 0.1
done
echo >go
sleep 1
kill -INT $rec
wait $rec
ok $? "record -p of a task blocked at start and at stop"
echo >fifo
wait $victim
"$J" report -i stop.data -s syscall --stdio >stop.txt 2>>id.err
"$J" report -i stop.data -s sym --csv -n >stopbb.csv 2>>id.err
sbb=$(awk -F, 'NR > 1 { s += $2 } END { printf "%d\n", s }' stopbb.csv)
sexec=$(sed -n 's/^# executed *: \([0-9]*\) blocks.*/\1/p' stop.txt)
sunattr=$(sed -n 's/^# unattributed *: \([0-9]*\) blocks.*/\1/p' stop.txt)
sunfin=$(sed -n 's/^# unattributed .*(\([0-9]*\) unfinished.*/\1/p' stop.txt)
[ "$sexec" = "$sbb" ] && [ "$sunattr" -gt 0 ] && [ "$sunfin" -ge 1 ] &&
	[ "$sunattr" -lt "$sexec" ]
ok $? "the call open at stop: $sunfin unfinished, $sunattr of $sexec blocks unattributed (bbcount: $sbb)"
[ $? -eq 0 ] || diag "$(cat stop.txt)"
[ ! -s id.err ]
ok $? "reports printed no warnings"
[ -s id.err ] && diag "$(head -n 5 id.err)"
rmmod jifl_target
done_testing
