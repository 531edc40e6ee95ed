#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl script, jifl info and the srcline fallback on a real recording in
# the VM: run-target's "recurse 3" under calltrace,bbcount. script shows
# the exact call sequence calltrace.t derives from tests/target/jifl_target.c,
# as many events as jd-events decodes, in time order; info shows how the
# file was recorded (the RECORDING section: version, plugins, ring size,
# attach points, duration, translation), the module's build-id and record
# counts per CPU that add up; -s srcline without debug info names blocks
# by function+offset.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
EV=$top_builddir/tests/kernel/jd-events
RT=${RUN_TARGET:-$top_builddir/tests/target/run-target}
[ -n "${JIFL_TARGET_KO:-}" ] || skip_all "JIFL_TARGET_KO not set (run through tests/kernel/vmtest)"
command -v python3 >/dev/null || skip_all "python3 not installed"
cd "${JIFL_VM_OUT:-$(mktemp -d)}" || exit 1
insmod "$JIFL_TARGET_KO"
ok $? "insmod jifl_target"

"$J" record -q -e calltrace,bbcount -m 1M --module jifl_target \
	--syscalls ioctl -o rec.data -- "$RT" recurse 3 >rec.out 2>&1
ok $? "record -e calltrace,bbcount -m 1M of run-target recurse 3"

# --- jifl script ---------------------------------------------------------------
# the jt_ calls as calltrace.t writes them: "call DEPTH CALLEE [from FN]",
# "ret DEPTH FN [to FN]", depths from jt_ioctl's
"$J" script -i rec.data --json >rec.jsonl 2>rec.err
ok $? "script --json exits 0"
python3 - rec.jsonl >rec.got <<'PY'
import json, sys
base = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    site = e["site_function"] or ""
    target = e["target_function"] or ""
    if e["event"] == "call" and target.startswith("jt_"):
        if base is None:
            base = e["depth"]
        out = "call %d %s" % (e["depth"] - base, target)
        if site.startswith("jt_"):
            out += " from " + site
        print(out)
    elif e["event"] == "return" and site.startswith("jt_"):
        out = "ret %d %s" % (e["depth"] - base, site)
        if target.startswith("jt_"):
            out += " to " + target
        print(out)
PY
{
	echo "call 0 jt_ioctl"
	echo "call 1 jt_recurse from jt_ioctl"
	for d in 2 3 4; do echo "call $d jt_recurse from jt_recurse"; done
	for d in 4 3 2; do echo "ret $d jt_recurse to jt_recurse"; done
	echo "ret 1 jt_recurse to jt_ioctl"
	echo "ret 0 jt_ioctl"
} >rec.want
diff -u rec.want rec.got >rec.diff
ok $? "script: exactly the known jt_ call sequence of recurse 3"
[ -s rec.diff ] && diag "$(cat rec.diff)"
"$J" script -i rec.data >rec.txt 2>/dev/null
n_script=$(wc -l <rec.txt)
n_ev=$("$EV" rec.data | grep -c '^\(call\|ret\) ')
[ "$n_script" -eq "$n_ev" ] && [ "$n_ev" -gt 0 ]
ok $? "script: one line per event jd-events decodes ($n_script, $n_ev)"
python3 -c '
import json, sys
t = [json.loads(l)["time_ns"] for l in open(sys.argv[1])]
assert t == sorted(t), "not in time order"
' rec.jsonl 2>rec.py
ok $? "script: events in time order over all CPUs"
[ -s rec.py ] && diag "$(cat rec.py)"
grep -q ' jt_recurse+0x[0-9a-f]* \[jifl_target\] => jt_recurse+0x0 \[jifl_target\] (' rec.txt
ok $? "script text: module functions with their module, call targets"
tid=$(sed -n '1s/^ *\([0-9]*\) .*/\1/p' rec.txt)
[ "$("$J" script -i rec.data --tid "$tid" | wc -l)" -eq "$(grep -c "^ *$tid \[" rec.txt)" ]
ok $? "script --tid $tid: that thread's lines"

# --- jifl info -------------------------------------------------------------------
"$J" info rec.data >info.txt 2>&1
ok $? "info exits 0"
out=$(cat info.txt)
expect_match "recorded by this jifl" "^# recorded by +: jifl $("$J" --version | cut -d' ' -f2) \(ioctl ABI [0-9]+\)$"
expect_match "plugins as started" "^# plugins +: calltrace,bbcount$"
expect_match "ring size of -m 1M" "^# ring size +: 1048576 bytes per CPU \(1024 KiB\)$"
expect_match "the command and its children" "^# tasks +: the command and its children$"
expect_match "attached at ioctl, jifl_target translated" "^# attached at +: system calls: ioctl; modules translated: jifl_target$"
expect_match "a duration" "^# duration +: [0-9]+\.[0-9]{9} s \(traced from"
expect_match "translator statistics" "^# translated +: [1-9][0-9]* blocks, [0-9]+ native bytes -> [0-9]+ cache bytes"
grep -qxF "# kernel          : $(uname -r)" info.txt
ok $? "the running kernel, $(uname -r)"
expect_match "jifl_target among the modules, with its base" "^#   jifl_target +0xffffffff[0-9a-f]{8} "
"$J" info --json rec.data >info.json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["recording"]
assert r["plugins"] == "calltrace,bbcount" and r["ring_size"] == 1048576, r
assert r["syscalls"] == "ioctl" and r["modules"] == "jifl_target", r
assert r["tasks"] == "command" and r["inherit"] == "yes", r
assert r["stop_ns"] > r["start_ns"] and r["blocks"] > 0, r
assert d["records"] == sum(c["records"] for c in d["per_cpu"]) > 0, d
assert d["records_lost"] == sum(c["lost"] for c in d["per_cpu"]), d
assert d["blocks"] > 0 and d["executions"] > 0, d
m = [m for m in d["modules"] if m["name"] == "jifl_target"]
assert len(m) == 1 and m[0]["build_id"], d["modules"]
assert d["kernel_text"].startswith("0xffffffff"), d
' info.json 2>info.py
ok $? "info --json: recording, records per CPU summed, jifl_target's build-id"
[ -s info.py ] && diag "$(cat info.py)"
"$J" report --header-only -i rec.data | cmp -s - info.txt
ok $? "report --header-only: the same header"

# --- -s srcline without debug info ---------------------------------------------
"$J" report -i rec.data -s srcline --stdio >src.txt 2>src.err
ok $? "report -s srcline exits 0"
! grep -q '\[unknown\]' src.txt
ok $? "-s srcline: no [unknown] entry"
grep -Eq '^ +[0-9.]+% +[0-9]+  [A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+ \[no debuginfo\]$' src.txt
ok $? "-s srcline: vmlinux blocks by function+offset, marked [no debuginfo]"
grep -q 'no source lines for vmlinux' src.err
ok $? "-s srcline: the hint on stderr"
rmmod jifl_target
done_testing
