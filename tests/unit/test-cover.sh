#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl cover on recordings of tests/target/jifl_target.ko made up from the
# module and the expected block counts of its scenarios
# (tests/unit/report-target.sh; no kernel needed): line coverage follows
# what each scenario executed, line by line; the lcov tracefile passes
# Debian's lcov --summary and genhtml without warnings; PC list, JSON,
# text, --include/--exclude, --merge, --diff and the errors.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/unit/report-target.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
target_ko || skip_all "jifl_target.ko cannot be built (install linux-headers-amd64)"
tmp=$(mktemp -d /tmp/test-cover.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

line_of() { grep -nF -- "$1" "$SRC" | head -n 1 | cut -d: -f1; }
# da FILE LINE: the DA count of LINE in an lcov file ("" if not instrumented)
da() { grep "^DA:$2," "$1" | cut -d, -f2; }
mk() { target_spec "$tmp/$1.spec" "$2" "$KO_ID" "$3" "$4" "${5:-}" &&
	"$GEN" "$tmp/$1.data" spec "$tmp/$1.spec"; }
cov() { "$J" cover --symfs "$KODIR" "$@" 2>"$tmp/err"; }

# --- switch: exactly the selected case's line is hit ---------------------------
exprs=("v + 100" "v * 3" "v ^ 0x55" "v << 4" "v * v" "v - 1" "v | 0x100"
	"~v & 0xffff" "v * 7 + 1" "v >> 1" "0xdef")
for i in "${!exprs[@]}"; do L[i]=$(line_of "r = ${exprs[i]};"); done
for n in 0 1 2 3 4 5 6 7 8 9 10; do
	mk sw$n 0 switch N=$n jt_switch
	cov -i "$tmp/sw$n.data" --lcov >"$tmp/sw$n.info"
	hit=
	for i in "${!L[@]}"; do
		c=$(da "$tmp/sw$n.info" "${L[i]}")
		[ -n "$c" ] || hit="$hit missing:$i"
		[ "$c" != 0 ] && hit="$hit $i"
	done
	[ "$hit" = " $n" ]
	ok $? "switch $n: of the 11 'r = ...' lines only case $n's is hit (hit:$hit)"
done

# --- loop: 7 iterations vs none ---------------------------------------------------
mk l7 0x40 loop N=7 jt_loop
mk l0 0x40 loop N=0 jt_loop
body=$(line_of 'acc += 2 * i + 1;')
decl=$(line_of 'u64 jt_loop(u64 n)')
ret=$(awk -v d="$decl" 'NR > d && /return acc;/ { print NR; exit }' "$SRC")
cov -i "$tmp/l7.data" -o "$tmp/l7.info"
ok $? "cover -o l7.info writes an lcov tracefile (.info)"
cov -i "$tmp/l0.data" -o "$tmp/l0.info"
[ "$(da "$tmp/l7.info" "$body")" = 7 ] && [ "$(da "$tmp/l0.info" "$body")" = 0 ]
ok $? "loop body line $body: 7 executions with N=7, not hit with N=0"
# with N=7 the function returns through the loop exit's tail jump: the
# code DWARF gives 'return acc;' runs only on the N=0 path
[ "$(da "$tmp/l7.info" "$ret")" = 0 ] && [ "$(da "$tmp/l0.info" "$ret")" = 1 ]
ok $? "'return acc;' (line $ret): its only code runs with N=0, not N=7"
grep -qx "FN:$decl,jt_loop" "$tmp/l7.info" && grep -qx "FNDA:1,jt_loop" "$tmp/l7.info"
ok $? "FN at the declaration line $decl, FNDA 1 (one call)"
grep -q "^SF:.*jifl_target\.c$" "$tmp/l7.info" && grep -qx end_of_record "$tmp/l7.info" &&
	grep -qx 'TN:' "$tmp/l7.info"
ok $? "TN, SF and end_of_record records"
lf=$(grep '^LF:' "$tmp/l7.info" | cut -d: -f2)
lh=$(grep '^LH:' "$tmp/l7.info" | cut -d: -f2)
[ "$lf" = "$(grep -c '^DA:' "$tmp/l7.info")" ] &&
	[ "$lh" = "$(grep '^DA:' "$tmp/l7.info" | grep -vc ',0$')" ]
ok $? "LF/LH count the DA records ($lh of $lf)"

mk spin 0 spin N=3 jt_spin

# branches: jt_loop's two conditional jumps on its 'for' line
for_line=$(line_of 'for (i = 0; i < n; i++) {')
brda() { grep "^BRDA:$for_line," "$1" | cut -d: -f2 | tr '\n' ' '; }
[ "$(brda "$tmp/l7.info")" = "$for_line,0,0,0 $for_line,0,1,1 $for_line,1,0,6 $for_line,1,1,1 " ]
ok $? "BRDA N=7: 'if n == 0' not taken once; the loop's back edge taken 6 times, left once"
[ "$(brda "$tmp/l0.info")" = "$for_line,0,0,1 $for_line,0,1,0 $for_line,1,0,- $for_line,1,1,- " ]
ok $? "BRDA N=0: 'if n == 0' taken; the loop's jump never ran (-)"
grep -qx 'BRF:4' "$tmp/l7.info" && grep -qx 'BRH:3' "$tmp/l7.info"
ok $? "BRF 4 edges, BRH 3 taken"

# overlapping blocks, as translation makes them: the first iteration runs
# the body inside the block starting at +0x5, the other six in the block
# the loop jumps back to (+0x9): the body line ran 7 times
fv=$(func_value jt_loop)
{ grep -v '^block' "$tmp/l7.spec"
  echo "block $(hx $((BASE + 0x40 + fv))) 5 1"
  echo "block $(hx $((BASE + 0x40 + fv + 5))) 18 1"
  echo "block $(hx $((BASE + 0x40 + fv + 9))) 14 6"
  echo "block $(hx $((BASE + 0x40 + fv + 0x17))) 5 1"
  echo "block $(hx $((BASE + 0x40 + fv + 0x1c))) 7 0"; } >"$tmp/ov.spec"
"$GEN" "$tmp/ov.data" spec "$tmp/ov.spec"
cov -i "$tmp/ov.data" --lcov >"$tmp/ov.info"
[ "$(da "$tmp/ov.info" "$body")" = 7 ]
ok $? "overlapping blocks: an instruction's count sums the blocks holding it (7)"
[ "$(brda "$tmp/ov.info")" = "$(brda "$tmp/l7.info")" ]
ok $? "overlapping blocks: the same branch edges as the static blocks"

# -e cover recordings: a block table without counts; every block ran
{ grep -v '^block' "$tmp/l7.spec"; grep '^block' "$tmp/l7.spec" | awk '$4 > 0'
  echo nocounters; } >"$tmp/nc.spec"
"$GEN" "$tmp/nc.data" spec "$tmp/nc.spec"
cov -i "$tmp/nc.data" --lcov >"$tmp/nc.info"
[ "$(da "$tmp/nc.info" "$body")" = 1 ] && [ "$(da "$tmp/nc.info" "$ret")" = 0 ] &&
	grep -qx 'LH:6' "$tmp/nc.info"
ok $? "no counts nor cover flags: the same lines hit, each counted 1"
expect_match_err() { grep -q "$1" "$tmp/err"; ok $? "$2"; }
expect_match_err "every translated block is taken as run" "no counts nor cover flags: a warning says so"
# -e cover: every translated block, those that ran flagged
{ grep -v '^block' "$tmp/l7.spec"; grep '^block' "$tmp/l7.spec"; echo nocounters; echo ranflags; } >"$tmp/rf.spec"
"$GEN" "$tmp/rf.data" spec "$tmp/rf.spec"
cov -i "$tmp/rf.data" --lcov >"$tmp/rf.info"
[ "$(da "$tmp/rf.info" "$body")" = 1 ] && [ "$(da "$tmp/rf.info" "$ret")" = 0 ] &&
	grep -qx 'LH:6' "$tmp/rf.info" && ! grep -q "taken as run" "$tmp/err"
ok $? "-e cover data: the blocks flagged as run are hit (each 1), the unflagged one not"
! grep -q '^BRDA' "$tmp/rf.info"
ok $? "-e cover data: no BRDA (edge counts need block counts)"

# --- real lcov -------------------------------------------------------------------
if command -v lcov >/dev/null && command -v genhtml >/dev/null; then
	mk all 0 all "" "jt_loop jt_nested jt_switch jt_indirect jt_recurse jt_copy jt_sleep jt_spin jt_warn jt_op_add jt_op_mul jt_op_xor jt_op_sub"
	cov -i "$tmp/all.data" --lcov -t jifl_target >"$tmp/all.info"
	lcov --summary "$tmp/l7.info" >"$tmp/sum" 2>&1
	grep -q "lines\.*: 75\.0% ($lh of $lf lines)" "$tmp/sum"
	ok $? "lcov --summary reads it: lines $lh of $lf"
	[ $? -eq 0 ] || diag "$(cat "$tmp/sum")"
	cov --merge "$tmp/sw3.data" "$tmp/l7.data" "$tmp/spin.data" --lcov >"$tmp/three.info"
	lcov --summary "$tmp/three.info" >"$tmp/sum" 2>&1
	st=$?
	text=$(cov --merge "$tmp/sw3.data" "$tmp/l7.data" "$tmp/spin.data" --text --stdio)
	want=$(printf '%s\n' "$text" | sed -n 's/^# lines *: *\([0-9.]*%\) (\([0-9]*\) of \([0-9]*\))$/\1 (\2 of \3 lines)/p')
	[ $st -eq 0 ] && grep -qF "lines......: $want" "$tmp/sum"
	ok $? "lcov --summary of three merged runs (inlined headers too) agrees with jifl's: $want"
	[ $? -eq 0 ] || diag "$(cat "$tmp/sum")" "$text"
	lcov --summary "$tmp/all.info" 2>&1 | grep -q "functions..: 100.0% (13 of 13 functions)"
	ok $? "lcov: every block once: 13 of 13 functions"
	want=$(printf '%s\n' "$text" | sed -n 's/^# branches *: *\([0-9.]*%\) (\([0-9]*\) of \([0-9]*\) edges)$/\1 (\2 of \3 branches)/p')
	[ -n "$want" ] && lcov --summary --rc lcov_branch_coverage=1 "$tmp/three.info" 2>&1 | grep -qF "branches...: $want"
	ok $? "lcov --summary branches agree with jifl's: $want"
	genhtml -q --branch-coverage -o "$tmp/html" "$tmp/all.info" "$tmp/three.info" >"$tmp/gh.out" 2>&1
	st=$?
	[ $st -eq 0 ] && [ ! -s "$tmp/gh.out" ] && [ -f "$tmp/html/index.html" ]
	ok $? "genhtml --branch-coverage writes HTML without a warning"
	[ $? -eq 0 ] || diag "$(cat "$tmp/gh.out")"
	grep -rq "jt_switch" "$tmp/html"
	ok $? "genhtml's function pages name jt_switch"
	# jifl cover --html DIR: the tracefile and genhtml in one command
	cov -i "$tmp/l7.data" --html "$tmp/h1"
	st=$?
	[ $st -eq 0 ] && [ -f "$tmp/h1/index.html" ] && [ -f "$tmp/h1/coverage.info" ] &&
		[ "$(da "$tmp/h1/coverage.info" "$body")" = 7 ] &&
		grep -q "HTML coverage in $tmp/h1/index.html" "$tmp/err"
	ok $? "--html DIR: DIR/coverage.info (loop body 7) and genhtml's DIR/index.html; says where"
	[ $? -eq 0 ] || diag "$(cat "$tmp/err")"
	grep -rq "jt_loop" "$tmp/h1" && grep -rq "acc += 2 \* i + 1;" "$tmp/h1"
	ok $? "--html: the pages name jt_loop and show its source"
	cov -q -i "$tmp/l7.data" --html "$tmp/h2" -o "$tmp/h2.info"
	st=$?
	[ $st -eq 0 ] && [ -f "$tmp/h2/index.html" ] && [ -s "$tmp/h2.info" ] &&
		[ ! -e "$tmp/h2/coverage.info" ] && [ ! -s "$tmp/err" ]
	ok $? "--html DIR -o FILE.info: the tracefile goes to -o; -q leaves stderr empty"
else
	for i in 1 2 3 4 5 6 7 8; do ok 0 "# SKIP lcov not installed (apt install lcov)"; done
fi

# --- PC list, JSON, text -----------------------------------------------------------
cov -i "$tmp/l7.data" --pcs >"$tmp/pcs"
want=$(awk '$1 == "block" && $4 > 0 { printf "0x%016x\n", 0 }' "$tmp/l7.spec" | wc -l)
awk '$1 == "block" && $4 > 0 { print $2 }' "$tmp/l7.spec" |
	while read -r a; do printf '0x%016x\n' "$a"; done | sort >"$tmp/pcs.want"
cmp -s "$tmp/pcs" "$tmp/pcs.want"
ok $? "--pcs: the $want executed block starts, sorted, one a line"
out=$(cov -i "$tmp/l7.data" --json)
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = [x for x in d["files"] if x["file"].endswith("jifl_target.c")][0]
fn = f["functions"][0]
assert fn["name"] == "jt_loop" and fn["module"] == "jifl_target" and fn["count"] == 1
assert fn["lines"] == 8 and fn["lines_hit"] == 6, fn
assert f["line_counts"][sys.argv[1]] == 7
assert d["lines"] == 8 and d["lines_hit"] == 6 and d["functions_hit"] == 1
assert d["without_lines"]["blocks"] == 1     # the vmlinux block: no vmlinux debug info
' "$body" 2>"$tmp/py"
ok $? "--json: per file and function, line counts, what lacks lines"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
out=$(cov -i "$tmp/l7.data" --stdio)
expect_match "text: totals" "^# lines     :  75\.0% \(6 of 8\)$"
expect_match "text: per function" "^ +8 +6 +75\.0% +1  jt_loop \[jifl_target\] \(jifl_target\.c:$decl\)$"

# --- filters, merge, diff ---------------------------------------------------------
cov -i "$tmp/spin.data" --lcov >"$tmp/spin.info"
grep -q '^SF:.*/spinlock\.h$' "$tmp/spin.info"
ok $? "inlined header code (spin_unlock) counts under spinlock.h"
cov -i "$tmp/spin.data" --lcov --exclude '*/include/*' >"$tmp/spin2.info"
! grep -q '^SF:.*/include/' "$tmp/spin2.info" && grep -q '^SF:.*jifl_target\.c$' "$tmp/spin2.info"
ok $? "--exclude '*/include/*' drops the headers, keeps jifl_target.c"
cov -i "$tmp/spin.data" --lcov --include 'linux/spinlock.h' >"$tmp/spin3.info"
[ "$(grep -c '^SF:' "$tmp/spin3.info")" = 1 ] && grep -q '^SF:.*/linux/spinlock\.h$' "$tmp/spin3.info"
ok $? "--include linux/spinlock.h keeps only that file"
cov --merge "$tmp/l7.data" "$tmp/l0.data" --lcov >"$tmp/m.info"
[ "$(da "$tmp/m.info" "$body")" = 7 ] && [ "$(da "$tmp/m.info" "$ret")" = 1 ] &&
	grep -qx 'LH:8' "$tmp/m.info" && grep -qx 'FNDA:2,jt_loop' "$tmp/m.info"
ok $? "--merge: every line hit, counts summed (FNDA 2)"
mk l7b 0x1000 loop N=7 jt_loop
cov --merge "$tmp/l7.data" "$tmp/l7b.data" --lcov >"$tmp/m2.info"
[ "$(da "$tmp/m2.info" "$body")" = 14 ] && [ "$(grep -c '^FN:' "$tmp/m2.info")" = 1 ]
ok $? "--merge of runs at different addresses merges by source line"
out=$(cov --diff "$tmp/l7.data" "$tmp/l0.data")
expect_match "--diff: + the body line only N=7 hits" "^\+ .*jifl_target\.c:$body$"
expect_match "--diff: - 'return acc;' only N=0 hits" "^- .*jifl_target\.c:$ret$"
expect_match "--diff: totals" "^# 2 lines only in the first, 2 only in the second$"
out=$(cov --diff --json "$tmp/l7.data" "$tmp/l0.data")
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert sorted(x["line"] for x in d["only_first"]) == sorted(map(int, sys.argv[1:3]))
assert int(sys.argv[3]) in [x["line"] for x in d["only_second"]]
' "$body" "$(line_of 'OPTIMIZER_HIDE_VAR(acc);')" "$ret" 2>"$tmp/py"
ok $? "--diff --json: only_first and only_second"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"

# --- errors and missing debug info ---------------------------------------------------
# an empty --symfs: no debug info even where linux-image-*-dbg is installed
mkdir -p "$tmp/empty"
out=$("$J" cover -i "$tmp/l7.data" --lcov --symfs "$tmp/empty" 2>&1 >/dev/null)
expect_match "no debug info: warns that only --pcs is meaningful" "warning: no recorded code has line information"
expect_match "no debug info: the hint names --symfs" "module jifl_target: .*--symfs DIR"
out=$("$J" cover -q -i "$tmp/l7.data" --lcov --symfs "$tmp/empty" 2>&1 >/dev/null)
[ -z "$out" ]
ok $? "-q: no warnings or hints" || diag "$out"
expect_status "missing file exits 1" 1 "$J" cover -i "$tmp/nope.data"
expect_match "missing file: says how to record" "No such file; record one with \`jifl record -e cover -- CMD\`"
cp "$tmp/l7.data" "$tmp/bad.data"
printf 'XXXX' | dd of="$tmp/bad.data" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_status "corrupt file exits 1" 1 "$J" cover -i "$tmp/bad.data"
expect_match "corrupt file: says so" "^jifl cover: .*bad\.data: "
expect_status "two files without --merge exit 1" 1 "$J" cover "$tmp/l7.data" "$tmp/l0.data"
expect_match "two files: suggests --merge or --diff" "give --merge to combine them or --diff"
expect_status "--diff of three exits 2" 2 "$J" cover --diff "$tmp/l7.data" "$tmp/l0.data" "$tmp/l7b.data"
expect_status "two formats exit 2" 2 "$J" cover --lcov --json -i "$tmp/l7.data"
expect_status "unknown option exits 2" 2 "$J" cover --lcv
expect_status "-- without a command exits 2" 2 "$J" cover --
expect_status "cover --help exits 0" 0 "$J" cover --help
expect_status "--html with --json exits 2" 2 "$J" cover --html "$tmp/hx" --json -i "$tmp/l7.data"
expect_status "--html with --diff exits 2" 2 "$J" cover --html "$tmp/hx" --diff "$tmp/l7.data" "$tmp/l0.data"
# no genhtml in $PATH: the error names the package (and the -o way round it)
mkdir -p "$tmp/nobin"
for t in dirname; do ln -sf "$(command -v $t)" "$tmp/nobin/$t"; done
out=$(PATH="$tmp/nobin" "$J" cover -i "$tmp/l7.data" --html "$tmp/hx" 2>&1)
st=$?
[ $st -eq 1 ] && printf '%s\n' "$out" | grep -q "needs genhtml.*install lcov (apt install lcov)" &&
	[ ! -e "$tmp/hx" ]
ok $? "--html without genhtml: exits 1, names the lcov package, makes no DIR" || diag "$out"

done_testing
