#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# jifl report --perfetto: the protobuf trace of make-report-fixture's
# calltrace recordings, decoded by protoc against the message subset
# jifl writes (tests/unit/perfetto-subset.proto), replayed as Perfetto
# would (sequence-scoped incremental clock, per-sequence interned names,
# default tracks, begin/end nesting) and compared call by call with
# --chrome of the same file; and its size against the Chrome JSON's.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
GEN=$top_builddir/tests/unit/make-report-fixture
PROTO=$top_srcdir/tests/unit/perfetto-subset.proto

[ -x "$GEN" ] || skip_all "$GEN not built (make check builds it)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed (apt-get install python3)"
tmp=$(mktemp -d /tmp/test-report-perfetto.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL

# The replay: protoc's text of the trace on stdin, the Chrome JSON in $1;
# prints "calls N" and exits 1 with the first difference.
cat >"$tmp/replay.py" <<'EOF'
import json, re, sys

def parse(text):
    """protoc's text format -> nested dicts of lists"""
    root, stack = {}, []
    cur = root
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line == "}":
            cur = stack.pop()
        elif line.endswith("{"):
            child = {}
            cur.setdefault(line[:-1].strip(), []).append(child)
            stack.append(cur)
            cur = child
        else:
            k, v = line.split(":", 1)
            v = v.strip()
            if v.startswith('"'):
                v = json.loads(v)
            elif v in ("true", "false"):
                v = v == "true"
            elif re.fullmatch(r"-?\d+", v):
                v = int(v)
            cur.setdefault(k, []).append(v)
    return root

def one(d, k, default=None):
    return d.get(k, [default])[0]

trace = parse(sys.stdin.read())
seqs = {}          # sequence id -> state
threads = {}       # track uuid -> tid
slices = []
for p in trace.get("packet", []):
    sid = one(p, "trusted_packet_sequence_id")
    assert sid, "every packet names its sequence"
    st = seqs.setdefault(sid, {"valid": False})
    flags = one(p, "sequence_flags", 0)
    if flags & 1:   # SEQ_INCREMENTAL_STATE_CLEARED
        st.update(valid=True, names={}, cats={}, annos={}, defaults={},
                  clock=None, open=[])
    if flags & 2:
        assert st["valid"], "incremental state used before it was cleared"
    for td in p.get("track_descriptor", []):
        for t in td.get("thread", []):
            threads[one(td, "uuid")] = one(t, "tid")
            assert one(t, "pid") is not None
    for i in p.get("interned_data", []):
        for k, m in (("event_names", "names"), ("event_categories", "cats"),
                     ("debug_annotation_names", "annos")):
            for e in i.get(k, []):
                iid = one(e, "iid")
                assert iid not in st[m] or st[m][iid] == one(e, "name")
                st[m][iid] = one(e, "name")
    for cs in p.get("clock_snapshot", []):
        for c in cs.get("clocks", []):
            if one(c, "clock_id") == 64:
                assert one(c, "is_incremental")
                st["clock"] = one(c, "timestamp")
    for d in p.get("trace_packet_defaults", []):
        st["defaults"] = {"clock": one(d, "timestamp_clock_id"),
                          "track": one(one(d, "track_event_defaults"), "track_uuid")}
    for te in p.get("track_event", []):
        assert st["defaults"].get("clock") == 64 and "timestamp_clock_id" not in p
        st["clock"] += one(p, "timestamp")
        ts = st["clock"]
        track = one(te, "track_uuid", st["defaults"]["track"])
        if one(te, "type") == "TYPE_SLICE_BEGIN":
            annos = {st["annos"][one(a, "name_iid")]: one(a, "bool_value")
                     for a in te.get("debug_annotations", [])}
            cats = [st["cats"][c] for c in te.get("category_iids", [])]
            st["open"].append((st["names"][one(te, "name_iid")], ts, cats,
                               annos.get("unfinished", False)))
        else:
            assert one(te, "type") == "TYPE_SLICE_END", te
            name, start, cats, unf = st["open"].pop()
            slices.append((threads[track], name, start, ts - start,
                           "syscall" if cats == ["syscall"] else "call", unf))
for st in seqs.values():
    assert not st.get("open"), "a slice without its end"

chrome = json.load(open(sys.argv[1]))
want = sorted((e["tid"], e["name"], round(e["ts"] * 1000), round(e["dur"] * 1000),
               e["cat"], e["args"].get("unfinished", False))
              for e in chrome["traceEvents"] if e["ph"] == "X")
got = sorted(slices)
if got != want:
    for a, b in zip(got, want):
        if a != b:
            print("perfetto", a, "chrome", b)
            break
    print("perfetto", len(got), "calls, chrome", len(want))
    sys.exit(1)
print("calls", len(got), "ns", sum(s[3] for s in got))
EOF

if ! command -v protoc >/dev/null 2>&1; then
	skip_all "protoc not installed (apt-get install protobuf-compiler)"
fi
decode() {
	protoc --proto_path="$(dirname "$PROTO")" --decode=perfetto.protos.Trace \
		"$PROTO" <"$1"
}
# compare NAME FILE.data: --perfetto and --chrome of it agree call by call
compare() {
	"$J" report -i "$2" --perfetto "$tmp/$1.pftrace" 2>"$tmp/$1.err" &&
	"$J" report -i "$2" --chrome >"$tmp/$1.json" 2>>"$tmp/$1.err" &&
	decode "$tmp/$1.pftrace" >"$tmp/$1.txt" 2>>"$tmp/$1.err" &&
	python3 "$tmp/replay.py" "$tmp/$1.json" <"$tmp/$1.txt" >"$tmp/$1.out" 2>>"$tmp/$1.err"
}

D=$tmp/calls.data
check "fixture with calltrace records" "$GEN" "$D" calls
check "--perfetto writes the file" "$J" report -i "$D" --perfetto "$tmp/calls.pftrace"
decode "$tmp/calls.pftrace" >"$tmp/calls.txt" 2>"$tmp/protoc.err"
ok $? "protoc decodes it as perfetto.protos.Trace"
[ -s "$tmp/protoc.err" ] && diag "$(cat "$tmp/protoc.err")"
out=$(cat "$tmp/calls.txt")
expect_match "a thread track per thread" "thread_name: \"tid 101\""
expect_match "a process track for it" "process_name: \"jifl calltrace 101\""
expect_match "names interned" "name: \"ext4_file_read_iter \[ext4\]\""
expect_match "begin and end slices" "type: TYPE_SLICE_END"
expect_match "an incremental sequence-scoped clock" "clock_id: 64"
expect_match "over CLOCK_MONOTONIC, the recording's clock" "primary_trace_clock: BUILTIN_CLOCK_MONOTONIC"
n=$(grep -c 'name: "__x64_sys_write"' "$tmp/calls.txt")
[ "$n" -eq 2 ]; ok $? "__x64_sys_write interned once on each of its 2 threads' sequences (got $n)"
compare calls "$D"
ok $? "calls: the 12 calls of --chrome, same thread, name, start, duration, category, unfinished flag"
diag "$(cat "$tmp/calls.out" "$tmp/calls.err")"
out=$(cat "$tmp/calls.out")
expect_match "12 calls, 2600 + the nested ns" "^calls 12 ns "

check "fixture with lost records" "$GEN" "$tmp/lost.data" calls-lost
compare lost "$tmp/lost.data"
ok $? "a lossy recording: the same calls as --chrome"
out=$(cat "$tmp/lost.err")
expect_match "and the warning on stderr" "^jifl report: WARNING: 25 of 48 records"

bad=0
for seed in $(seq 1 20); do
	"$GEN" "$tmp/r.data" calls-random "$seed" || { bad=1; continue; }
	"$J" report -i "$tmp/r.data" --chrome >/dev/null 2>&1 || continue
	if ! compare r "$tmp/r.data"; then
		bad=1
		diag "seed $seed" "$(cat "$tmp/r.out" "$tmp/r.err")"
	fi
done
ok $bad "20 files of random call/return records: decoded, the same calls as --chrome"

# --- size: a recording shaped like a kernel's, and the worst case ----------
check "fixture: 20000 records shaped like kernel calls" "$GEN" "$tmp/sk.data" calls-skewed 20000
compare skewed "$tmp/sk.data"
ok $? "skewed: the same calls as --chrome"
check "fixture: 400000 records shaped like kernel calls" "$GEN" "$tmp/sk.data" calls-skewed 400000
"$J" report -i "$tmp/sk.data" --perfetto "$tmp/skewed.pftrace" && "$J" report -i "$tmp/sk.data" --chrome >"$tmp/skewed.json"
p=$(wc -c <"$tmp/skewed.pftrace") c=$(wc -c <"$tmp/skewed.json")
[ $((p * 5)) -le "$c" ]
ok $? "skewed: at least 5x smaller than the Chrome JSON ($p against $c bytes, $(python3 -c "print(round($c / $p, 2))")x)"
check "fixture: 200000 records through 20000 functions, uniformly" "$GEN" "$tmp/u.data" calls-bench 200000
"$J" report -i "$tmp/u.data" --perfetto "$tmp/u.pftrace" && "$J" report -i "$tmp/u.data" --chrome >"$tmp/u.json"
p=$(wc -c <"$tmp/u.pftrace") c=$(wc -c <"$tmp/u.json")
[ $((p * 3)) -le "$c" ]
ok $? "uniform over 20000 names (each interned on each of 8 threads): at least 3x smaller ($p against $c bytes, $(python3 -c "print(round($c / $p, 2))")x)"

# --- errors ------------------------------------------------------------------
check "fixture with block counters only" "$GEN" "$tmp/bb.data"
expect_status "--perfetto of block counters exits 1" 1 "$J" report -i "$tmp/bb.data" --perfetto "$tmp/x.pftrace"
expect_match "and says to record -e calltrace" "^jifl report: --perfetto needs calltrace events, and .*bb\.data has none: record with -e calltrace$"
expect_status "--perfetto with --chrome exits 2" 2 "$J" report -i "$D" --perfetto "$tmp/x" --chrome
expect_match "and names the choices" "choose one of .*--perfetto"
expect_status "--perfetto with -s pid exits 2" 2 "$J" report -i "$D" --perfetto "$tmp/x" -s pid
expect_match "and says why" "writes every call; drop -s"
expect_status "an uncreatable output exits 1" 1 "$J" report -i "$D" --perfetto "$tmp/no/such/x.pftrace"
expect_match "and names it" "cannot create .*/no/such/x\.pftrace"
"$J" report -i "$D" --perfetto - >"$tmp/stdout.pftrace" 2>/dev/null
cmp -s "$tmp/stdout.pftrace" "$tmp/calls.pftrace"
ok $? "--perfetto - writes the same trace to standard output"
done_testing
