#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM: instructions that may fault to an exception-table fixup
# (uaccess) run from the cache, and a fault there takes the native fixup:
# copy_from_user of a bad pointer returns -EFAULT through the cache, the
# kernel log stays clean, and such instructions no longer fall back.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
ko=${JIFL_TARGET_KO:-}
rt=${RUN_TARGET:-$top_builddir/tests/target/run-target}
cd "$(mktemp -d)" || exit 1

[ -n "$ko" ] && [ -f "$ko" ] && [ -x "$rt" ] ||
	skip_all "JIFL_TARGET_KO or run-target missing"
insmod "$ko" || exit 1

fixups() { sed -n 's/.* \([0-9]*\) faulting-allowed instructions.*/\1/p' "$1"; }
extable_fb() { sed -n 's/.*extable: \([0-9]*\).*/\1/p' "$1"; }

for kind in good unmapped kernel; do
	"$rt" copy $kind >native.out 2>&1
	nst=$?
	"$J" record --module jifl_target -o $kind.data -- "$rt" copy $kind \
		>$kind.out 2>$kind.err
	st=$?
	[ $st = $nst ] && cmp -s native.out $kind.out
	ok $? "copy_from_user of a $kind pointer: same result as native ($(tr -d '\n' <native.out))"
done
n=$(fixups unmapped.err)
[ "${n:-0}" -gt 0 ]
ok $? "the faulting copy ran from the cache with its own fixup ($n entries)"
fb=$(extable_fb unmapped.err)
[ -z "$fb" ]
ok $? "no extable fallbacks (${fb:-0})" || cat unmapped.err >&2

# a real workload full of user copies, faults included (bad pointers
# from the shell's point of view: reading a directory, a missing file)
"$J" record -o tar.data -- sh -c 'tar cf - /usr/share/doc/bash 2>/dev/null | wc -c; cat /nonexistent 2>/dev/null; cat /usr 2>/dev/null; exit 0' \
	>tar.out 2>tar.err
ok $? "tar through the cache"
sh -c 'tar cf - /usr/share/doc/bash 2>/dev/null | wc -c' >tar.native
cmp -s tar.out tar.native
ok $? "same output as native ($(cat tar.native) bytes)"
n=$(fixups tar.err)
[ "${n:-0}" -gt 10 ]
ok $? "tens of uaccess instructions ran from the cache ($n)"
rmmod jifl_target
done_testing
