#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inline event records on the real CPU (tests/bench/event-bench.c): ns per
# call or return record on jitrun's call-heavy workloads, with the TSC
# read and without, beside the clean call it replaces. CPU time, best of 5
# interleaved runs. The last line is "key=value ...".
#
# Usage: tests/bench/events.sh [SCALE_PERCENT]   (default 100)
scale=${1:-100}
here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
make -s -C "$top_builddir" tests/bench/event-bench >/dev/null || exit 99
exec nice "$top_builddir/tests/bench/event-bench" "$scale"
