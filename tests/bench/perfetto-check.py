#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks a `jifl report --perfetto` trace against `--chrome` of the same
recording, for recordings too large for protoc's text (tests/bench/
pictures.sh): a protobuf wire decoder of its own (not jifl's encoder)
replays each sequence (incremental clock, default track, begin/end) and
compares the calls and summed durations per thread with the Chrome JSON's
complete events, read line by line.  Prints "match" or what differs.

Usage: perfetto-check.py TRACE.pftrace TRACE.json
"""
import collections
import re
import sys


def varint(buf, i):
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7f) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(buf, start, end):
    """(field, value) of a message: ints, or (start, end) of bytes"""
    i = start
    while i < end:
        key, i = varint(buf, i)
        if key & 7 == 0:
            value, i = varint(buf, i)
        elif key & 7 == 2:
            n, i = varint(buf, i)
            value = (i, i + n)
            i += n
        else:
            raise SystemExit("unexpected wire type %d" % (key & 7))
        yield key >> 3, value


def perfetto_calls(path):
    data = open(path, "rb").read()
    thread_of, seqs = {}, {}
    calls, ns = collections.Counter(), collections.Counter()
    for field, span in fields(data, 0, len(data)):
        assert field == 1, "Trace.packet"
        pkt, event, clock, track = {}, None, None, None
        for f, v in fields(data, *span):
            pkt.setdefault(f, v)
            if f == 60:                 # track_descriptor
                desc = dict(fields(data, *v))
                if 4 in desc:           # thread
                    thread_of[desc[1]] = dict(fields(data, *desc[4]))[2]
            elif f == 6:                # clock_snapshot
                for cf, cv in fields(data, *v):
                    c = dict(fields(data, *cv)) if cf == 1 else {}
                    if c.get(1) == 64 and c.get(3):
                        clock = c[2]
            elif f == 59:               # trace_packet_defaults
                for df, dv in fields(data, *v):
                    if df == 11:
                        track = dict(fields(data, *dv))[11]
            elif f == 11:
                event = v
        seq = pkt[10]
        if pkt.get(13, 0) & 1:          # incremental state cleared
            seqs[seq] = {"clock": clock, "track": track, "open": []}
        if event is None:
            continue
        st = seqs[seq]
        st["clock"] += pkt[8]
        te = dict(fields(data, *event))
        tid = thread_of[te.get(11, st["track"])]
        if te[9] == 1:
            st["open"].append(st["clock"])
        else:
            calls[tid] += 1
            ns[tid] += st["clock"] - st["open"].pop()
    return calls, ns


def chrome_calls(path):
    complete = re.compile(r'"ph": "X", "ts": [0-9.]+, "dur": ([0-9]+)\.([0-9]{3}), "pid": 0, "tid": ([0-9]+)')
    calls, ns = collections.Counter(), collections.Counter()
    for line in open(path):
        m = complete.search(line)
        if m:
            tid = int(m.group(3))
            calls[tid] += 1
            ns[tid] += int(m.group(1)) * 1000 + int(m.group(2))
    return calls, ns


pc, pn = perfetto_calls(sys.argv[1])
cc, cn = chrome_calls(sys.argv[2])
if (pc, pn) == (cc, cn) and sum(cc.values()):
    print("match: %d calls, %d ns in %d threads" %
          (sum(pc.values()), sum(pn.values()), len(pc)))
else:
    print("differ: perfetto %d calls %d ns %d threads, chrome %d calls %d ns %d threads" %
          (sum(pc.values()), sum(pn.values()), len(pc),
           sum(cc.values()), sum(cn.values()), len(cc)))
    sys.exit(1)
