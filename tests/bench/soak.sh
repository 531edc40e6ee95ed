#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The long soak: tests/kernel/soak.t (system-wide jifl record -a of a
# mixed, many-process load, stopped by SIGINT, jifl.ko unloaded and the
# next session started, in a loop, plugins mixed across rounds) for SECS
# seconds of guest time on each kernel named (default 6.1 and 6.12; the
# flavours of tests/vm/kernel-release too). The guest's TAP and console
# log go to tests/kernel/k<kernel>/soak-long.out/. SOAK_GRAPH=1: with
# ftrace's function_graph tracer running alongside (soak.t).
#
# usage: [SOAK_GRAPH=1] tests/bench/soak.sh [SECS [KERNEL...]]   (default 1800 s)
# last line: soak_secs=SECS kernels=N failed=N sessions=N pinned=N
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
secs=${1:-1800}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 6.1 6.12

# a guest script that runs soak.t for SECS (vmtest passes no other variables)
wrap=$top_builddir/tests/kernel/soak-long.t
printf '#!/bin/sh\nSOAK_SECS=%s SOAK_GRAPH=%s exec bash "$top_srcdir/tests/kernel/soak.t"\n' \
	"$secs" "${SOAK_GRAPH:-0}" >"$wrap"
chmod +x "$wrap"

failed=0
n=0
sessions=0
pinned=0
for k in "$@"; do
	n=$((n + 1))
	echo "# soak on $k for $secs s"
	JIFL_VM_TIMEOUT=$((secs + 900)) \
		"$top_srcdir/tests/kernel/vmtest" --kernel "$k" "$wrap" \
		>"$top_builddir/tests/kernel/soak-long-$k.tap" 2>&1
	rc=$?
	grep -E '^(not ok|# [0-9]+ rounds|# soak: )' "$top_builddir/tests/kernel/soak-long-$k.tap"
	# "# soak: N sessions, M tasks pinned"
	counts=$(sed -n 's/^# soak: \([0-9]*\) sessions, \([0-9]*\) tasks pinned.*/\1 \2/p' \
		"$top_builddir/tests/kernel/soak-long-$k.tap")
	[ -n "$counts" ] || counts="0 0"	# the guest did not get there
	sessions=$((sessions + ${counts% *}))
	pinned=$((pinned + ${counts#* }))
	if [ $rc -ne 0 ] || grep -q '^not ok' "$top_builddir/tests/kernel/soak-long-$k.tap"; then
		failed=$((failed + 1))
		echo "# $k: FAILED (see tests/kernel/k$k/soak-long.out/)"
	fi
done
echo "soak_secs=$secs kernels=$n failed=$failed sessions=$sessions pinned=$pinned"
