#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# jifl report on calltrace events: the synthetic recording of
# make-report-fixture's "calls" variant (four threads with known call and
# return times; its comment lists them) against golden outputs in
# tests/fixtures/report-calls-* (flat profile, caller and callee graphs,
# per-syscall breakdown, folded stacks, Chrome trace JSON), the figures
# derived by hand, and the errors.
# REPORT_REGEN=1 rewrites the golden files (check the diff!).
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
FIX=$top_srcdir/tests/fixtures

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
tmp=$(mktemp -d /tmp/test-report-calls.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL

golden() {
	name=$1
	shift
	"$J" report "$@" >"$tmp/$name" 2>"$tmp/$name.err"
	st=$?
	[ -n "$REPORT_REGEN" ] && cp "$tmp/$name" "$FIX/$name"
	if [ $st -eq 0 ] && diff -u "$FIX/$name" "$tmp/$name" >"$tmp/diff" 2>&1; then
		ok 0 "report $(echo "$*" | sed "s|$tmp/||g") matches $name"
	else
		ok 1 "report $(echo "$*" | sed "s|$tmp/||g") matches $name"
		diag "exit status $st" "$(cat "$tmp/$name.err" "$tmp/diff")"
	fi
}

D=$tmp/calls.data
check "fixture with calltrace records" "$GEN" "$D" calls
check "fixture with block counters only" "$GEN" "$tmp/bb.data"

golden report-calls-flat.txt -i "$D" --stdio
golden report-calls-caller.txt -i "$D" --stdio -g
golden report-calls-callee.txt -i "$D" --stdio --call-graph=callee
golden report-calls-syscall.txt -i "$D" --stdio -s syscall
golden report-calls-folded -i "$D" --folded
golden report-calls-chrome.json -i "$D" --chrome
golden report-calls-pid.txt -i "$D" --stdio -s pid
golden report-calls-caller.json -i "$D" -g --json
golden report-calls-flat.csv -i "$D" --csv

out=$("$J" report -i "$D" --stdio 2>&1)
expect_match "header: 12 calls in 4 threads" "^# calls +: 12 in 4 threads"
expect_match "header: 2600 ns in system calls (1100 + 1000 + 400 + 100)" "^# time in calls +: 2600 ns"
expect_match "header: the unmatched return and the 2 unfinished calls" "1 return without a recorded call, 2 calls without a return"
expect_match "sys_read: 2 calls, 1500 ns total, 550 ns self" "^ +57\.69% +21\.15% +2 +1500 +550  __x64_sys_read$"
expect_match "rec: recursion counted once in its total (400 ns), self 200 + 200" "^ +15\.38% +15\.38% +2 +400 +400  rec$"
expect_match "vfs_write of the unfinished thread closed at its last event (0 ns)" "^ +26\.92% +11\.54% +2 +700 +300  vfs_write$"
out=$("$J" report -i "$D" --stdio -g 2>&1)
expect_match "caller graph: ext4_file_read_iter under vfs_read, 3 levels in" "^ +15\.38% +15\.38% +1 +400 +400        ext4_file_read_iter \[ext4\]$"
expect_match "caller graph: rec under rec" "^ +7\.69% +7\.69% +1 +200 +200        rec$"
out=$("$J" report -i "$D" --stdio -G 2>&1)
expect_match "-G is the callee graph: ext4's self time under vfs_read" "^ +15\.38% +1 +400    vfs_read$"
if command -v python3 >/dev/null 2>&1; then
	"$J" report -i "$D" --chrome | python3 -c '
import json, sys
d = json.load(sys.stdin)
ev = [e for e in d["traceEvents"] if e["ph"] == "X"]
assert len(ev) == 12, len(ev)
r = [e for e in ev if e["name"] == "__x64_sys_read" and e["tid"] == 100]
assert sorted((e["ts"], e["dur"]) for e in r) == [(1.0, 1.1), (7.0, 0.4)], r
assert all(e["cat"] == "syscall" for e in r)
assert [e for e in ev if e["tid"] == 102 and e["name"] == "vfs_write"][0]["args"]["unfinished"]
' 2>"$tmp/py"
	ok $? "--chrome: 12 complete events, microseconds, syscalls marked, unfinished flagged"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
	"$J" report -i "$D" -g --json | python3 -c '
import json, sys
t = json.load(sys.stdin)
def walk(n, d=0):
    yield d, n
    for c in n["children"]:
        yield from walk(c, d + 1)
nodes = [x for r in t for x in walk(r)]
assert sum(n["self_ns"] for _, n in nodes) == 2600
for _, n in nodes:
    assert n["total_ns"] == n["self_ns"] + sum(c["total_ns"] for c in n["children"]), n
' 2>"$tmp/py"
	ok $? "-g --json: every node total = self + children, self times sum to 2600"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
else
	ok 0 "# SKIP python3 not installed"
	ok 0 "# SKIP python3 not installed"
fi
awk '{ s += $NF } END { exit s != 2600 }' "$FIX/report-calls-folded"
ok $? "--folded: self times sum to the 2600 ns"

out=$("$J" report -i "$D" --stdio -s tid 2>&1)
expect_match "-s pid: tid 100's two read system calls, 6 calls, 1500 ns" "^ +57\.69% +2 +6 +1500  100$"
expect_match "-s pid: the thread of the lone return made no call" "^ +0\.00% +0 +0 +0  103$"

# random records (types, sizes, depths, threads, times): never a crash
bad=0
for seed in $(seq 1 40); do
	"$GEN" "$tmp/r.data" calls-random "$seed" || { bad=1; diag "seed $seed: no file"; continue; }
	for args in "--stdio" "-g --stdio" "-G --stdio" "-s syscall --stdio" "-s pid --json" "--folded" "--chrome"; do
		# shellcheck disable=SC2086 # the arguments are words
		"$J" report -i "$tmp/r.data" $args >/dev/null 2>"$tmp/r.err"
		st=$?
		if [ $st -gt 1 ]; then
			bad=1
			diag "seed $seed, $args: exit $st" "$(cat "$tmp/r.err")"
		fi
	done
done
ok $bad "40 files of random call/return records: no crash, exit 0 or 1"

# --- errors ------------------------------------------------------------------
expect_status "-g on block counters exits 1" 1 "$J" report -i "$tmp/bb.data" -g
expect_match "-g without events: says to record -e calltrace" "^jifl report: -g needs calltrace events, and .*bb.data has none: record with -e calltrace$"
expect_status "--folded on block counters exits 1" 1 "$J" report -i "$tmp/bb.data" --folded
expect_status "bad -g mode exits 2" 2 "$J" report -i "$D" --call-graph=sideways
expect_match "bad -g mode: lists the valid ones" "unknown call graph 'sideways'; valid: caller, callee"
expect_status "--folded with --chrome exits 2" 2 "$J" report -i "$D" --folded --chrome
expect_status "-s comm on calltrace exits 1" 1 "$J" report -i "$D" -s comm
expect_match "-s comm: no command names, use -s pid" "carry thread ids, not command names; use -s pid"
expect_status "-s srcline on calltrace exits 1" 1 "$J" report -i "$D" -s srcline
expect_match "-s srcline on calltrace: needs block counters" "need block counters \(-e bbcount\)"

# sysstat's dump: blocks and instructions per system call, alone and
# next to calltrace's columns (make-report-fixture's write_sysstat())
S=$tmp/sysstat.data
check "fixture with sysstat's dump only" "$GEN" "$S" sysstat
check "fixture with calltrace records and sysstat's dump" "$GEN" "$tmp/cs.data" calls-sysstat
check "fixture with a short sysstat record" "$GEN" "$tmp/short.data" sysstat-short
golden report-sysstat.txt -i "$S" --stdio
golden report-sysstat.json -i "$S" -s syscall --json
golden report-sysstat.csv -i "$S" -s syscall --csv
golden report-calls-sysstat.txt -i "$tmp/cs.data" --stdio -s syscall
golden report-calls-sysstat.csv -i "$tmp/cs.data" -s syscall --csv
out=$("$J" report -i "$S" --stdio 2>&1)
expect_match "sysstat: sys_read's 2 calls, 150 blocks and 617 instructions each" \
	"^ +67\.28% +2 +300 +150\.0 +1234 +617\.0  __x64_sys_read$"
expect_match "sysstat: what no returned call accounts for is said" \
	"^# unattributed +: 23 blocks, 66 instructions outside returned calls \(1 unfinished"
expect_status "-s pid on sysstat data exits 1" 1 "$J" report -i "$S" -s pid
expect_match "and says what to record" "calltrace"
expect_status "a sysstat record too short exits 1" 1 "$J" report -i "$tmp/short.data"
expect_match "and says which record" "corrupt sysstat dump: function record of 16 bytes, want 40"
# A lossy recording says so where the numbers are, not only in the header
L=$tmp/lost.data
check "fixture with 25 records lost on CPU 1" "$GEN" "$L" calls-lost
out=$("$J" report -i "$L" --stdio 2>&1)
expect_match "flat: the warning line above the table, with count and share" \
	"^# WARNING: 25 of 48 records \(52\.1%\) were lost in the kernel: calls and times below are lower bounds; record again with larger rings \(-m\)"
out=$("$J" report -i "$L" --stdio -g 2>&1)
expect_match "caller graph: the warning too" "^# WARNING: 25 of 48 records"
out=$("$J" report -i "$L" --stdio -s pid 2>&1)
expect_match "per thread: the warning too" "^# WARNING: 25 of 48 records"
out=$("$J" report -i "$L" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(all(e.get("records_lost") == 25 for e in d) and len(d) > 0)')
expect_match "--json: every entry carries records_lost" "^True$"
out=$("$J" report -i "$L" -g --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(all(e.get("records_lost") == 25 for e in d), "records_lost" in d[0]["children"][0])')
expect_match "-g --json: the top-level entries carry it, not their children" "^True False$"
out=$("$J" report -i "$L" --folded 2>&1 >/dev/null)
expect_match "--folded: the warning on stderr" "^jifl report: WARNING: 25 of 48 records"
out=$("$J" report -i "$D" --json 2>&1)
case $out in *records_lost*|*WARNING*) r=1 ;; *) r=0 ;; esac
ok $r "a complete recording: no records_lost, no warning"

# The same run recorded by the clean-call path (40-byte records, the
# kernel's shadow stack) and by the inline path (compact records paired
# by stack pointer here): the same reports, for several random runs
for seed in 1 7 42; do
	check "calls-pair $seed: both recordings" sh -c \
		"'$GEN' '$tmp/pc.data' calls-pair $seed classic &&
		 '$GEN' '$tmp/pk.data' calls-pair $seed compact"
	for mode in "--stdio" "--stdio -g" "--stdio -G" "--folded" "--chrome" \
		    "--json -g"; do
		"$J" report -i "$tmp/pc.data" $mode >"$tmp/pc.out" 2>&1
		"$J" report -i "$tmp/pk.data" $mode >"$tmp/pk.out" 2>&1
		n=$(wc -c <"$tmp/pc.out")
		cmp -s "$tmp/pc.out" "$tmp/pk.out" && [ "$n" -gt 1000 ]
		ok $? "calls-pair $seed: report $mode of the compact recording = the classic one ($n bytes)"
	done
done
done_testing
