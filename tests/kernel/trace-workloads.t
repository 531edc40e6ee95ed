#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real programs with their system calls run from jifl's code cache: their
# output must equal an untraced run's, the runtime must have translated a
# lot of kernel code, and no task may be left in the cache. Then a stop
# while a traced task sleeps in a syscall moves it out of the cache, and
# the modules unload before it wakes up. Runs in the VM with jifl.ko loaded.
# Each workload runs again with its page faults in the cache too (the
# fault context: handle_mm_fault attached), through trace-run and through
# jifl record --contexts=syscall,fault with bbcount, cover and calltrace.
. "$top_srcdir/tests/lib.sh"
TR=$top_builddir/tests/kernel/trace-run
J=${JIFL:-$top_builddir/src/jifl}
out=${JIFL_VM_OUT:-/tmp}
work=$(mktemp -d)

stat_of() { sed -n "s/^$1=//p" "$2"; }

# workload NAME MIN_BLOCKS COMMAND: compare traced output with native;
# traced by trace-run at the system calls, then with the faults too
workload() {
	name=$1 min_blocks=$2
	shift 2
	native=$("$@" 2>&1)
	traced_run "$name" "$min_blocks" -- "$@"
	traced_run "$name-fault" "$min_blocks" -a '__x64_sys_*' -a handle_mm_fault -- "$@"
	faults=$(stat_of entries_fault "$work/$name-fault.stats")
	[ "${faults:-0}" -gt 0 ]
	ok $? "$name-fault: page faults entered the cache ($faults)"
	record_faults "$name" "$@"
}

# record_faults NAME COMMAND: jifl record with faults, output as native;
# the plugin changes with the workload (forkexec, fault-heavy, has all)
plugin_nr=0
record_faults() {
	local name=$1 p d f rc plugins
	shift
	if [ "$name" = forkexec ]; then
		plugins="bbcount cover calltrace"
	else
		case $((plugin_nr % 3)) in
		0) plugins=bbcount ;;
		1) plugins=cover ;;
		*) plugins=calltrace ;;
		esac
		plugin_nr=$((plugin_nr + 1))
	fi
	for p in $plugins; do
		d=$work/$name-$p.data
		traced=$("$J" record -e "$p" --contexts=syscall,fault -o "$d" -- "$@" 2>"$d.err")
		status=$?
		[ "$status" -eq 0 ] && [ "$native" = "$traced" ]
		ok $? "$name: record -e $p --contexts=syscall,fault exits 0, output as native (status $status)"
		f=$(sed -n "s/.*entries into the cache (.*fault: \([0-9]*\).*/\1/p" "$d.err")
		if [ "$p" = cover ]; then
			"$J" cover -q --pcs -i "$d" >"$d.txt" 2>"$d.rep"
		else
			"$J" report -i "$d" --stdio >"$d.txt" 2>"$d.rep"
		fi
		rc=$?
		[ "${f:-0}" -gt 0 ] && [ "$rc" -eq 0 ] && [ -s "$d.txt" ] && [ ! -s "$d.rep" ]
		ok $? "$name: $p: ${f:-no} fault entries, $(wc -l <"$d.txt") lines of report, no warnings"
		[ -s "$d.rep" ] && diag "$(head -n 5 "$d.rep")"
		[ "${f:-0}" -gt 0 ] || diag "$(cat "$d.err")"
		rm -f "$d" "$d.txt"
	done
}

# traced_run NAME MIN_BLOCKS [TRACE-RUN OPTIONS] -- COMMAND
traced_run() {
	local name=$1 min_blocks=$2
	shift 2
	traced=$("$TR" -o "$work/$name.stats" -B "$work/$name.blocks" "$@" 2>&1)
	status=$?
	[ "$status" -eq 0 ]; ok $? "$name: traced run exits 0 (status $status)"
	[ "$native" = "$traced" ]; ok $? "$name: traced output equals the native output"
	if [ "$native" != "$traced" ]; then
		diag "native: $(printf '%s' "$native" | head -c 400)" \
		     "traced: $(printf '%s' "$traced" | head -c 400)"
	fi
	blocks=$(stat_of blocks "$work/$name.stats")
	[ "${blocks:-0}" -ge "$min_blocks" ]
	ok $? "$name: at least $min_blocks blocks translated ($blocks)"
	functions=$(stat_of functions "$work/$name.stats")
	[ "${functions:-0}" -ge 100 ]
	ok $? "$name: blocks in at least 100 functions ($functions)"
	[ "$(stat_of inflight "$work/$name.stats")" = 0 ]
	ok $? "$name: no task left in the cache"
	diag "$name: $(tr '\n' ' ' <"$work/$name.stats")"
	cp "$work/$name.stats" "$out/$name.stats" 2>/dev/null
}

mkdir -p "$work/tree"
for i in $(seq 1 40); do
	mkdir -p "$work/tree/d$i"
	seq 1 "$((i * 50))" >"$work/tree/d$i/f"
done

workload dirwalk 1000 sh -c "find /usr/share/doc -maxdepth 2 | sort | md5sum"
workload tar 1000 sh -c "cd '$work' && tar cf - --sort=name --mtime=@0 --owner=0 --group=0 tree | md5sum"
workload pipeline 1000 sh -c 'seq 1 20000 | sort -rn | uniq | awk "{ s += \$1 } END { print s }" | cat | cat'
workload forkexec 1000 sh -c 'for i in $(seq 1 30); do /bin/true; done; echo done'
workload loopback 1000 python3 -c '
import socket, threading
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
def serve():
    c, _ = srv.accept()
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(srv.getsockname())
total = 0
for i in range(200):
    cl.sendall(bytes([i % 256]) * 4096)
    got = 0
    while got < 4096:
        got += len(cl.recv(4096 - got))
    total += got
cl.close(); t.join(); print(total)'

# Stop while the traced task sleeps in a system call (opening a FIFO that
# has no writer yet): the stop moves it out of the cache (its stack is
# rewritten to native addresses), so both modules unload while it still
# sleeps, and it then finishes natively.
mkfifo "$work/fifo"
"$TR" -t 2000 -o "$work/sleep.stats" -- sh -c "read x <'$work/fifo'; echo \$x" \
	>"$work/sleep.out" &
trpid=$!
# the statistics appear once tracing stopped (slow under a loaded TCG)
for i in $(seq 1 600); do
	[ -s "$work/sleep.stats" ] && break
	sleep 0.1
done
entries=$(stat_of entries "$work/sleep.stats")
inflight=$(stat_of inflight "$work/sleep.stats")
[ "$entries" -ge 1 ]
ok $? "stop while a traced task sleeps in a system call ($entries entries)"
sleep 0.5
if [ "$inflight" -eq 0 ]; then
	diag "the stop moved the sleeping task out of the cache"
	rmmod jifl 2>"$work/rmmod.err"
	ok $? "moved out: rmmod jifl succeeds while the task still sleeps" ||
		cat "$work/rmmod.err" >&2
	rmmod jifl_cache
	ok $? "moved out: rmmod jifl_cache (the code cache is freed) while it sleeps"
else
	# A stack word with no exact native equivalent (kmod/README, "Stop
	# and unload") keeps the task pinned: the module must then refuse.
	diag "the stop could not move the task out: $(dmesg | grep 'stays in jifl code' | tail -1)"
	rmmod jifl 2>"$work/rmmod.err"
	[ $? -ne 0 ] && grep -q "in use" "$work/rmmod.err"
	ok $? "pinned: rmmod jifl fails while the task can return into the cache"
	ok 0 "pinned: (jifl_cache stays until it returns)"
fi
echo woken >"$work/fifo"
wait $trpid
ok $? "the sleeping task finished normally"
[ "$(cat "$work/sleep.out")" = woken ]
ok $? "and read what was written to the FIFO"
if [ "$inflight" -ne 0 ]; then
	sleep 1
	rmmod jifl && rmmod jifl_cache
	ok $? "pinned: both modules unload once it returned"
fi

rm -rf "$work"
done_testing
