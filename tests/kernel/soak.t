#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: the soak test. A mixed, many-process load (fork/exec
# storms, signals, pipes, UNIX sockets, tasks asleep in system calls for
# the whole run) runs while system-wide `jifl record -a` sessions start,
# are stopped by SIGINT (Ctrl-C), and jifl.ko is unloaded, in a loop, with
# the plugins mixed across rounds (calltrace,bbcount; cover; sysstat).
# A round fails on a hang (the recorder not tracing within 120 s or not
# exiting within 60 s of SIGINT), on a task pinned in jifl code (the kernel
# log's "stays in jifl code", or jifl.ko still held once the recorder
# exited unless the recorder said which tasks hold it), on rmmod jifl
# jifl_cache taking longer than the bound below, on lost events the
# recorder did not report, on a load that died, and, through vmtest, on
# any splat in the guest's kernel log. The last session is issue 14's
# item 2: record -a -e calltrace,bbcount -m 16M of a command (a forking,
# signalling socket-and-pipe load), ended by the command's exit, then the
# next session starts.
#
# By default one round per plugin set (the short soak of check-flavours,
# ~2-3 min of guest time); SOAK_SECS makes it go on for that long in all
# (tests/bench/soak.sh, make soak), SOAK_ROUND sets each round's tracing
# time (default 3 s), SOAK_RMMOD_MS the unload bound. SOAK_GRAPH=1 runs
# ftrace's function_graph tracer alongside, on the system calls' entries
# and the functions the load sleeps in (it takes return addresses off the
# stacks jifl rewrites at stop: kmod/unpin.c).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/kernel/lib/pinned.sh"
J=${JIFL:-$top_builddir/src/jifl}
secs=${SOAK_SECS:-0}
round=${SOAK_ROUND:-3}
# The unload: jifl.ko must hold no reference once the recorder exited
# (the session's is dropped at stop, when every task has left the cache),
# so the first rmmod jifl succeeds: that is jifl's part, asserted exactly.
# Both rmmod commands together must also end within SOAK_RMMOD_MS of
# guest time, a bound against hangs, not a benchmark: each rmmod is a
# fork+exec of kmod (0.3-1 s of TCG guest time under this load),
# delete_module itself takes ~0.4 s for jifl.ko (most of it in
# synchronize_rcu_tasks() behind unregister_ftrace_function() of its
# static-key hooks) and little for jifl_cache.ko, and without icount the
# guest's clock is the host's wall clock, so a busy host stretches all
# of it (4-7 s for rmmod jifl alone with the host at load 12). The times
# are printed; the issue's second is for real hardware.
rmmod_ms=${SOAK_RMMOD_MS:-15000}
cd "$(mktemp -d)" || exit 1
mkfifo fifo
modes=("-e calltrace,bbcount -m 16M" "-e cover" "-e sysstat")

# The load: long sleepers (started before any session, as daemons are),
# a signalled waiter (a shell in wait4, interrupted 20 times a second and
# waiting again, as pid 1 does), and generators that fork, exec, signal,
# pipe and talk over sockets.
sleep 100000 & echo $! >>sleepers
cat fifo >/dev/null & echo $! >>sleepers
sh -c 'sleep 100000 | cat' & echo $! >>sleepers
bash -c 'trap : USR1; : >trap-set; sleep 100000 & s=$!
	while kill -0 $s; do wait $s; done' &
sig=$!
echo $sig >>sleepers
perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die;
	bind($s, pack_sockaddr_un("\0soak-accept")) or die; listen($s, 1);
	accept(my $c, $s)' & echo $! >>sleepers

# Each generator pauses 20 ms a round: the load forks and signals tens of
# times a second, but leaves the two vCPUs some idle time, as a machine
# with daemons does (saturating them made every step of a round, the
# recorder's setup, rmmod, the readers, vary by 10x under TCG).
bash -c 'while :; do /bin/true; sh -c "echo x | cat >/dev/null";
	(exit 3); sleep 0.02; done' & echo $! >>gens
# (SIGUSR1 before its trap is set would kill it)
while [ ! -e trap-set ]; do sleep 0.1; done
bash -c "while :; do kill -USR1 $sig; sleep 0.05; done" & echo $! >>gens
bash -c 'while :; do sleep 0.2 & sleep 0.1 & wait; done' & echo $! >>gens
perl -MSocket -e 'while (1) {
	socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0) or die;
	my $pid = fork // die;
	if (!$pid) { close $a; my $l = <$b>; print $b $l; exit 0 }
	close $b; print $a "ping\n"; $a->flush; my $r = <$a>;
	waitpid($pid, 0); pipe(my $r2, my $w2); close $w2;
	select(undef, undef, undef, 0.02); }' &
echo $! >>gens
sleep 1
for f in sleepers gens; do
	for p in $(cat $f); do echo "$p $(tr '\0' ' ' </proc/$p/cmdline)"; done >$f.cmd
done

alive() {
	local n=0 p
	for p in $(cat "$1"); do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
	echo $n
}

# the ones of list $1 that died, with their commands (saved in $1.cmd)
dead() {
	local p
	for p in $(cat "$1"); do
		kill -0 "$p" 2>/dev/null || grep "^$p " "$1.cmd"
	done
}

# guest time in ns, without an exec (date costs ~0.3 s under this load)
now() { echo "${EPOCHREALTIME/./}000"; }
ms_since() { echo $((($(now) - $1) / 1000000)); }

# jifl.ko's references, read by the shell (no exec): 0 once the module
# reference a session holds is dropped; "gone" when it is not loaded
refs() {
	local r=gone
	[ -e /sys/module/jifl/refcnt ] && read -r r </sys/module/jifl/refcnt
	echo "$r"
}

# rmmod jifl jifl_cache, 10 tries 0.1 s apart; tries: how many, ms1 and
# ms2: how long the successful rmmod jifl and rmmod jifl_cache took
unload() {
	local t
	ms1=- ms2=-
	for tries in $(seq 1 10); do
		if [ -e /sys/module/jifl ]; then
			t=$(now)
			rmmod jifl 2>/dev/null || { sleep 0.1; continue; }
			ms1=$(ms_since "$t")
		fi
		if [ -e /sys/module/jifl_cache ]; then
			t=$(now)
			rmmod jifl_cache 2>/dev/null || { sleep 0.1; continue; }
			ms2=$(ms_since "$t")
		fi
		return 0
	done
	return 1
}

# said FILE.err FILE.data: whether the recorder's loss line and the
# file's records_lost (jifl info --json) agree; sets said, lost
losses_agree() {
	said=$(sed -n 's/^jifl record: WARNING: \([0-9]*\) events LOST.*/\1/p' "$1")
	lost=$("$J" info --json -i "$2" 2>/dev/null |
		sed -n 's/.*"records_lost": \([0-9]*\).*/\1/p')
	[ -n "$lost" ] && [ "${said:-0}" = "$lost" ]
}

T=/sys/kernel/tracing
if [ "${SOAK_GRAPH:-0}" = 1 ]; then
	[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
	printf '%s\n' '__x64_sys_*' pipe_read pipe_write do_wait do_nanosleep \
		unix_stream_read_generic do_select >$T/set_ftrace_filter &&
		echo function_graph >$T/current_tracer
	ok $? "function_graph runs alongside ($(wc -l <$T/set_ftrace_filter) functions)"
fi

start=$(date +%s)
i=0
pins=0
while :; do
	mode=${modes[$((i % ${#modes[@]}))]}
	err=r$i.err
	mark_log
	t0=$(now)
	# shellcheck disable=SC2086
	"$J" record -a $mode -o r$i.data 2>$err &
	rec=$!
	t=0
	while ! grep -q "tracing; Ctrl-C" $err && kill -0 $rec 2>/dev/null && [ $t -lt 1200 ]; do
		sleep 0.1; t=$((t + 1))
	done
	grep -q "tracing; Ctrl-C" $err
	good=$?
	ok $good "round $i ($mode): jifl record -a starts under the load ($(ms_since $t0) ms)"
	[ $good = 0 ] || diag "$(cat $err)"
	sleep "$round"
	t0=$(now)
	kill -INT $rec
	t=0
	while kill -0 $rec 2>/dev/null && [ $t -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 $rec 2>/dev/null; then
		ok 1 "round $i: the recorder exits within 60 s of SIGINT"
		diag "$(cat $err)" "$(cat /proc/$rec/stack 2>/dev/null)"
		kill -KILL $rec
	fi
	wait $rec
	st=$?
	stop_ms=$(ms_since $t0)
	held=$(refs)
	[ $st = 0 ]; ok $? "round $i: SIGINT stops it cleanly (exit $st, $stop_ms ms)"
	[ $st = 0 ] || diag "$(cat $err)"
	t0=$(now)
	reader=report
	[ "$mode" = "-e cover" ] && reader="cover --pcs"
	if ! grep -q "wrote r$i.data" $err; then
		false
	elif [ "$reader" != report ]; then
		# cover data is read by jifl cover; --pcs needs no debug info
		"$J" cover -q --pcs -i r$i.data >r$i.pcs 2>r$i.report &&
			[ -s r$i.pcs ]
	else
		"$J" report --stdio -i r$i.data >r$i.report 2>&1
	fi
	ok $? "round $i: it wrote r$i.data and jifl $reader reads it ($(ms_since $t0) ms)"
	[ -s r$i.pcs ] && diag "round $i: $(wc -l <r$i.pcs) blocks ran"
	# every lost record the file counts was announced by the recorder,
	# with the same count, and the report says the same where it says it
	losses_agree $err r$i.data
	good=$?
	shown=$(sed -n 's/.*WARNING: \([0-9]*\) of .* records .* were lost in the kernel.*/\1/p' r$i.report | head -n 1)
	[ $good = 0 ] && { [ -z "$shown" ] || [ "$shown" = "$lost" ]; }
	ok $? "round $i: every loss is reported (recorder ${said:-0}, file ${lost:-?}, report ${shown:--})"
	[ -z "$said" ] || diag "round $i: $(grep 'events LOST' $err)"
	rm -f r$i.data r$i.pcs
	ok_unpinned "round $i: the kernel log names no task staying in jifl code" $err
	pins=$((pins + $(pinned_count)))
	t0=$(now)
	unload
	u=$?
	ms=$(ms_since $t0)
	if [ $u = 0 ]; then
		# held: jifl.ko's references as the recorder exited (0: the
		# session's reference was already dropped)
		[ "$held" = 0 ] && [ "$tries" = 1 ] && [ "$ms" -le "$rmmod_ms" ]
		ok $? "round $i: rmmod jifl jifl_cache after the stop: $ms ms <= $rmmod_ms ms (jifl $ms1 ms, jifl_cache $ms2 ms, $tries tries; references at the recorder's exit: $held)"
	else
		grep -q "still in the cache" $err && new_log | grep -q "stays in jifl code"
		ok $? "round $i: rmmod failed, and the recorder and kernel log say which tasks hold it"
		diag "$(grep -i 'cache\|inside' $err)" "$(grep jifl /proc/modules)"
	fi
	[ "$(alive sleepers)" = "$(wc -l <sleepers)" ]
	ok $? "round $i: the sleepers still sleep ($(alive sleepers)/$(wc -l <sleepers))"
	[ -z "$(dead sleepers)" ] || diag "died: $(dead sleepers)"
	[ "$(alive gens)" = "$(wc -l <gens)" ]
	ok $? "round $i: the load still runs ($(alive gens)/$(wc -l <gens))"
	[ -z "$(dead gens)" ] || diag "died: $(dead gens)"
	i=$((i + 1))
	[ $(($(date +%s) - start)) -lt "$secs" ] || [ $i -lt ${#modes[@]} ] || break
done
diag "$i rounds in $(($(date +%s) - start)) s, $pins tasks pinned"

# Issue 14 item 2: a session of a command, after the last rmmod (it loads
# jifl.ko again), ended by the command's exit; then the next one starts.
cat >item2.sh <<'EOF'
bash -c 'trap : USR1; : >w.trap; while :; do sleep 1000 & echo $! >>w.pids; wait $!; done' &
sig=$!
while [ ! -e w.trap ]; do sleep 0.1; done
for i in $(seq 1 10); do
	/bin/true; sh -c 'echo x | cat >/dev/null'; kill -USR1 $sig
	perl -MSocket -e 'socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0);
		print $a "x\n"; $a->flush; my $l = <$b>' &
	(sleep 0.01 &); wait $!
done
kill $sig
kill $(cat w.pids) 2>/dev/null
EOF
mark_log
"$J" record -a -e calltrace,bbcount -m 16M -o item2.data -- bash item2.sh 2>item2.err
st=$?
[ $st = 0 ]; ok $? "record -a -e calltrace,bbcount -m 16M -- a forking, signalling socket+pipe load (exit $st)"
[ $st = 0 ] || diag "$(cat item2.err)"
losses_agree item2.err item2.data
ok $? "its losses are reported (recorder ${said:-0}, file ${lost:-?})"
rm -f item2.data
ok_unpinned "no task (pid 1 or any) stays in jifl code after it"
pins=$((pins + $(pinned_count)))
expect_status "the next session starts" 0 \
	"$J" record -q -e bbcount -o last.data -- cat /etc/hostname

diag "soak: $((i + 1)) sessions, $pins tasks pinned"
if [ "${SOAK_GRAPH:-0}" = 1 ]; then
	echo nop >$T/current_tracer
	: >$T/set_ftrace_filter
fi

# the load ends natively
for p in $(cat gens sleepers); do pkill -P "$p" 2>/dev/null; done
kill $(cat gens sleepers) 2>/dev/null
timeout 5 sh -c 'echo bye >fifo'
wait 2>/dev/null
sleep 1
left=$(alive sleepers)
[ "$left" = 0 ]; ok $? "the sleepers woke up and exited ($left left)"
unload; ok $? "rmmod jifl jifl_cache at the end"
done_testing
