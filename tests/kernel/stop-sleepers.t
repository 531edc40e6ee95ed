#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: tasks asleep in system calls they entered during a
# system-wide calltrace,bbcount session (calltrace's @leave hook makes
# every entry trampoline return through jifl_tramp_exit_leave) are moved
# out of the cache at stop: nothing stays pinned, a session with other
# plugins starts at once, rmmod works while they still sleep, and they
# wake up natively with a clean kernel log. Their call chains go through
# indirect calls from the cache (vfs_read -> pipe_read, the fifo's open)
# and direct ones (wait4 -> do_wait, nanosleep). One sleeps inside a page
# fault that the cache's copy_to_user took (pipe_read into a userfaultfd
# page, resolved only after rmmod): its stack holds kernel-mode registers
# whose saved ip is a cache address, and it must go on natively from the
# faulting instruction and read its data.
#
# Then again with ftrace's function_graph tracer on the functions they
# sleep in and on their system calls' entries: it replaces those return
# addresses (cache continuations, and a trampoline's native caller) by
# return_to_handler and keeps the real ones in each task's shadow stack,
# which stop must rewrite too, or the sleepers would return into a cache
# that is gone (after rmmod) once they wake.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/lib/pinned.sh"
J=${JIFL:-$top_builddir/src/jifl}
cd "$(mktemp -d)" || exit 1

# The load, started inside the session: sleepers of several kinds, a
# shell waiting for its child (as pid 1 does), a signalled waiter, and
# forks and pipes going on around them.
cat >load.sh <<'EOF2'
sleep 600 & echo $! >>pids
cat fifo >/dev/null & echo $! >>pids
(sleep 0.5; echo hello) | perl uffd.pl & echo $! >>upids
sh -c 'sleep 600 | cat' & echo $! >>pids
sh -c 'sleep 600 & wait' & echo $! >>pids
bash -c 'trap : USR1; while :; do sleep 600 & wait $!; done' & sig=$!; echo $sig >>pids
for i in $(seq 1 30); do
	/bin/true; echo x | cat >/dev/null
	kill -USR1 $sig 2>/dev/null
done
# the reader's fault taken inside the session
u=$(cat upids)
for i in $(seq 1 100); do
	grep -q handle_userfault /proc/$u/stack 2>/dev/null &&
		{ cat /proc/$u/stack >uffd.in-fault; break; }
	[ -e uffd.out ] && break
	sleep 0.1
done
sleep 1
EOF2

# uffd.pl: read() from stdin into a page registered with userfaultfd,
# whose fault a child resolves (UFFDIO_COPY) once "go" comes through the
# fifo uffd-go; writes "read N: DATA" (or "skip: why") to uffd.out
cat >uffd.pl <<'EOF2'
use strict;
my $pg = 4096;
sub out { open(my $o, ">", "uffd.out.tmp") or die; print $o "@_\n"; close $o;
	rename("uffd.out.tmp", "uffd.out"); exit 0 }
my $ufd = syscall(323, 0);				# userfaultfd
out("skip: userfaultfd: $!") if $ufd < 0;
open(my $uf, "+<&=", $ufd) or out("skip: fdopen: $!");
my $api = pack("QQQ", 0xAA, 0, 0);
ioctl($uf, 0xc018aa3f, $api) or out("skip: UFFDIO_API: $!");
my $addr = syscall(9, 0, $pg, 3, 0x22, -1, 0);		# mmap
out("skip: mmap: $!") if $addr == -1;
ioctl($uf, 0xc020aa00, pack("QQQQ", $addr, $pg, 1, 0))	# REGISTER, MISSING
	or out("skip: UFFDIO_REGISTER: $!");
my $pid = fork() // out("skip: fork: $!");
if (!$pid) {
	open(my $g, "<", "uffd-go") or exit 1;
	<$g>;
	my $src = "\0" x $pg;
	ioctl($uf, 0xc028aa03, pack("QQQQq", $addr,		# COPY
		unpack("J", pack("p", $src)), $pg, 0, 0)) or exit 1;
	exit 0;
}
my $n = syscall(0, 0, $addr, 64);			# read, faults
my $data = unpack("P5", pack("J", $addr));
waitpid($pid, 0);
out("read $n: $data (resolver $?)");
EOF2

# sleepers NAME: one round; NAME says what runs alongside
sleepers() {
	local n alive p unloaded left u
	rm -f pids upids fifo uffd-go uffd.out uffd.in-fault
	mkfifo fifo uffd-go
	mark_log
	"$J" record -a -e calltrace,bbcount -o s.data -- bash load.sh 2>rec.err
	ok $? "$1: record -a -e calltrace,bbcount of a sleeping, forking, signalled load"
	n=$(wc -l <pids)
	alive=0
	for p in $(cat pids); do kill -0 $p 2>/dev/null && alive=$((alive + 1)); done
	[ $alive = "$n" ]; ok $? "$1: its $n sleepers still sleep after the stop ($alive)"
	ok_unpinned "$1: no task stays in the cache or in jifl code after the stop" rec.err

	expect_status "$1: a session with other plugins starts while they sleep" 0 \
		"$J" record -q -e bbcount -o next.data -- cat /etc/hostname
	unloaded=1
	for i in $(seq 1 10); do
		rmmod jifl 2>/dev/null && rmmod jifl_cache 2>/dev/null && { unloaded=0; break; }
		sleep 0.1
	done
	ok $unloaded "$1: rmmod jifl jifl_cache within a second, the sleepers still asleep"
	[ $unloaded = 0 ] || diag "$(grep jifl /proc/modules)"

	# they wake up and return natively
	if [ -e uffd.out ]; then
		skip "$1: $(cat uffd.out)"
	else
		grep -q jifl_cache_area uffd.in-fault 2>/dev/null &&
			kill -0 $(cat upids) 2>/dev/null
		ok $? "$1: a task asleep in a page fault taken by cache code (handle_userfault; its stack in the session: $(grep -c jifl_cache_area uffd.in-fault 2>/dev/null) cache frames) still sleeps"
		grep -q jifl_cache_area uffd.in-fault 2>/dev/null ||
			diag "$(cat uffd.in-fault 2>/dev/null)"
		timeout 10 sh -c 'echo go >uffd-go'
		for i in $(seq 1 100); do [ -e uffd.out ] && break; sleep 0.1; done
		u=$(cat uffd.out 2>/dev/null)
		[ "$u" = "read 6: hello (resolver 0)" ]
		ok $? "$1: once its fault is resolved it goes on natively and reads its data ($u)"
	fi
	timeout 5 sh -c 'echo bye >fifo' &
	for p in $(cat pids); do pkill -P $p; done
	kill $(cat pids) 2>/dev/null
	wait 2>/dev/null
	sleep 1
	left=0
	for p in $(cat pids); do kill -0 $p 2>/dev/null && left=$((left + 1)); done
	[ $left = 0 ]; ok $? "$1: the sleepers woke up and exited natively ($left left)"
}

sleepers "alone"

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
graph="pipe_read fifo_open do_wait do_nanosleep hrtimer_nanosleep
	__x64_sys_read __x64_sys_wait4 __x64_sys_openat __x64_sys_clock_nanosleep"
# (a small buffer: formatting a large one takes minutes under TCG)
if grep -qw function_graph $T/available_tracers 2>/dev/null &&
	echo 256 >$T/buffer_size_kb &&
	echo "$graph" | tr -s ' \t' '\n\n' >$T/set_ftrace_filter 2>/dev/null &&
	echo function_graph >$T/current_tracer; then
	diag "function_graph on: $(tr '\n' ' ' <$T/set_ftrace_filter)"
	sleepers "function_graph alongside"
	# (before the tracer changes: that empties the buffer)
	grep -q -m1 "pipe_read\|do_wait\|fifo_open" $T/trace
	ok $? "function_graph traced the sleepers' functions"
	echo nop >$T/current_tracer
	: >$T/set_ftrace_filter
else
	skip "no function_graph tracer"
fi
done_testing
