#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl report and jifl cover on live recordings of jifl_target.ko (built
# with -g): the blocks counted in the guest resolve through the module's
# DWARF (relocated by the recorded kallsyms and module base, build-id
# checked against /sys/module) to the exact source lines the scenario ran.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
RT=${RUN_TARGET:-$top_builddir/tests/target/run-target}

[ -n "${JIFL_TARGET_KO:-}" ] || skip_all "JIFL_TARGET_KO not set (run through tests/kernel/vmtest)"
KODIR=$(dirname "$JIFL_TARGET_KO")
SRC=$top_srcdir/tests/target/jifl_target.c
cd "$(mktemp -d)" || exit 1
line_of() { grep -nF -- "$1" "$SRC" | head -n 1 | cut -d: -f1; }

insmod "$JIFL_TARGET_KO"
ok $? "insmod jifl_target"

rec() { "$J" record -q -e bbcount --module jifl_target --syscalls ioctl -o "$@"; }
rec loop.data -- "$RT" loop 7 >/dev/null
ok $? "record -e bbcount --module jifl_target -- run-target loop 7"

body=$(line_of 'acc += 2 * i + 1;')
# blocks overlap: the first iteration runs the body in the block that
# starts before the loop, the other six in the block the loop jumps to
out=$("$J" report -i loop.data -s sym,srcline --csv --symfs "$KODIR" 2>&1)
expect_match "report -s sym,srcline: jt_loop's blocks starting at the body line $body" \
	"^[0-9.]+,6,[0-9]+,jt_loop,jifl_target,0x[0-9a-f]+,.*jifl_target\.c,$body,,1$"
printf '%s\n' "$out" | grep -q 'build-id .* does not match'
[ $? -ne 0 ]; ok $? "the recorded build-id matches the module file"
out=$("$J" report -i loop.data --annotate jt_loop --stdio --symfs "$KODIR" 2>&1)
expect_match "--annotate jt_loop: the body's instruction ran 7 times" "^ +7 +[0-9.]+% : +[0-9a-f]+:  lea"
expect_match "--annotate: with its source line" "jifl_target\.c:$body[[:space:]]+acc \+= 2 \* i \+ 1;$"

"$J" cover -i loop.data --symfs "$KODIR" --include jifl_target.c -o loop.info 2>/dev/null
ok $? "cover -o loop.info"
grep -qx "DA:$body,7" loop.info
ok $? "lcov: DA:$body,7"
grep -q "^FNDA:1,jt_loop$" loop.info
ok $? "lcov: jt_loop called once"
for_line=$(line_of 'for (i = 0; i < n; i++) {')
grep -qx "BRDA:$for_line,1,0,6" loop.info && grep -qx "BRDA:$for_line,1,1,1" loop.info &&
	grep -qx "BRDA:$for_line,0,0,0" loop.info && grep -qx "BRDA:$for_line,0,1,1" loop.info
ok $? "lcov BRDA: the loop's back edge taken 6 times and left once, 'n == 0' not taken"
[ $? -eq 0 ] || diag "$(grep BRDA loop.info)"
if command -v lcov >/dev/null; then
	lcov --summary loop.info >sum 2>&1
	ok $? "lcov --summary reads it"
else
	ok 0 "# SKIP lcov not installed"
fi

# switch N: only case N's line is hit; record and write in one go
exprs=("v + 100" "v * 3" "v ^ 0x55" "v << 4" "v * v" "v - 1" "v | 0x100"
	"~v & 0xffff" "v * 7 + 1" "v >> 1" "0xdef")
for n in 3 10; do
	"$J" cover --module jifl_target -i sw$n.data --symfs "$KODIR" \
		--include jifl_target.c -o sw$n.info -- "$RT" switch $n >/dev/null 2>sw.err
	st=$?
	hit=
	for i in "${!exprs[@]}"; do
		c=$(grep "^DA:$(line_of "r = ${exprs[i]};")," sw$n.info | cut -d, -f2)
		[ -n "$c" ] && [ "$c" != 0 ] && hit="$hit $i"
	done
	[ $st -eq 0 ] && [ "$hit" = " $n" ]
	ok $? "cover -- run-target switch $n: only case $n's line is hit (hit:$hit)"
	[ $st -eq 0 ] || diag "$(cat sw.err)"
done
out=$("$J" cover --diff sw3.data sw10.data --symfs "$KODIR" --include jifl_target.c 2>&1)
expect_match "--diff: case 3's line only in the first" "^\+ .*jifl_target\.c:$(line_of 'r = v << 4;')$"

# -e cover: which blocks ran, no counts
"$J" record -q -e cover --module jifl_target --syscalls ioctl -o cov.data -- "$RT" loop 7 >/dev/null
ok $? "record -e cover -- run-target loop 7"
"$J" cover -i cov.data --symfs "$KODIR" --include jifl_target.c -o cov.info 2>cov.err
ret=$(awk -v d="$(line_of 'u64 jt_loop(u64 n)')" 'NR > d && /return acc;/ { print NR; exit }' "$SRC")
grep -qx "DA:$body,1" cov.info && grep -qx "DA:$ret,0" cov.info &&
	! grep -q '^BRDA' cov.info && ! grep -q 'taken as run' cov.err
st=$?
ok $st "cover of -e cover data: the loop body ran (1), the N=0 return did not (0); no BRDA"
[ $st -eq 0 ] || diag "$(grep -E '^(SF|DA|BRDA)' cov.info | head -30)" "$(cat cov.err)"

# calltrace: jt_recurse(6) calls itself down to jt_recurse(0): 7 calls
"$J" record -q -e calltrace --module jifl_target --syscalls ioctl -o ct.data -- "$RT" recurse 6 >/dev/null 2>ct.err
st=$?
if [ $st -eq 0 ]; then
	out=$("$J" report -i ct.data --stdio 2>&1)
	expect_match "calltrace profile: jt_recurse called 7 times" " 7 +[0-9]+ +[0-9]+  jt_recurse \[jifl_target\]$"
	out=$("$J" report -i ct.data --stdio -g 2>&1)
	expect_match "call graph: jt_recurse 7 deep under the ioctl" "^ .* 1 +[0-9]+ +[0-9]+ {14,}jt_recurse \[jifl_target\]$"
	"$J" report -i ct.data --folded >ct.folded 2>/dev/null
	grep -q "jt_recurse_\[jifl_target\];jt_recurse_\[jifl_target\]" ct.folded
	ok $? "--folded: nested jt_recurse frames"
	"$J" report -i ct.data --chrome >ct.json 2>/dev/null &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sum(e["name"].startswith("jt_recurse") for e in d["traceEvents"]) == 7' ct.json
	ok $? "--chrome: valid JSON with the 7 jt_recurse calls"
else
	ok 1 "record -e calltrace (exit $st)"
	diag "$(cat ct.err)"
fi

rmmod jifl_target
ok $? "rmmod jifl_target"
done_testing
