#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The mission's benchmark: apache2 in the VM guest, ab's requests per
# second natively and under `jifl record -- ab` with each plugin (none,
# bbcount, cover, and calltrace when built), interleaved round by round in
# one boot. QEMU/TCG emulates the CPU, so absolute rates are low; the
# ratios are measured side by side. Seed's figures for comparison: none
# 52%, calltrace 48%, bbcount 45% of native throughput.
# Last line: key=value, each mode's median in percent of native.
#
#   tests/bench/apache.sh [KERNEL_SERIES] [ROUNDS] [REQUESTS]
set -eu
. "$(dirname "$0")/vm-bench.sh"
series=${1:-6.1} rounds=${2:-5} requests=${3:-500}
command -v ab >/dev/null && [ -x /usr/sbin/apache2 ] ||
	{ echo "apache.sh: apt-get install apache2 apache2-utils" >&2; exit 1; }
make -s src/jifl >/dev/null
bench_kmod "$series" apache.sh
out=$(mktemp -d "$top/build/bench-apache.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
url=http://127.0.0.1/
$top/tests/apache/apache-guest start /tmp/www || exit 1
modes="none bbcount cover"
\$J record -q -e calltrace -o /tmp/probe.data -- true 2>/dev/null && modes="\$modes calltrace"
rps() { sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p'; }
ab -q -n 200 \$url >/dev/null		# warm up apache2 and the page cache
for r in \$(seq 1 $rounds); do
	echo "native \$(ab -q -n $requests \$url | rps)"
	for m in \$modes; do
		rm -f /tmp/ab.data /tmp/ab.data.old
		echo "\$m \$(\$J record -q -e \$m -o /tmp/ab.data -- ab -q -n $requests \$url | rps)"
	done
done
$top/tests/apache/apache-guest stop /tmp/www
GUEST
tests/vm/vmrun -q --kernel "$rel" --timeout 3000 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2
# median requests/s of each mode (and the range: the host may be loaded);
# percentages of native
awk -v series="$series" -v rounds="$rounds" -v n="$requests" '
NF == 2 && $2 > 0 { v[$1, ++c[$1]] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
function median(k,   i, j, t, a, cnt) {
	cnt = c[k]
	for (i = 1; i <= cnt; i++) a[i] = v[k, i]
	for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return cnt % 2 ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
}
END {
	if (!c["native"]) { print "apache.sh: no native figure" > "/dev/stderr"; exit 1 }
	nat = median("native")
	printf "%-10s %12s %9s %17s   (ab -n %d, median of %d rounds, kernel %s)\n", "mode", "requests/s", "% native", "min-max req/s", n, rounds, series
	line = sprintf("kernel=%s native_rps=%.1f", series, nat)
	for (i = 1; i <= m; i++) {
		k = order[i]; r = median(k)
		lo = hi = v[k, 1]
		for (j = 2; j <= c[k]; j++) { if (v[k, j] < lo) lo = v[k, j]; if (v[k, j] > hi) hi = v[k, j] }
		printf "%-10s %12.1f %8.1f%% %8.1f-%-8.1f\n", k, r, 100 * r / nat, lo, hi
		if (k != "native") line = line sprintf(" %s_pct=%.1f", k, 100 * r / nat)
	}
	print line
}' "$out/results.txt"
