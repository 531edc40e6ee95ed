#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# jifl report fetching vmlinux debug info from debuginfod: a local
# debuginfod (elfutils' server) serves a stand-in vmlinux
# (tests/fixtures/fake-vmlinux.c, built with -g at the kernel's address);
# a recording of its code, KASLR slid, for a release with nothing under
# /usr/lib/debug resolves through DEBUGINFOD_URLS alone to the lines that
# addr2line gives. Without DEBUGINFOD_URLS the hint says how to get them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/unit/vmlinux-fixture.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
command -v debuginfod >/dev/null && command -v debuginfod-find >/dev/null ||
	skip_all "debuginfod not installed (apt install debuginfod)"
command -v addr2line >/dev/null && command -v objdump >/dev/null ||
	skip_all "addr2line/objdump not installed (binutils)"
tmp=$(mktemp -d /tmp/test-report-debuginfod.XXXXXX) || exit 99
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
export LC_ALL=C

mkdir -p "$tmp/serve"
${CC:-cc} -g -O2 -mcmodel=kernel -fno-pie -no-pie -nostdlib -static \
	-fno-asynchronous-unwind-tables -Wl,--build-id=sha1 \
	-Wl,-Ttext=0xffffffff81000000 -Wl,--defsym=_text=0xffffffff81000000 \
	-Wl,-e,fake_entry -o "$tmp/serve/vmlinux" \
	"$top_srcdir/tests/fixtures/fake-vmlinux.c"
ok $? "stand-in vmlinux built at 0xffffffff81000000"
ID=$(readelf -n "$tmp/serve/vmlinux" | awk '/Build ID/ { print $3 }')

# a free port: the server says which one it could not bind
for port in $(shuf -i 20000-60000 -n 5); do
	debuginfod -F "$tmp/serve" -p "$port" -d "$tmp/db.sqlite" \
		>"$tmp/server.log" 2>&1 &
	srv=$!
	for _ in $(seq 1 100); do
		# a fresh client cache each time: it remembers misses
		rm -rf "$tmp/probe"
		DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$tmp/probe \
			debuginfod-find debuginfo "$ID" >/dev/null 2>&1 && break 2
		kill -0 "$srv" 2>/dev/null || break
		sleep 0.1
	done
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	srv=
done
[ -n "$srv" ]
ok $? "a local debuginfod serves build-id $ID (port ${port:-none})" ||
	diag "$(tail -n 5 "$tmp/server.log")"

REL=0.0.0-jifl-debuginfod-test	# nothing under /usr/lib/debug for it
SLIDE=0x1e00000
vmlinux_spec "$tmp/spec" "$tmp/serve/vmlinux" $REL $SLIDE "$ID" "fake_loop fake_entry"
nblocks=$(grep -c '^block' "$tmp/spec")
"$GEN" "$tmp/v.data" spec "$tmp/spec"
ok $? "fixture: $nblocks blocks of the stand-in, slid by $SLIDE"

DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$tmp/cache \
	"$J" report -i "$tmp/v.data" -s block --csv --percent-limit 0 \
	>"$tmp/v.csv" 2>"$tmp/v.err"
ok $? "report -s block --csv with DEBUGINFOD_URLS"
[ -s "$tmp/v.err" ] && diag "$(cat "$tmp/v.err")"
vmlinux_lines_match "$tmp/serve/vmlinux" $SLIDE "$tmp/v.csv"
[ "$VL_ROWS" -eq "$nblocks" ] && [ "$VL_BAD" -eq 0 ]
ok $? "all $VL_ROWS blocks resolve to addr2line's file:line ($VL_BAD differ)"
grep -q 'fake-vmlinux\.c' "$tmp/v.csv"
ok $? "and name fake-vmlinux.c"
ls "$tmp/cache/$ID/debuginfo" >/dev/null 2>&1
ok $? "the file came through the debuginfod client cache"

out=$(env -u DEBUGINFOD_URLS "$J" report -i "$tmp/v.data" -s srcline --stdio 2>&1)
ok $? "without DEBUGINFOD_URLS: still a report"
expect_match "and a hint on getting source lines" "no source lines for vmlinux"
done_testing
