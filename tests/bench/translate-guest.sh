#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What translating a kernel block costs in the guest, in guest
# instructions (QEMU icount, tests/bench/README): first-touch.c's first
# pass of many different system calls under a fresh `jifl record -e MODE`
# session (empty cache) against its third pass (from the cache), each
# minus the same pass natively, divided by the blocks the first pass
# translated.  One boot, a few minutes; cheaper than apache.sh for the
# translate_insns_per_block figure, and with no client/server split.
# Last line: key=value.
#
#   tests/bench/translate-guest.sh [KERNEL_SERIES] [ROUNDS] [MODES]
#   (defaults: 6.12, 1 round, "none bbcount")
set -eu
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.12} rounds=${2:-1} modes=${3:-none bbcount}
make -s src/jifl >/dev/null
cc -O2 -Wall -o build/first-touch tests/bench/first-touch.c
bench_kmod "$series" translate-guest.sh
out=$(mktemp -d "$top/build/bench-translate.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
F=$top/build/first-touch
blocks() { sed -n 's/^\[ jifl record: \([0-9]*\) blocks translated.*/\1/p' /tmp/rec.err; }
# the binaries and the page cache warm, and one session of each mode
\$F 2 >/dev/null
for m in $modes; do \$J record -q -e \$m -o /tmp/w.data -- \$F 1 >/dev/null; done
for r in \$(seq 1 $rounds); do
	\$F 3 | sed 's/^/native /'
	for m in $modes; do
		rm -f /tmp/t.data /tmp/t.data.old
		\$J record -e \$m -o /tmp/t.data -- \$F 0 >/dev/null 2>/tmp/rec.err
		echo "\$m blocks0 \$(blocks)"
		rm -f /tmp/t.data /tmp/t.data.old
		\$J record -e \$m -o /tmp/t.data -- \$F 1 >/dev/null 2>/tmp/rec.err
		echo "\$m blocks1 \$(blocks)"
		rm -f /tmp/t.data /tmp/t.data.old
		\$J record -e \$m -o /tmp/t.data -- \$F 3 2>/tmp/rec.err | sed "s/^/\$m /"
	done
done
GUEST
# shellcheck disable=SC2086  # the words of $bench_vm_opts
tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 3600 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
# "MODE pass N NS" and "MODE blocksK B" lines; lowest of the rounds
awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v commit="$(git rev-parse --short HEAD)" '
$2 == "pass" { k = $1 SUBSEP $3; if (!(k in t) || $4 < t[k]) t[k] = $4
	if ($1 != "native" && !($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
$2 ~ /^blocks/ { k = $1 SUBSEP $2; if (!(k in b) || $3 < b[k]) b[k] = $3 }
END {
	u = accel == "icount" ? "insns" : "ns"
	printf "kernel %s, %s, commit %s: first-touch passes in %s\n", series, accel, commit, u
	printf "%-8s %12s %12s %12s %8s %12s\n", "mode", "pass1", "pass3", "fixed", "blocks", "per_block"
	printf "%-8s %12.0f %12.0f\n", "native", t["native", 1], t["native", 3]
	line = "kernel=" series " accel=" accel
	for (i = 1; i <= m; i++) {
		md = order[i]
		fixed = (t[md, 1] - t["native", 1]) - (t[md, 3] - t["native", 3])
		nb = b[md, "blocks1"] - b[md, "blocks0"]
		pb = nb > 0 ? fixed / nb : 0
		printf "%-8s %12.0f %12.0f %12.0f %8d %12.0f\n", md, t[md, 1], t[md, 3], fixed, nb, pb
		line = line sprintf(" %s_blocks=%d %s_fixed_insns=%.0f %s_insns_per_block=%.0f %s_pass3_x=%.3f",
			md, nb, md, fixed, md, pb, md, t[md, 3] / t["native", 3])
	}
	print line
}' "$out/results.txt"
