#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl report with debug info: recordings of tests/target/jifl_target.ko
# (built with -g; tests/unit/report-target.sh makes them up from the module
# itself, no kernel needed) resolve through libdwfl to the module's exact
# source lines, checked against binutils' addr2line and against the source
# text; relocation follows the recorded kallsyms and module base; inline
# chains, --annotate, and the errors (build-id mismatch, missing debug
# info, unknown function).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/unit/report-target.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
command -v addr2line >/dev/null || skip_all "addr2line not installed (binutils)"
target_ko || skip_all "jifl_target.ko cannot be built (install linux-headers-amd64)"
tmp=$(mktemp -d /tmp/test-report-dwarf.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C

# line_of TEXT: the line number of the first source line containing TEXT
line_of() { grep -nF -- "$1" "$SRC" | head -n 1 | cut -d: -f1; }

# --- exact lines: every block of every scenario function --------------------
target_spec "$tmp/all.spec" 0x40 "$KO_ID" all "" \
	"jt_nested jt_switch jt_indirect jt_recurse jt_copy jt_sleep jt_spin jt_warn jt_op_add jt_op_mul"
# and jt_loop as for one ioctl "loop 7"
target_spec "$tmp/loop.spec" 0x40 "$KO_ID" loop N=7 jt_loop
grep '^block' "$tmp/loop.spec" | grep -v "$(hx $((KTEXT + 0x1000)))" >>"$tmp/all.spec"
check "fixture: jifl_target at a module base, .text 0x40 past it" \
	"$GEN" "$tmp/all.data" spec "$tmp/all.spec"
"$J" report -i "$tmp/all.data" -s block --csv --percent-limit 0 \
	--symfs "$KODIR" >"$tmp/all.csv" 2>"$tmp/all.err"
ok $? "report -s block --csv --symfs exits 0"
# every recorded block, executed or not, through -n... blocks with count 0
# are not listed: compare the listed ones
nb=0 bad=0
while IFS=, read -r _ _ _ addr _ sym off mod srcfile srcline; do
	[ "$mod" = jifl_target ] || continue
	nb=$((nb + 1))
	fv=$(func_value "$sym")
	want=$(addr2line -e "$KO" -j .text "$(printf '0x%x' $((fv + off)))" |
		sed 's/ (discriminator [0-9]*)//')
	if [ "$srcfile:$srcline" != "$want" ]; then
		bad=$((bad + 1))
		diag "$sym+$off: jifl says $srcfile:$srcline, addr2line $want"
	fi
done < <(tail -n +2 "$tmp/all.csv")
[ "$nb" -ge 20 ] && [ "$bad" -eq 0 ]
ok $? "all $nb executed jifl_target blocks resolve to addr2line's file:line"
head -n 1 "$tmp/all.csv" | grep -q ',srcfile,srcline$'
ok $? "-s block --csv has srcfile and srcline columns with debug info"

body=$(line_of 'acc += 2 * i + 1;')
out=$("$J" report -i "$tmp/all.data" -s srcline --stdio --symfs "$KODIR" 2>&1)
expect_match "-s srcline: jt_loop's body, 7 executions of 10 bytes... at its line" \
	"jifl_target\.c:$body$"
out=$("$J" report -i "$tmp/all.data" -s sym,srcline --json --symfs "$KODIR" 2>/dev/null)
printf '%s\n' "$out" | python3 -c '
import json, sys
a = json.load(sys.stdin)
e = [x for x in a if x["symbol"] == "jt_loop" and x["srcline"] == int(sys.argv[1])]
assert len(e) == 1 and e[0]["count"] == 7 and e[0]["srcfile"].endswith("jifl_target.c"), e
' "$body" 2>"$tmp/py"
ok $? "-s sym,srcline --json: jt_loop at line $body ran 7 times"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
out=$("$J" report -i "$tmp/all.data" -s srcfile --stdio --symfs "$KODIR" 2>&1)
expect_match "-s srcfile: jifl_target.c" "^ +[0-9.]+% +[0-9]+  .*jifl_target\.c$"
expect_match "-s srcfile: vmlinux without debug info falls back to function+offset" \
	"^ +[0-9.]+% +[0-9]+  do_syscall_64\+0x0 \[no debuginfo\]$"
case $out in *'[unknown]'*) r=1 ;; *) r=0 ;; esac
ok $r "-s srcfile: no [unknown] entry"
expect_match "no vmlinux debug info: one hint naming the -dbg package" \
	"^jifl report: no source lines for vmlinux: install .*apt install linux-image-$TGT_REL-dbg"

# --- relocation ----------------------------------------------------------------
target_spec "$tmp/nosyms.spec" nosyms "$KO_ID" loop N=7 "jt_loop"
"$GEN" "$tmp/nosyms.data" spec "$tmp/nosyms.spec"
out=$("$J" report -i "$tmp/nosyms.data" -s block --csv --symfs "$KODIR" 2>&1)
expect_match "no module kallsyms: .text at the recorded base, jt_loop+0x9 at line $body" \
	"^[0-9.]+,7,[0-9]+,$(printf '0x%016x' $((BASE + $(func_value jt_loop) + 9))),14,jt_loop,9,jifl_target,.*jifl_target\.c,$body$"

# Debian 6.12 kernels ship modules as .ko.xz
if command -v xz >/dev/null; then
	mkdir "$tmp/xz" && cp "$KO" "$tmp/xz/" && xz "$tmp/xz/jifl_target.ko"
	out=$("$J" report -i "$tmp/all.data" -s srcline --stdio --symfs "$tmp/xz" 2>&1)
	expect_match "a .ko.xz module: source lines" "jifl_target\.c:$body$"
	out=$("$J" report -i "$tmp/all.data" --annotate jt_loop --stdio --symfs "$tmp/xz" 2>&1)
	expect_match "a .ko.xz module: --annotate reads its code" "^ +7 +[0-9.]+% : +9:  lea"
else
	ok 0 "# SKIP xz not installed"
	ok 0 "# SKIP xz not installed"
fi

# --- inline chains ---------------------------------------------------------
target_spec "$tmp/spin.spec" 0 "$KO_ID" spin N=3 "jt_spin"
"$GEN" "$tmp/spin.data" spec "$tmp/spin.spec"
"$J" report -i "$tmp/spin.data" -s block --json --symfs "$KODIR" >"$tmp/spin.json" 2>/dev/null
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
inl = [i for e in a for i in e.get("inlined", [])]
assert any(i["function"] == "spin_unlock" and i["call_line"] == int(sys.argv[2])
           and i["call_file"].endswith("jifl_target.c") for i in inl), inl
' "$tmp/spin.json" "$(line_of 'spin_unlock(&jt_lock);')" 2>"$tmp/py"
ok $? "spin_unlock() shows as inlined at its call in jt_spin"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
out=$("$J" report -i "$tmp/spin.data" -s block --stdio --symfs "$KODIR" 2>&1)
expect_match "text: (spin_unlock inlined at jifl_target.c:N)" "spinlock\.h:[0-9]+ \(spin_unlock inlined at .*jifl_target\.c:[0-9]+\)"
out=$("$J" report -i "$tmp/spin.data" -s block --stdio --no-inline --symfs "$KODIR" 2>&1)
printf '%s\n' "$out" | grep -q inlined
[ $? -ne 0 ]; ok $? "--no-inline: no inline chains"

# --- annotate ------------------------------------------------------------------
out=$("$J" report -i "$tmp/all.data" --annotate jt_loop --stdio --symfs "$KODIR" 2>&1)
st=$?
[ $st -eq 0 ]; ok $? "--annotate jt_loop exits 0"
expect_match "--annotate: the loop body's instruction ran 7 times, at offset 9" "^ +7 +[0-9.]+% : +9:  lea"
expect_match "--annotate: source text of the body line" "jifl_target\.c:$body[[:space:]]+acc \+= 2 \* i \+ 1;$"
expect_match "--annotate: the tail call named through its relocation" "jmp +__x86_return_thunk$"
out=$("$J" report -i "$tmp/all.data" --annotate jt_loop --json --symfs "$KODIR" 2>&1)
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["symbol"] == "jt_loop" and d["module"] == "jifl_target"
i = [x for x in d["insns"] if x["offset"] == 9][0]
assert i["count"] == 7 and i["srcline"] == int(sys.argv[1]), i
' "$body" 2>"$tmp/py"
ok $? "--annotate --json: offset 9 counted 7, at line $body"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
expect_status "--annotate of an unknown function exits 1" 1 \
	"$J" report -i "$tmp/all.data" --annotate no_such_fn --symfs "$KODIR"
expect_match "--annotate unknown: says so" "no function 'no_such_fn' in the recorded kallsyms"
# an empty --symfs: no vmlinux even where linux-image-*-dbg is installed
mkdir -p "$tmp/empty"
expect_status "--annotate without debug info exits 1" 1 \
	"$J" report -i "$tmp/all.data" --annotate do_syscall_64 --symfs "$tmp/empty"
expect_match "--annotate without object: names the package" "no object file holding the code of do_syscall_64: .*linux-image-$TGT_REL-dbg"

# --- errors ----------------------------------------------------------------------
target_spec "$tmp/badid.spec" 0x40 0123456789abcdef0123456789abcdef01234567 loop N=7 jt_loop
"$GEN" "$tmp/badid.data" spec "$tmp/badid.spec"
expect_status "build-id mismatch: still a report" 0 \
	"$J" report -i "$tmp/badid.data" -s srcline --symfs "$KODIR"
expect_match "build-id mismatch: a warning naming the wrong file" \
	"warning: $KO: build-id $KO_ID does not match the recorded jifl_target \(0123456789abcdef0123456789abcdef01234567\)"
printf '%s\n' "$out" | grep -q 'jifl_target\.c:'
[ $? -ne 0 ]; ok $? "build-id mismatch: no source line from the wrong file"
expect_status "no --symfs: module debug info missing, exit 0" 0 \
	"$J" report -i "$tmp/all.data" -s srcline
# (vmlinux is named too unless linux-image-$TGT_REL-dbg is installed)
expect_match "no --symfs: the hint says --symfs" "no source lines for (vmlinux and )?module jifl_target: .*--symfs DIR"
expect_status "-k missing file: exit 0" 0 "$J" report -i "$tmp/all.data" -s srcline -k "$tmp/nope" --symfs "$KODIR"
expect_match "-k missing file: warned" "warning: $tmp/nope: no such file \(-k\)"
printf 'buildid 00112233445566778899aabbccddeeff00112233\n' >>"$tmp/all.spec"
"$GEN" "$tmp/vid.data" spec "$tmp/all.spec"
expect_status "-k with the wrong vmlinux: exit 0" 0 "$J" report -i "$tmp/vid.data" -s srcline -k "$KO" --symfs "$KODIR"
expect_match "-k wrong vmlinux: build-id warning names it" "warning: $KO: build-id $KO_ID does not match the recorded vmlinux \(00112233445566778899aabbccddeeff00112233\): not using it; name the right file with -k"

# --- vmlinux without symbols (extracted from vmlinuz): code by KASLR slide ---
vmlinuz=/boot/vmlinuz-$TGT_REL
xv=$(ls /usr/src/linux-source-*/scripts/extract-vmlinux 2>/dev/null | head -n 1)
if [ -r "$vmlinuz" ] && [ -n "$xv" ] && command -v objdump >/dev/null &&
	sh "$xv" "$vmlinuz" >"$tmp/vmlinux" 2>/dev/null && [ -s "$tmp/vmlinux" ]; then
	vid=$(readelf -n "$tmp/vmlinux" | awk '/Build ID/ { print $3 }')
	link=$(readelf -lW "$tmp/vmlinux" | awk '$1 == "LOAD" && / R E |RWE/ { print $3; exit }')
	rt=0xffffffff9a000000	# a KASLR slide of 0x19000000 from 0xffffffff81000000
	{ echo "uname $TGT_REL"; echo "text $rt 0xffffffff9b000000"; echo "buildid $vid"
	  echo "sym $rt T _text"; echo "sym 0xffffffff9a100000 T fn_a"
	  echo "sym 0xffffffff9a100040 T fn_b"; echo "block 0xffffffff9a100000 16 3"; } >"$tmp/vm.spec"
	"$GEN" "$tmp/vm.data" spec "$tmp/vm.spec"
	"$J" report -i "$tmp/vm.data" --annotate fn_a -k "$tmp/vmlinux" --stdio >"$tmp/ann" 2>"$tmp/ann.err"
	ok $? "--annotate with -k vmlinux extracted from vmlinuz (no symbols, build-id $vid)"
	start=$(printf '0x%x' $((link + 0x100000)))
	objdump -d --start-address="$start" --stop-address=$(printf '0x%x' $((start + 0x40))) \
		"$tmp/vmlinux" | awk -F'\t' '/^ *ffffffff[0-9a-f]+:/ && NF >= 3 { sub(/:.*/, "", $1); print $1 }' |
		while read -r a; do printf '%x\n' $((0x$a - start)); done >"$tmp/want"
	sed -n 's/^[^:]* : *\([0-9a-f]*\):  .*/\1/p' "$tmp/ann" >"$tmp/got"
	head -n "$(wc -l <"$tmp/got")" "$tmp/want" | cmp -s - "$tmp/got" && [ "$(wc -l <"$tmp/got")" -ge 8 ]
	ok $? "the same instruction boundaries as objdump at the link address ($(wc -l <"$tmp/got") instructions)"
	[ $? -eq 0 ] || diag "$(paste "$tmp/want" "$tmp/got" | head -20)"
	grep -q "^ \+3 .*:      0:  " "$tmp/ann"
	ok $? "the recorded block's instructions counted 3 times"
	expect_match_file() { grep -q "$2" "$1"; ok $? "$3"; }
	expect_match_file "$tmp/ann.err" "no source lines for vmlinux (the file found has no debug info)" \
		"the hint says the -k file has no debug info"
	! grep -q "does not match" "$tmp/ann.err"
	ok $? "the extracted image's build-id matches the recorded one"
else
	for i in 1 2 3 4 5; do ok 0 "# SKIP no /boot/vmlinuz-$TGT_REL or extract-vmlinux (linux-source)"; done
fi

done_testing
