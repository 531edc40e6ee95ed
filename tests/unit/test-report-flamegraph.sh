#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# jifl report --flamegraph: the SVG of make-report-fixture's recordings
# (calltrace "calls": inclusive time per call path; the default bbcount
# file: executions per module, function, block; a spec with C++-like
# names), checked as XML (python3), by its frames' values and widths, and
# rendered by headless Chromium: the screenshot is not blank, and search
# (?s=) and zoom (?z=) change the DOM as they should.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed (apt-get install python3)"
tmp=$(mktemp -d /tmp/test-report-flamegraph.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL

# frames FILE.svg: "depth value name" per frame, after checking the XML
frames() {
	python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    if g.get("class") != "f":
        continue
    title = g.find("s:title", ns).text.split("\n")[0]
    rect = g.find("s:rect", ns)
    print(g.get("data-d"), g.get("data-w"), rect.get("width"), title)
EOF
}

D=$tmp/calls.data
check "fixture with calltrace records" "$GEN" "$D" calls
check "fixture with block counters" "$GEN" "$tmp/bb.data"
check "--flamegraph from calltrace writes the file" "$J" report -i "$D" --flamegraph "$tmp/calls.svg"

frames "$tmp/calls.svg" >"$tmp/calls.frames" 2>"$tmp/py"
ok $? "calltrace SVG is well-formed XML"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
out=$(cat "$tmp/calls.frames")
expect_match "root 'all': the 2600 ns of system calls, full width" "^0 2600 1180\.0 all$"
expect_match "__x64_sys_read: 1500 ns inclusive, 1500/2600 of 1180 px" "^1 1500 680\.8 __x64_sys_read$"
expect_match "ext4_file_read_iter [ext4] four levels up, 400 ns" "^4 400 181\.5 ext4_file_read_iter \[ext4\]$"
expect_match "rec under rec: the recursion as two frames" "^4 200 90\.8 rec$"
n=$(wc -l <"$tmp/calls.frames")
[ "$n" -eq 9 ]; ok $? "9 frames: the root and the 8 call paths (got $n)"
out=$(cat "$tmp/calls.svg")
expect_match "titles carry time, share, calls and self time" \
	"^1,500 ns \(57\.69%\), 2 calls, 550 ns self</title>"
expect_match "the known frame's text is drawn" ">__x64_sys_read</text>"
expect_match "a label too long for its frame is cut with .." ">ext4_file_read_iter \[e\.\.</text>"
expect_match "self-contained: the script inline" "<script type=\"text/ecmascript\"><!\[CDATA\["
expect_match "subtitle: the recorded command and kernel" \
	"id=\"subtitle\"[^>]*>jifl record -e calltrace -- cat /etc/hostname on 6\.1\.0-test-amd64<"
case $out in *'xlink:href'*|*'href="http'*|*'src="'*) r=1 ;; *) r=0 ;; esac
ok $r "no external references"

check "--flamegraph from block counters writes the file" "$J" report -i "$tmp/bb.data" --flamegraph "$tmp/bb.svg"
frames "$tmp/bb.svg" >"$tmp/bb.frames" 2>"$tmp/py"
ok $? "bbcount SVG is well-formed XML"
out=$(cat "$tmp/bb.frames")
expect_match "root: the 10000 executions" "^0 10000 1180\.0 all$"
expect_match "module level: vmlinux's 9000" "^1 9000 1062\.0 vmlinux$"
expect_match "function level: vfs_read's 3000 (2000+500 and 500)" "^2 3000 354\.0 vfs_read$"
expect_match "block level: vfs_read+0x0's summed counts" "^3 2500 295\.0 vfs_read\+0x0$"
expect_match "a module's function under it" "^2 800 94\.4 ext4_file_read_iter$"
expect_match "unknown blocks under [unknown], by address" "^2 100 11\.8 0xffffffff80fff000$"
case $out in *do_syscall_64+0x28*) r=1 ;; *) r=0 ;; esac
ok $r "a block never executed is no frame"
out=$(cat "$tmp/bb.svg")
expect_match "titles say executions" "^9,000 executions \(90\.00%\)</title>"

# names C++ and Rust put in kernels: markup characters, and a byte > 0x7f
cat >"$tmp/cxx.spec" <<'EOF'
text 0xffffffff81000000 0xffffffff82000000
sym 0xffffffff81000000 T _text
sym 0xffffffff81001000 T operator<<(std::ostream&,_T)
sym 0xffffffff81002000 T vec<"a">'b'
sym 0xffffffff81003000 T caf\xe9
block 0xffffffff81001000 16 700
block 0xffffffff81002000 16 200
block 0xffffffff81003000 16 100
EOF
printf 's/\\\\xe9/\351/\n' >"$tmp/sed"
sed -f "$tmp/sed" "$tmp/cxx.spec" >"$tmp/cxx2.spec"
check "fixture with C++-like names" "$GEN" "$tmp/cxx.data" spec "$tmp/cxx2.spec"
check "--flamegraph of them" "$J" report -i "$tmp/cxx.data" --flamegraph "$tmp/cxx.svg"
frames "$tmp/cxx.svg" >"$tmp/cxx.frames" 2>"$tmp/py"
ok $? "markup in names keeps the SVG well-formed"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
out=$(cat "$tmp/cxx.frames")
expect_match "operator<<(std::ostream&,_T) reads back intact" "^2 700 826\.0 operator<<\(std::ostream&,_T\)$"
expect_match "quotes read back intact" "^2 200 236\.0 vec<\"a\">'b'$"
expect_match "the byte 0xe9 reads back as a character" "^2 100 118\.0 caf[^ ]+$"
out=$(cat "$tmp/cxx.svg")
expect_match "escaped in the file" ">operator&lt;&lt;\(std::ostream&amp;,_T\)</text>"
expect_match "the byte 0xe9 as a character reference" ">caf&#xe9;</text>"

L=$tmp/lost.data
check "fixture with lost records" "$GEN" "$L" calls-lost
"$J" report -i "$L" --flamegraph "$tmp/lost.svg" 2>"$tmp/lost.err"
out=$(cat "$tmp/lost.svg")
expect_match "a lossy recording: the warning in the picture" \
	"id=\"warning\"[^>]*>WARNING: 25 of 48 records were lost in the kernel: times are lower bounds<"
out=$(cat "$tmp/lost.err")
expect_match "and on stderr" "^jifl report: WARNING: 25 of 48 records"

bad=0
for seed in $(seq 1 15); do
	"$GEN" "$tmp/r.data" calls-random "$seed" || { bad=1; continue; }
	"$J" report -i "$tmp/r.data" --flamegraph "$tmp/r.svg" 2>/dev/null
	st=$?
	if [ $st -gt 1 ] || { [ $st -eq 0 ] && ! frames "$tmp/r.svg" >/dev/null 2>&1; }; then
		bad=1
		diag "seed $seed: exit $st or bad XML"
	fi
done
ok $bad "15 files of random call/return records: well-formed SVG or a clean error"

# --- errors ------------------------------------------------------------------
expect_status "--flamegraph with --chrome exits 2" 2 "$J" report -i "$D" --flamegraph "$tmp/x.svg" --chrome
expect_match "and names the choices" "choose one of .*--flamegraph"
expect_status "--flamegraph with -s module exits 2" 2 "$J" report -i "$tmp/bb.data" --flamegraph "$tmp/x.svg" -s module
expect_match "and says why" "has its own levels"
check "-s block: the block counters' graph" "$J" report -i "$tmp/bb.data" --flamegraph "$tmp/bb2.svg" -s block
cmp -s "$tmp/bb.svg" "$tmp/bb2.svg"; ok $? "the same as without -s on a file of counters only"
expect_status "-s block without counters exits 1" 1 "$J" report -i "$D" --flamegraph "$tmp/x.svg" -s block
expect_match "and says to record -e bbcount" "no block counters in .*: record with -e bbcount$"
check "fixture without counters or events" "$GEN" "$tmp/nc.data" no-counters
expect_status "--flamegraph of a file with neither exits 1" 1 "$J" report -i "$tmp/nc.data" --flamegraph "$tmp/x.svg"
expect_match "and says what to record" "needs calltrace events or block counters.*-e calltrace \(time\) or -e bbcount \(executions\)"
expect_status "an uncreatable output exits 1" 1 "$J" report -i "$D" --flamegraph "$tmp/no/such/dir/x.svg"
expect_match "and names it" "cannot create .*/no/such/dir/x\.svg: No such file or directory"
out=$("$J" report -i "$D" --flamegraph - 2>&1 | head -c 100)
expect_match "--flamegraph - writes standard output" "^<\?xml version"

# --- rendered by Chromium ------------------------------------------------------
CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v $c >/dev/null 2>&1 && { CHROMIUM=$c; break; }
done
if [ -z "$CHROMIUM" ]; then
	for i in 1 2 3 4 5; do
		skip "headless Chromium not installed (apt-get install chromium)"
	done
	done_testing
	exit
fi
# as root Chromium wants --no-sandbox; a scratch profile keeps $HOME clean
chrome() {
	timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chromium.log"
}
# pixels of frame colours (saturated: warm, aqua, search magenta) and all
count_frame_pixels() {
	python3 - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
coloured = sum(1 for line in rows for x in range(0, stride, bpp)
               if max(line[x:x + 3]) - min(line[x:x + 3]) > 80)
print(coloured, w * h)
EOF
}
chrome --screenshot="$tmp/calls.png" --window-size=1200,800 "file://$tmp/calls.svg"
set -- $(count_frame_pixels "$tmp/calls.png" 2>"$tmp/py")
if [ $# -eq 2 ] && [ "$1" -gt $(($2 / 50)) ]; then
	ok 0 "Chromium renders the calltrace flame graph: $1 of $2 pixels in frame colours"
else
	ok 1 "Chromium renders the calltrace flame graph (not blank)"
	diag "$*" "$(cat "$tmp/py" "$tmp/chromium.log")"
fi
chrome --screenshot="$tmp/bb.png" --window-size=1200,800 "file://$tmp/bb.svg"
set -- $(count_frame_pixels "$tmp/bb.png" 2>"$tmp/py")
[ $# -eq 2 ] && [ "$1" -gt $(($2 / 50)) ]
ok $? "Chromium renders the bbcount flame graph: ${1:-?} of ${2:-?} pixels in frame colours"

out=$(chrome --dump-dom "file://$tmp/calls.svg?s=vfs")
expect_match "search ?s=vfs: vfs_read and vfs_write match, 1400 of 2600 ns" \
	">Matched: 53\.85%<"
n=$(printf '%s\n' "$out" | grep -c 'class="f hit"')
[ "$n" -eq 2 ]; ok $? "search: two frames highlighted (got $n)"
out=$(chrome --dump-dom "file://$tmp/calls.svg?s=vfs&z=ksys_read")
# ksys_read fills the width; vfs_read is 700 of its 950 ns; sys_write hidden
printf '%s\n' "$out" | python3 -c '
import re, sys
d = sys.stdin.read()
def rect(name):
    m = re.search(r"<g class=\"f[^\"]*\"[^>]*?( style=\"([^\"]*)\")?><title>" + re.escape(name) + r"\n[^<]*</title><rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\"", d)
    return m.group(2) or "", float(m.group(3)), float(m.group(4))
assert rect("ksys_read")[1:] == (10.0, 1180.0), rect("ksys_read")
assert rect("vfs_read")[1:] == (10.0, 869.5), rect("vfs_read")
assert "none" in rect("__x64_sys_write")[0], rect("__x64_sys_write")
assert "Matched: 73.68% of the zoomed frame" in d
' 2>"$tmp/py"
ok $? "zoom ?z=ksys_read: it fills the width, vfs_read 700/950 of it, others hidden, matched share of the zoomed frame"
[ -s "$tmp/py" ] && diag "$(cat "$tmp/py")"
done_testing
