#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# jifl info (and jifl report --header-only): the header of the recordings
# make-report-fixture writes, whose values its source lists: the exact
# text for the bbcount fixture, per-CPU records and losses of the calltrace
# ones, modules and build-ids from a spec, hidden addresses, JSON, errors.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
tmp=$(mktemp -d /tmp/test-info.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
TZ=UTC
LC_ALL=C
export TZ LC_ALL

D=$tmp/full.data
check "bbcount fixture" "$GEN" "$D"
check "calltrace fixture, 25 records lost on CPU 1" "$GEN" "$tmp/lost.data" calls-lost
check "calltrace fixture with sysstat's dump" "$GEN" "$tmp/ss.data" calls-sysstat
check "fixture with hidden addresses" "$GEN" "$tmp/hidden.data" hidden
cat >"$tmp/spec" <<'SPEC'
uname 6.12.0-test-amd64
text 0xffffffff81000000 0xffffffff82000000
buildid 00112233445566778899aabbccddeeff01234567
module ext4 0xffffffffc0100000 0x2000 deadbeef
module jifl 0xffffffffc0a00000 0x1000
sym 0xffffffff81000000 T _text
sym 0xffffffff81001000 T do_syscall_64
sym 0xffffffffc0100000 t ext4_file_read_iter ext4
block 0xffffffff81001000 16 7
block 0xffffffffc0100000 8 0
recording tool=jifl 0.1.0
recording abi=1
recording plugins=calltrace,bbcount
recording ring_size=4194304
recording tasks=pids:12,34
recording inherit=no
recording syscalls=read,write
recording functions=vfs_*
recording start_ns=5000000000
recording stop_ns=6250000000
recording blocks=1234
recording native_bytes=40000
recording cache_bytes=90000
recording cache_size=16777216
recording entries=77
recording fallbacks=5
recording fallback.cache_full=2
recording fallback.undecodable=3
recording future_key=some value
SPEC
check "fixture with modules, build-ids and a RECORDING section" "$GEN" "$tmp/spec.data" spec "$tmp/spec"

size=$(stat -c %s "$D")
# the format version the writer put in the header: u16 major, u16 minor at 8
fmt=$(od -An -tu2 -j8 -N4 "$D" | awk '{ print $1 "." $2 }')
cat >"$tmp/want" <<WANT
# jifl info
# file            : $D ($size bytes, format $fmt, 8 sections)
# command         : jifl record -e bbcount -- sh -c 'cat /etc/hostname'
# kernel          : 6.1.0-test-amd64
# date            : 2023-11-14 22:13:20 UTC
# cpus            : 2 online, 4 configured
# clock           : CLOCK_MONOTONIC, 1000000000 ticks/s, recording started at 5.000000000 s
# kernel text     : 0xffffffff81000000-0xffffffff82000000
# kallsyms        : 9 symbols
# blocks          : 11 translated, 10000 executions in 12 counters (bbcount)
WANT
"$J" info "$D" >"$tmp/out" 2>&1
st=$?
diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"
ok $((st + $?)) "bbcount fixture: the exact header (8 sections, 9 symbols, 11 blocks, 10000 executions)"
[ -s "$tmp/diff" ] && diag "$(cat "$tmp/diff")"
"$J" info -i "$D" >"$tmp/out2" 2>&1
cmp -s "$tmp/out" "$tmp/out2"; ok $? "-i FILE is the same as FILE"
"$J" report --header-only -i "$D" >"$tmp/out3" 2>&1
cmp -s "$tmp/out" "$tmp/out3"; ok $? "jifl report --header-only is the same header"
out=$(cd "$tmp" && cp full.data jifl.data && "$J" info | sed -n 2p)
expect_match "default input: ./jifl.data" "^# file +: jifl\.data \("

out=$("$J" info "$tmp/lost.data")
expect_match "calltrace: 23 records of 40 bytes in 2 chunks, 1000 to 9000 ns" \
	"^# events +: 23 records, 920 bytes in 2 chunks, 0\.000001000 s to 0\.000009000 s \(0\.000008000 s\)$"
expect_match "the loss, and what to do" "^# lost +: 25 records lost in the kernel \(rings full\): record again with larger rings \(-m\)$"
expect_match "per CPU: cpu 0, 8 records, none lost" "^#   cpu 0 +8 records +320 bytes +1 chunk +0 lost$"
expect_match "per CPU: cpu 1, 15 records, 25 lost" "^#   cpu 1 +15 records +600 bytes +1 chunk +25 lost$"
out=$("$J" info "$tmp/ss.data")
expect_match "no loss: says none" "^# lost +: none$"
expect_match "sysstat's dump: 3 function records and the sum (3 x 40 + 72 bytes)" "^# plugin dump +: sysstat, 192 bytes$"
out=$("$J" info "$tmp/spec.data")
expect_match "vmlinux build-id" "^# vmlinux build-id: 00112233445566778899aabbccddeeff01234567$"
expect_match "modules: 2" "^# modules +: 2$"
expect_match "ext4: base, size, build-id" "^#   ext4 +0xffffffffc0100000 +8192 bytes  build-id deadbeef$"
expect_match "a module without build-id says unknown" "^#   jifl +0xffffffffc0a00000 +4096 bytes  build-id unknown$"
expect_match "2 blocks, 7 executions" "^# blocks +: 2 translated, 7 executions in 2 counters \(bbcount\)$"
# the RECORDING lines, in the order jifl info prints them, exactly
printf '%s\n' "$out" | sed -n 3,11p >"$tmp/rec"
cat >"$tmp/want" <<WANT
# recorded by     : jifl 0.1.0 (ioctl ABI 1)
# plugins         : calltrace,bbcount
# ring size       : 4194304 bytes per CPU (4096 KiB)
# tasks           : processes 12,34
# attached at     : system calls: read,write; functions: vfs_*
# duration        : 1.250000000 s (traced from 5.000000000 s to 6.250000000 s)
# translated      : 1234 blocks, 40000 native bytes -> 90000 cache bytes, 77 entries into the cache, 5 native fallbacks (cache_full=2, undecodable=3)
# future_key      : some value
# kernel          : 6.12.0-test-amd64
WANT
diff -u "$tmp/want" "$tmp/rec" >"$tmp/diff"
ok $? "RECORDING: version, plugins, ring size, tasks, attach points, duration, translation; unknown keys as they are"
[ -s "$tmp/diff" ] && diag "$(cat "$tmp/diff")"
out=$("$J" info "$tmp/hidden.data")
expect_match "hidden addresses: said for the kernel text" "^# kernel text +: addresses hidden \(kernel\.kptr_restrict\)$"
expect_match "and for kallsyms" "^# kallsyms +: 9 symbols, addresses hidden"

if command -v python3 >/dev/null 2>&1; then
	"$J" info --json "$tmp/lost.data" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["format"] == sys.argv[1] and d["sections"] == 7, d
assert d["command"] == ["jifl", "record", "-e", "calltrace", "--", "cat", "/etc/hostname"]
assert d["kernel"] == "6.1.0-test-amd64" and d["clock"] is None
assert d["recording"] is None
assert (d["records"], d["record_bytes"], d["chunks"]) == (23, 920, 2)
assert (d["first_ns"], d["last_ns"], d["duration_ns"]) == (1000, 9000, 8000)
assert d["records_lost"] == 25
assert d["per_cpu"] == [
    {"cpu": 0, "chunks": 1, "records": 8, "bytes": 320, "lost": 0},
    {"cpu": 1, "chunks": 1, "records": 15, "bytes": 600, "lost": 25}], d["per_cpu"]
' "$fmt" 2>"$tmp/py"
	ok $? "--json (calltrace): counts, times, per-CPU records and losses"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
	"$J" info --json "$tmp/spec.data" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["vmlinux_build_id"] == "00112233445566778899aabbccddeeff01234567"
assert d["modules"] == [
    {"name": "ext4", "base": "0xffffffffc0100000", "size": 8192, "build_id": "deadbeef"},
    {"name": "jifl", "base": "0xffffffffc0a00000", "size": 4096, "build_id": None}], d["modules"]
assert d["kernel_text"] == "0xffffffff81000000" and not d["addresses_hidden"]
assert (d["blocks"], d["counters"], d["executions"]) == (2, 2, 7)
assert d["first_ns"] is None and d["per_cpu"] == [] and d["records_lost"] == 0
r = d["recording"]
assert r["tool"] == "jifl 0.1.0" and r["ring_size"] == 4194304, r
assert r["tasks"] == "pids:12,34" and r["fallback.cache_full"] == 2, r
assert r["stop_ns"] - r["start_ns"] == 1250000000 and r["future_key"] == "some value", r
' 2>"$tmp/py"
	ok $? "--json (spec): build-ids, modules, blocks; no events is null"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
	"$J" report --header-only --json -i "$tmp/ss.data" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["dumps"] == [{"plugin": "sysstat", "bytes": 192}], d["dumps"]
' 2>"$tmp/py"
	ok $? "report --header-only --json: the dumps"
	[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
else
	skip "python3 not installed"
	skip "python3 not installed"
	skip "python3 not installed"
fi

# --- errors ------------------------------------------------------------------
expect_status "a missing file exits 1" 1 "$J" info "$tmp/none.data"
expect_match "and says how to record one" "none.data: No such file; record one with \`jifl record -- CMD\`"
head -c 100 "$D" >"$tmp/cut.data"
expect_status "a truncated file exits 1" 1 "$J" info "$tmp/cut.data"
expect_match "with the reader's sentence" "^jifl info: "
expect_status "two files exit 2" 2 "$J" info "$D" "$D"
expect_match "and says one at a time" "one file at a time"
expect_status "an unknown option exits 2" 2 "$J" info --jsno
expect_match "with a hint" "did you mean '--json'"
done_testing
