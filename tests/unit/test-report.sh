#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# jifl report: text, JSON and CSV output of synthetic jifl.data files
# (tests/unit/make-report-fixture.c, whose comment lists the counts)
# against the expected outputs in tests/fixtures/report-*, and the errors.
# REPORT_REGEN=1 rewrites the expected outputs (check the diff!).
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
FIX=$top_srcdir/tests/fixtures

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
tmp=$(mktemp -d /tmp/test-report.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
TZ=UTC
LC_ALL=C
export TZ LC_ALL

plan 69

# golden NAME ARGS...: jifl report ARGS' standard output equals $FIX/NAME
golden() {
	name=$1
	shift
	"$J" report "$@" >"$tmp/$name" 2>"$tmp/$name.err"
	st=$?
	if [ -n "$REPORT_REGEN" ]; then
		cp "$tmp/$name" "$FIX/$name"
	fi
	desc="report $(echo "$*" | sed "s|$tmp/||g") matches $name"
	if [ $st -eq 0 ] && diff -u "$FIX/$name" "$tmp/$name" >"$tmp/diff" 2>&1; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "exit status $st" "$(cat "$tmp/$name.err" "$tmp/diff")"
	fi
}

D=$tmp/jifl.data
check "fixture generator writes a file" "$GEN" "$D"
check "fixture without counters" "$GEN" "$tmp/nocnt.data" no-counters
check "fixture with hidden kallsyms" "$GEN" "$tmp/hidden.data" hidden
check "fixture with empty counters" "$GEN" "$tmp/empty.data" empty

# --- text --------------------------------------------------------------------
golden report-sym.txt -i "$D"
golden report-block.txt -i "$D" --stdio -s block
golden report-module.txt -i "$D" -s module
golden report-insns.txt -i "$D" -n --sort-by insns
golden report-limit.txt -i "$D" -n --percent-limit 1
golden report-hidden.txt -i "$tmp/hidden.data"

expect_status "default input is ./jifl.data" 0 sh -c 'cd "$1" && "$2" report' sh "$tmp" "$J"
cmp -s "$tmp/report-sym.txt" - <<EOF
$out
EOF
ok $? "same output as -i jifl.data"

out=$("$J" report -i "$D" 2>&1)
expect_match "header: recorded command, shell-quoted" "^# command +: jifl record -e bbcount -- sh -c 'cat /etc/hostname'$"
expect_match "header: kernel" "^# kernel +: 6.1.0-test-amd64$"
expect_match "header: date" "^# date +: 2023-11-14 22:13:20 UTC$"
expect_match "header: total block executions" "^# blocks executed : 10000 \(10 distinct blocks of 11 recorded\)$"
expect_match "vfs_read has 30% (3000 of 10000, two counters summed)" "^ +30\.00% +106000  vfs_read$"
expect_match "a block outside every symbol is [unknown]" "^ +1\.00% +800  \[unknown\]$"

out=$("$J" report -i "$D" -s block 2>&1)
expect_match "blocks as sym+0xoff with length and native address" "^ +25\.00% +2500 +50000 +20  0xffffffff81002000  ksys_read\+0x0$"
expect_match "module blocks name their module" "0xffffffffc0100810  ext4_llseek\+0x10 \[ext4\]$"
# no cache address: every address printed is a recorded block start
addrs=$(printf '%s\n' "$out" | grep -o '0x[0-9a-f]\{16\}' | sort -u | tr '\n' ' ')
[ "$addrs" = "0xffffffff80fff000 0xffffffff81001000 0xffffffff81001010 0xffffffff81002000 0xffffffff81002400 0xffffffff81002428 0xffffffff81003004 0xffffffffc0100000 0xffffffffc0100810 0xffffffffc0a00008 " ]
ok $? "only recorded native block addresses are printed (got: $addrs)"
printf '%s\n' "$out" | grep -q '0xffffffff81001028'
[ $? -ne 0 ]; ok $? "a block never executed is not listed"

out=$("$J" report -i "$D" --percent-limit 100 2>&1)
expect_match "--percent-limit 100 hides all, says so" "^# 8 entries below 100\.00% not shown"
expect_status "--percent-limit accepts a % sign" 0 "$J" report -i "$D" --percent-limit 2.5%

# --- JSON and CSV ------------------------------------------------------------
golden report-sym.json -i "$D" --json
golden report-block.json -i "$D" --json -s block --percent-limit 5
if command -v python3 >/dev/null 2>&1; then
	for k in sym block module; do
		"$J" report -i "$D" --json -s "$k" >"$tmp/j" &&
			python3 -m json.tool "$tmp/j" >/dev/null
		ok $? "--json -s $k is valid JSON"
	done
	"$J" report -i "$D" --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert isinstance(a, list) and len(a) == 8, a
assert sum(e["count"] for e in a) == 10000
assert a[0]["symbol"] == "vfs_read" and a[0]["count"] == 3000 and a[0]["percent"] == 30.0
assert a[0]["module"] == "vmlinux" and a[0]["address"] == "0xffffffff81002400"
u = [e for e in a if e["symbol"] is None]
assert len(u) == 1 and u[0]["module"] is None and u[0]["count"] == 100
' 2>"$tmp/py"
	ok $? "--json: an array of objects with counts, nulls for [unknown]"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
	"$J" report -i "$tmp/empty.data" --json | python3 -c '
import json, sys
assert json.load(sys.stdin) == []'
	ok $? "--json of an empty recording is []"
	"$J" report -i "$D" --csv -s block | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
assert all(len(r) == len(rows[0]) for r in rows), rows
assert len(rows) == 11 and sum(int(r[1]) for r in rows[1:]) == 10000
' 2>"$tmp/py"
	ok $? "--csv -s block: a header and 10 rows of equal width"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
else
	for i in 1 2 3 4 5 6; do ok 0 "# SKIP python3 not installed"; done
fi
golden report-sym.csv -i "$D" --csv
golden report-block.csv -i "$D" --csv -s block
golden report-module.csv -i "$D" --csv -s module

# --- source keys without debug info: function+offset per block, marked ------
# (the fixture's release has no debug info anywhere; debuginfod is off)
unset DEBUGINFOD_URLS
golden report-srcline.txt -i "$D" --stdio -s srcline
out=$(cat "$tmp/report-srcline.txt.err")
expect_match "-s srcline: the one-line hint is kept (stderr)" \
	"^jifl report: no source lines for vmlinux: install the kernel's debug info \(apt install linux-image-6\.1\.0-test-amd64-dbg\)"
[ "$(grep -c . "$tmp/report-srcline.txt.err")" -eq 1 ]
ok $? "-s srcline: one line on stderr"
out=$("$J" report -i "$D" --stdio -s srcfile 2>/dev/null)
[ "$(printf '%s\n' "$out" | sed '1,/^#$/d' | sed '1,/^#$/d')" = "$(sed '1,/^#$/d' "$FIX/report-srcline.txt" | sed '1,/^#$/d')" ]
ok $? "-s srcfile: the same ten per-block entries as -s srcline"
case $out in *'[unknown]'*) r=1 ;; *) r=0 ;; esac
ok $r "-s srcfile: no [unknown]"
out=$("$J" report -i "$D" -s srcline --json 2>/dev/null | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(len(a), a[6]["fallback"], a[6]["count"], a[6]["srcfile"], a[6]["srcline"])')
expect_match "-s srcline --json: fallback field, srcfile and srcline null" \
	"^10 vfs_read\+0x28 \[no debuginfo\] 500 None None$"
out=$("$J" report -i "$D" -s srcline --csv 2>/dev/null | sed -n '1p;9p')
expect_match "-s srcline --csv: a fallback column" \
	"^percent,count,bytes,srcfile,srcline,fallback,blocks$"
expect_match "-s srcline --csv: the unknown block by address" \
	"^1\.00,100,800,,,0xffffffff80fff000 \[no symbol\],1$"

# --- errors ------------------------------------------------------------------
mkdir "$tmp/nodata"
expect_status "missing jifl.data exits 1" 1 sh -c 'cd "$1" && "$2" report' sh "$tmp/nodata" "$J"
expect_match "missing file: says how to record one" "^jifl report: jifl.data: No such file; record one with \`jifl record -e bbcount -- CMD\`"
size=$(wc -c <"$D")
head -c $((size - 100)) "$D" >"$tmp/trunc.data"
expect_status "truncated file exits 1" 1 "$J" report -i "$tmp/trunc.data"
expect_match "truncated file: the library's message" "^jifl report: .*trunc.data: truncated at byte $((size - 100)) \(expected $size\)"
cp "$D" "$tmp/corrupt.data"
printf 'X' | dd of="$tmp/corrupt.data" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status "corrupt file exits 1" 1 "$J" report -i "$tmp/corrupt.data"
expect_match "corrupt file: the library's message" "^jifl report: .*corrupt.data: corrupt"
expect_status "file without counters exits 1" 1 "$J" report -i "$tmp/nocnt.data"
expect_match "no counters: says to record with -e bbcount" "^jifl report: no block counters in .*nocnt.data: record with -e bbcount \(or -e calltrace for call graphs\)$"
expect_status "hidden kallsyms: still a report" 0 "$J" report -i "$tmp/hidden.data"
expect_match "hidden kallsyms: warns why there are no symbols" "warning: no symbols: kallsyms addresses were hidden"

expect_status "unknown sort key exits 2" 2 "$J" report -i "$D" -s sybm
expect_match "unknown sort key: hint and the valid keys" "^jifl report: unknown sort key 'sybm' \(did you mean 'sym'\?\); valid keys: sym, block, module, srcline, srcfile, syscall, comm, pid$"
expect_status "unknown key in a list exits 2" 2 "$J" report -i "$D" -s sym,blok
expect_match "unknown key in a list: named" "unknown sort key 'blok' \(did you mean 'block'\?\)"
for k in syscall comm pid; do
	expect_status "-s $k on block counters exits 1" 1 "$J" report -i "$D" -s $k
	expect_match "-s $k: says which data it needs" "^jifl report: -s $k( needs calltrace events, and .* has none: record with -e calltrace|: needs per-thread records)"
done
expect_status "unknown --sort-by exits 2" 2 "$J" report -i "$D" --sort-by cycles
expect_status "bad --percent-limit exits 2" 2 "$J" report -i "$D" --percent-limit lots
expect_status "--json with --csv exits 2" 2 "$J" report -i "$D" --json --csv
expect_status "an argument exits 2" 2 "$J" report -i "$D" extra
expect_status "report --help exits 0" 0 "$J" report --help
expect_match "--help lists --percent-limit" "--percent-limit <pct>"

done_testing
