#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl script on make-report-fixture's "calls" recording (its comment lists
# the 23 call and return records of four threads on two CPUs): the exact
# lines of tests/fixtures/script-calls.txt, written from that list (sites,
# targets, depths, times), the filters, JSON lines and the errors.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
FIX=$top_srcdir/tests/fixtures

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
tmp=$(mktemp -d /tmp/test-script.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL

D=$tmp/calls.data
check "fixture with calltrace records" "$GEN" "$D" calls
check "fixture with block counters only" "$GEN" "$tmp/bb.data"
check "fixture with 25 records lost" "$GEN" "$tmp/lost.data" calls-lost

"$J" script -i "$D" >"$tmp/out" 2>"$tmp/err"
st=$?
diff -u "$FIX/script-calls.txt" "$tmp/out" >"$tmp/diff"
ok $((st + $?)) "every event, in time order over threads and CPUs, matches script-calls.txt"
[ -s "$tmp/diff" ] && diag "$(cat "$tmp/diff" "$tmp/err")"
[ ! -s "$tmp/err" ]; ok $? "a complete recording: nothing on stderr"

# filters: the lines of the golden file they select
lines() { "$J" script -i "$D" "$@" 2>&1; }
out=$(lines --tid 100)
[ "$out" = "$(grep '^    100 ' "$FIX/script-calls.txt")" ]
ok $? "--tid 100: thread 100's 12 events on both CPUs"
out=$(lines --tid 101,103 --cpu 1)
[ "$out" = "$(grep -E '^    10[13] ' "$FIX/script-calls.txt")" ]
ok $? "--tid 101,103 --cpu 1: two threads' 9 events"
out=$(lines -C 0-0,1 --tid 100 --event return)
[ "$out" = "$(grep -E '^    100 .*: return ' "$FIX/script-calls.txt")" ]
ok $? "--event return with a CPU range: thread 100's 6 returns"
out=$(lines --event call | wc -l)
[ "$out" -eq 12 ]; ok $? "--event call: the 12 calls (got $out)"
out=$(lines --event ret,call | wc -l)
[ "$out" -eq 23 ]; ok $? "--event ret,call: all 23 events (got $out)"
out=$(lines --cpu 0 --limit 3)
[ "$out" = "$(head -n 3 "$FIX/script-calls.txt")" ]
ok $? "--limit 3: the first 3 lines"
out=$(lines --limit 0)
[ -z "$out" ]; ok $? "--limit 0: nothing"
out=$(lines --reltime --tid 101 --limit 2 | cut -d: -f1)
[ "$out" = "$(printf '    101 [001]     0.000000000\n    101 [001]     0.000000100')" ]
ok $? "--reltime: thread 101's times from its first event (5000 ns)"
out=$("$J" script -i "$D" --reltime --json --event return --limit 1)
case $out in '{"time_ns": 0, "cpu": 0, "tid": 100, "event": "return", "depth": 3,'*) r=0 ;; *) r=1 ;; esac
ok $r "--reltime --json: time_ns from the first event shown"
out=$(lines --cpu 7)
[ -z "$out" ]; ok $? "--cpu 7: no event recorded there, nothing"

if command -v python3 >/dev/null 2>&1; then
	"$J" script -i "$D" --json | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
assert len(ev) == 23, len(ev)
assert [e["time_ns"] for e in ev] == sorted(e["time_ns"] for e in ev)
e = ev[3]
assert e == {"time_ns": 1300, "cpu": 0, "tid": 100, "event": "call",
    "depth": 3, "site": "0xffffffff81002430", "site_function": "vfs_read",
    "site_offset": 48, "site_module": "vmlinux",
    "target": "0xffffffffc0100000", "target_function": "ext4_file_read_iter",
    "target_offset": 0, "target_module": "ext4"}, e
assert ev[0]["site_function"] is None and ev[0]["site"] == "0x0000000000401000"
n = [e for e in ev if e["time_ns"] == 5600][0]
assert n["event"] == "return" and n["site_function"] is None, n
assert n["target_function"] == "vfs_write" and n["target_offset"] == 0x25, n
assert sum(e["event"] == "call" for e in ev) == 12
assert {e["tid"] for e in ev} == {100, 101, 102, 103}
' 2>"$tmp/py"
	ok $? "--json: 23 objects in time order, fields and values of the fixture"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
else
	skip "python3 not installed"
fi
out=$("$J" script -i "$D" --json --tid 103)
[ "$out" = '{"time_ns": 9000, "cpu": 1, "tid": 103, "event": "return", "depth": 0, "site": "0xffffffff8100401f", "site_function": "__x64_sys_read", "site_offset": 31, "site_module": "vmlinux", "target": "0x0000000000401000", "target_function": null, "target_offset": null, "target_module": null}' ]
ok $? "--json --tid 103: the lone return, exactly"

out=$("$J" script -i "$tmp/lost.data" 2>&1 >/dev/null)
expect_match "lost records: a warning with the count" \
	"^jifl script: WARNING: 25 records were lost in the kernel: events are missing; record again with larger rings \(-m\)$"

# random records: never a crash
bad=0
for seed in $(seq 1 20); do
	"$GEN" "$tmp/r.data" calls-random "$seed" || { bad=1; continue; }
	for args in "" "--json" "--cpu 1 --event call" "--tid 2 --limit 5"; do
		# shellcheck disable=SC2086 # the arguments are words
		"$J" script -i "$tmp/r.data" $args >/dev/null 2>"$tmp/r.err"
		st=$?
		if [ $st -gt 1 ]; then
			bad=1
			diag "seed $seed, $args: exit $st" "$(cat "$tmp/r.err")"
		fi
	done
done
ok $bad "20 files of random call/return records: no crash, exit 0 or 1"

# --symfs: names from the module's own symbols when kallsyms lacks them
# (tests/target/jifl_target.ko; the spec's "nosyms": no module kallsyms)
. "$top_srcdir/tests/unit/report-target.sh"
if target_ko; then
	target_spec "$tmp/t.spec" nosyms "$KO_ID" all "" jt_recurse
	io=$(func_value jt_ioctl) re=$(func_value jt_recurse)
	{
		echo "event call 1000 7 0 0 $(hx $((BASE + io + 0x10))) $(hx $((BASE + re)))"
		echo "event ret 1500 7 0 0 $(hx $((BASE + re + 0x8))) $(hx $((BASE + io + 0x15)))"
	} >>"$tmp/t.spec"
	check "fixture: two events in jifl_target, no module kallsyms" \
		"$GEN" "$tmp/t.data" spec "$tmp/t.spec"
	out=$("$J" script -i "$tmp/t.data" 2>&1)
	expect_match "without --symfs: no name for the module's addresses" \
		"^      7 \[000\]     0\.000001000: call     0 $(printf '%016x' $((BASE + io + 0x10))) \[no symbol\] => \[no symbol\] "
	out=$("$J" script -i "$tmp/t.data" --symfs "$KODIR" 2>&1)
	expect_match "--symfs: the call from jt_ioctl+0x10 to jt_recurse, named by the .ko" \
		"^      7 \[000\]     0\.000001000: call     0 $(printf '%016x' $((BASE + io + 0x10))) jt_ioctl\+0x10 \[jifl_target\] => jt_recurse\+0x0 \[jifl_target\] \($(printf '%016x' $((BASE + re)))\)$"
	expect_match "--symfs: the return to jt_ioctl+0x15" \
		" return   0 $(printf '%016x' $((BASE + re + 0x8))) jt_recurse\+0x8 \[jifl_target\] => jt_ioctl\+0x15 \[jifl_target\] "
else
	skip "jifl_target.ko cannot be built (install linux-headers-amd64)"
	skip "jifl_target.ko cannot be built"
	skip "jifl_target.ko cannot be built"
	skip "jifl_target.ko cannot be built"
fi

# --- errors ------------------------------------------------------------------
expect_status "block counters only: exits 1" 1 "$J" script -i "$tmp/bb.data"
expect_match "and says to record -e calltrace" "^jifl script: no events in .*bb.data: record with -e calltrace"
expect_status "a missing file exits 1" 1 "$J" script -i "$tmp/none.data"
expect_match "and says how to record one" "No such file; record one with \`jifl record -e calltrace -- CMD\`"
expect_status "unknown event exits 2" 2 "$J" script -i "$D" --event block
expect_match "and lists the valid ones" "unknown event 'block'; valid: call, return"
expect_status "backwards CPU range exits 2" 2 "$J" script -i "$D" --cpu 3-1
expect_match "and says so" "range 3-1 is backwards"
expect_status "a thread id that is no number exits 2" 2 "$J" script -i "$D" --tid 10x
expect_match "and names it" "'10x' is not a number"
expect_status "a negative limit exits 2" 2 "$J" script -i "$D" --limit -4
expect_status "an argument exits 2" 2 "$J" script -i "$D" extra
done_testing
