#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl report with the distribution's vmlinux debug info
# (linux-image-<release>-dbg): a recording of real vmlinux code, KASLR
# slid, is found under /usr/lib/debug by its release and build-id alone,
# and every block resolves to the source line binutils' addr2line gives
# for the unslid address. A wrong build-id is refused with a warning that
# names the file. Skipped where no -dbg package is installed (CI does not
# install its 860 MB).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/unit/vmlinux-fixture.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
command -v addr2line >/dev/null && command -v objdump >/dev/null ||
	skip_all "addr2line/objdump not installed (binutils)"
DBG=
for f in /usr/lib/debug/boot/vmlinux-*; do
	[ -f "$f" ] && DBG=$f && break
done
[ -n "$DBG" ] || skip_all "no vmlinux debug info (apt install linux-image-\$(uname -r)-dbg)"
REL=${DBG#/usr/lib/debug/boot/vmlinux-}
tmp=$(mktemp -d /tmp/test-report-vmlinux.XXXXXX) || exit 99
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
export LC_ALL=C

ID=$(readelf -n "$DBG" | awk '/Build ID/ { print $3 }')
SLIDE=0x2a00000		# a KASLR slide: 2 MiB aligned
funcs="vfs_read ksys_read do_sys_openat2 tcp_sendmsg"
vmlinux_spec "$tmp/spec" "$DBG" "$REL" $SLIDE "$ID" "$funcs"
nblocks=$(grep -c '^block' "$tmp/spec")
[ "$nblocks" -ge 16 ]
ok $? "fixture: $nblocks blocks in $funcs of $REL, slid by $SLIDE"
"$GEN" "$tmp/v.data" spec "$tmp/spec"
ok $? "fixture written"

"$J" report -i "$tmp/v.data" -s block --csv --percent-limit 0 \
	>"$tmp/v.csv" 2>"$tmp/v.err"
ok $? "report -s block --csv finds the debug info by itself"
[ -s "$tmp/v.err" ] && diag "$(cat "$tmp/v.err")"
vmlinux_lines_match "$DBG" $SLIDE "$tmp/v.csv"
[ "$VL_ROWS" -eq "$nblocks" ] && [ "$VL_BAD" -eq 0 ]
ok $? "all $VL_ROWS vmlinux blocks resolve to addr2line's file:line ($VL_BAD differ)"

out=$("$J" report -i "$tmp/v.data" -s srcfile --stdio 2>&1)
expect_match "the header names the vmlinux found" "debug info +: vmlinux: $DBG"
expect_match "-s srcfile: fs/read_write.c" "[0-9.]+% +[0-9]+ +(.*/)?fs/read_write\.c$"
expect_match "-s srcfile: net/ipv4/tcp.c" "[0-9.]+% +[0-9]+ +(.*/)?net/ipv4/tcp\.c$"
printf '%s\n' "$out" | grep -q "no source lines"
[ $? -ne 0 ]; ok $? "no 'install the -dbg package' hint"

sed "s/^buildid .*/buildid 00112233445566778899aabbccddeeff00112233/" \
	"$tmp/spec" >"$tmp/bad.spec"
"$GEN" "$tmp/bad.data" spec "$tmp/bad.spec"
out=$("$J" report -i "$tmp/bad.data" -s srcline --stdio 2>&1)
ok $? "a build-id mismatch still gives a report"
expect_match "and a warning that names the file" \
	"warning: $DBG: build-id $ID does not match the recorded vmlinux"
printf '%s\n' "$out" | grep -q 'read_write\.c:'
[ $? -ne 0 ]; ok $? "no source line from the wrong vmlinux"
done_testing
