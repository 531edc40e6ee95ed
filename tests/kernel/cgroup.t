#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl record -G (cgroup v2): the tasks of a cgroup made in the guest and of
# its child cgroup are traced, a task outside is not; a process moved in
# after the start is traced from then on, one moved out no longer is
# (membership is decided at each kernel entry). Each measured task is a
# /bin/pwd -P (getcwd(2), attached with calltrace) whose pid it writes
# first; jifl script's tids say who was traced. Then -G with a command
# (it sets the duration, is not traced itself) and with -a (changes
# nothing), an absolute -G path, and -G's errors.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
command -v python3 >/dev/null || skip_all "python3 not installed"
[ -e /dev/jifl ] || modprobe jifl 2>/dev/null || [ -n "${JIFL_VM_OUT:-}" ] ||
	skip_all "no jifl.ko (run through tests/kernel/vmtest)"
cd "${JIFL_VM_OUT:-$(mktemp -d)}" || exit 1

CG=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -z "$CG" ]; then
	mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup
	ok $? "mounted cgroup2 (the guest had none)"
	CG=/sys/fs/cgroup
fi
mkdir -p "$CG/jifl-in/child" "$CG/jifl-out"
ok $? "made cgroups jifl-in, jifl-in/child and jifl-out under $CG"

# one measured task: writes its pid to NAME.pid, then getcwd(2)
cat >one.sh <<'SH'
echo $$ >"$1.pid"
exec /bin/pwd -P >/dev/null
SH
# run "NAME" in cgroup CG (relative to the mount), as its own process
in_cg() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec sh ./one.sh "$2"' sh \
		"$CG/$1" "$2"
}

# --- errors ------------------------------------------------------------------
"$J" record -G no-such-cgroup -- true 2>nf.err
[ $? -ne 0 ] && grep -q "no cgroup 'no-such-cgroup'" nf.err
ok $? "-G of a missing cgroup: an error naming it"; diag "$(cat nf.err)"
"$J" record -G /proc -- true 2>v2.err
[ $? -ne 0 ] && grep -q "not a cgroup v2 directory" v2.err
ok $? "-G of a directory off the cgroup2 mount: not a cgroup v2 directory"
"$J" record -G jifl-in -p 1 2>p.err
[ $? -ne 0 ] && grep -q "does not combine with -p" p.err
ok $? "-G with -p: a usage error"
"$J" record -G jifl-in --no-inherit -- true 2>ni.err
[ $? -ne 0 ] && grep -q "does not combine with --no-inherit" ni.err
ok $? "-G with --no-inherit: a usage error"

# --- the recording -------------------------------------------------------------
"$J" record -e calltrace --syscalls getcwd -G jifl-in -o cg.data \
	2>cg.err &
rec=$!
for i in $(seq 1 600); do
	grep -q "Ctrl-C to stop" cg.err && break
	sleep 0.1
done
grep -q "Ctrl-C to stop" cg.err
ok $? "record -G jifl-in is tracing"

in_cg jifl-in inside
in_cg jifl-in/child child
in_cg jifl-out outside
# moved in: a shell in jifl-out runs one task, moves itself to jifl-in,
# runs another, which (forked after the move) is in jifl-in
sh -c 'echo $$ >"$1/jifl-out/cgroup.procs" && sh ./one.sh before_in &&
	echo $$ >"$1/jifl-in/cgroup.procs" && sh ./one.sh after_in' sh "$CG"
# moved out: the same the other way
sh -c 'echo $$ >"$1/jifl-in/cgroup.procs" && sh ./one.sh before_out &&
	echo $$ >"$1/jifl-out/cgroup.procs" && sh ./one.sh after_out' sh "$CG"
kill -INT $rec
wait $rec
ok $? "record -G stopped with SIGINT exits 0"
diag "$(tail -3 cg.err)"

"$J" script -i cg.data --json >cg.jsonl 2>cg.serr
ok $? "script --json of the recording"
python3 - cg.jsonl >cg.tids <<'PY'
import json, sys
for t in sorted({json.loads(l)["tid"] for l in open(sys.argv[1])}):
    print(t)
PY
traced() { grep -qx "$(cat "$1.pid")" cg.tids; }
traced inside; ok $? "a task in jifl-in is traced"
traced child; ok $? "a task in jifl-in/child (a descendant) is traced"
! traced outside; ok $? "a task in jifl-out is not traced"
! traced before_in && traced after_in
ok $? "a process moved into jifl-in: not traced before, traced after"
traced before_out && ! traced after_out
ok $? "a process moved out of jifl-in: traced before, not after"
! grep -qx "$rec" cg.tids
ok $? "not the recorder itself"

"$J" info -i cg.data >cg.info 2>&1
grep -q "cgroup /jifl-in and its descendants, while there$" cg.info
ok $? "jifl info: the recording's tasks are cgroup /jifl-in's (no command)"

# --- -G with a command, and with -a -------------------------------------------
# The command only sets how long the recording lasts (perf record -a -G
# CG -- CMD): it runs in the recorder's cgroup, so it is not traced itself;
# a task it puts into the cgroup is; its exit status is record's.
cat >cmd.sh <<'SH'
# $1: the cgroup2 mount; $2: a prefix for the pid files
sh -c 'echo $$ >"$1/jifl-in/cgroup.procs" && exec sh ./one.sh "$2"_in' \
	sh "$1" "$2"
sh -c 'echo $$ >"$1/jifl-out/cgroup.procs" && exec sh ./one.sh "$2"_out' \
	sh "$1" "$2"
sh ./one.sh "$2"_self
exit 3
SH
tids() {
	"$J" script -i "$1" --json 2>/dev/null | python3 -c '
import json, sys
for t in sorted({json.loads(l)["tid"] for l in sys.stdin}):
    print(t)' >"$1.tids"
}
in_tids() { grep -qx "$(cat "$2.pid")" "$1.tids"; }

# an absolute path: the directory itself
"$J" record -e calltrace --syscalls getcwd -G "$CG/jifl-in" -o cmd.data \
	-- sh ./cmd.sh "$CG" cmd 2>cmd.err
ok $(($? != 3)) "-G $CG/jifl-in -- CMD: ends with the command, its exit status 3"
diag "$(tail -3 cmd.err)"
tids cmd.data
in_tids cmd.data cmd_in; ok $? "-- CMD: the task it put in jifl-in is traced"
! in_tids cmd.data cmd_out; ok $? "-- CMD: the task it put in jifl-out is not"
! in_tids cmd.data cmd_self
ok $? "-- CMD: the command itself (in the recorder's cgroup) is not traced"
"$J" info -i cmd.data >cmd.info 2>&1
grep -q "cgroup /jifl-in and its descendants" cmd.info
ok $? "jifl info: an absolute -G path is named from the hierarchy's root"
grep -q "while there; the command only set the duration$" cmd.info
ok $? "jifl info: -G -- CMD says the command only set the duration"

# -a is accepted and changes nothing: still only the cgroup's tasks
"$J" record -e calltrace --syscalls getcwd -a -G jifl-in -o all.data \
	-- sh ./cmd.sh "$CG" all 2>all.err
ok $(($? != 3)) "-a -G jifl-in -- CMD: runs, the command's exit status 3"
tids all.data
in_tids all.data all_in && ! in_tids all.data all_out &&
	! in_tids all.data all_self
ok $? "-a -G: jifl-in's task traced, jifl-out's and the command not (not every task)"
"$J" info -i all.data >all.info 2>&1
grep -q "cgroup /jifl-in and its descendants" all.info
ok $? "jifl info: -a -G is the cgroup's tasks, not every task"

rmdir "$CG/jifl-in/child" "$CG/jifl-in" "$CG/jifl-out" 2>/dev/null
done_testing
