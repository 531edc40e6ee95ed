#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: tasks asleep in system calls they entered during a
# system-wide calltrace,bbcount session (calltrace's @leave hook makes
# every entry trampoline return through jifl_tramp_exit_leave) are moved
# out of the cache at stop: nothing stays pinned, a session with other
# plugins starts at once, rmmod works while they still sleep, and they
# wake up natively with a clean kernel log.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
cd "$(mktemp -d)" || exit 1
mkfifo fifo

# The load, started inside the session: sleepers of several kinds, a
# shell waiting for its child (as pid 1 does), a signalled waiter, and
# forks and pipes going on around them.
cat >load.sh <<'EOF'
sleep 600 & echo $! >>pids
cat fifo >/dev/null & echo $! >>pids
sh -c 'sleep 600 | cat' & echo $! >>pids
sh -c 'sleep 600 & wait' & echo $! >>pids
bash -c 'trap : USR1; while :; do sleep 600 & wait $!; done' & sig=$!; echo $sig >>pids
for i in $(seq 1 30); do
	/bin/true; echo x | cat >/dev/null
	kill -USR1 $sig 2>/dev/null
done
sleep 1
EOF
"$J" record -a -e calltrace,bbcount -o s.data -- bash load.sh 2>rec.err
ok $? "record -a -e calltrace,bbcount of a sleeping, forking, signalled load"
n=$(wc -l <pids)
alive=0
for p in $(cat pids); do kill -0 $p 2>/dev/null && alive=$((alive + 1)); done
[ $alive = "$n" ]; ok $? "its $n sleepers still sleep after the stop ($alive)"
! grep -q "still in the cache" rec.err
good=$?
ok $good "no task stays in the cache after the stop"
[ $good = 0 ] || diag "$(grep 'still in the cache' rec.err)"
! dmesg | grep -q "stays in jifl code"
good=$?
ok $good "the kernel log names no task staying in jifl code"
[ $good = 0 ] || diag "$(dmesg | grep -A1 'stays in jifl code')"

expect_status "a session with other plugins starts while they sleep" 0 \
	"$J" record -q -e bbcount -o next.data -- cat /etc/hostname
unloaded=1
for i in $(seq 1 10); do
	rmmod jifl 2>/dev/null && rmmod jifl_cache 2>/dev/null && { unloaded=0; break; }
	sleep 0.1
done
ok $unloaded "rmmod jifl jifl_cache within a second, the sleepers still asleep"
[ $unloaded = 0 ] || diag "$(grep jifl /proc/modules)"

# they wake up and return natively
timeout 5 sh -c 'echo bye >fifo' &
for p in $(cat pids); do pkill -P $p; done
kill $(cat pids) 2>/dev/null
wait 2>/dev/null
sleep 1
left=0
for p in $(cat pids); do kill -0 $p 2>/dev/null && left=$((left + 1)); done
[ $left = 0 ]; ok $? "the sleepers woke up and exited natively ($left left)"
done_testing
