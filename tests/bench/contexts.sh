#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the page-fault context costs (issue 13), side by side in one boot:
# a fault-heavy workload (fault-micro.c: mmap/touch/munmap of 64 pages,
# and fork+exec of a static binary in tmpfs) and ab on apache2 (as
# apache.sh), natively
# and under jifl record -e none and -e bbcount with --contexts=syscall and
# --contexts=syscall,fault. Each figure is timed inside the workload
# (fault-micro's own clock after warm-up rounds, ab's requests per
# second), not the whole run, which a session's fixed cost (layout,
# attach, stop) would swamp. Under QEMU icount by default: guest ns are
# guest instructions, no caches modelled, vCPUs serialised
# (tests/bench/README).
# Last line: key=value; *_ns are ns (= guest instructions) per page
# (mmap), per fork+exec (forkexec) or per request (ab), medians over the
# rounds; *_pct are in percent of native time.
#
#   tests/bench/contexts.sh [--kernel SERIES] [--rounds R] [--mmap N]
#                           [--forkexec N] [--ab N] [SERIES]
set -eu
usage() { sed -n '18,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }
series=6.12 rounds=2 nmmap=300 nfork=100 nab=1000
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:?}; shift 2 ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--mmap) nmmap=${2:?}; shift 2 ;;
	--forkexec) nfork=${2:?}; shift 2 ;;
	--ab) nab=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "contexts.sh: unknown option '$1'" >&2; usage ;;
	*) series=$1; shift ;;
	esac
done
. "$(dirname "$0")/vm-bench.sh"
bench_need_apache contexts.sh
make -s src/jifl >/dev/null
mkdir -p build
cc -O2 -Wall -static -o build/fault-micro tests/bench/fault-micro.c
bench_kmod "$series" contexts.sh
out=$(mktemp -d "$top/build/bench-contexts.XXXXXX")
cat >"$out/guest.sh" <<GUEST
J=$top/src/jifl
FM=/tmp/fault-micro	# tmpfs: no exec waits on the 9p root (fault-micro.c)
cp $top/build/fault-micro \$FM
url=http://127.0.0.1/
$top/tests/apache/apache-guest start /tmp/www || exit 1
rps() { sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' /tmp/ab.out; }
faults() { sed -n 's/.*entries into the cache (.*fault: \([0-9]*\).*/\1/p' /tmp/rec.err; }
# run WORKLOAD N [PLUGIN CONTEXTS]: one line "WORKLOAD MODE NS FAULTS",
# natively or under jifl record (\$rec's words)
run() {
	local w=\$1 n=\$2 mode=native rec= ns
	if [ \$# -gt 2 ]; then
		mode=\$3/\$4
		rec="\$J record -e \$3 --contexts=\$4 -o /tmp/c.data --"
	fi
	rm -f /tmp/c.data /tmp/c.data.old /tmp/rec.err
	if [ \$w = ab ]; then
		\$rec ab -q -n \$n \$url >/tmp/ab.out 2>/tmp/rec.err
		ns=\$(awk -v r="\$(rps)" 'BEGIN { if (r > 0) printf "%.0f", 1e9 / r }')
	else
		ns=\$(\$rec \$FM \$w \$n 2>/tmp/rec.err)
	fi
	echo "\$w \$mode \${ns:-0} \$(faults)"
}
# warm apache2, the page cache and the binaries up: under icount a read
# that waits on the host costs a varying guest time (tests/vm/README)
ab -q -n 200 \$url >/dev/null
\$FM mmap 10 >/dev/null; \$FM forkexec 10 >/dev/null
\$J record -q -e bbcount --contexts=syscall,fault -o /tmp/w.data -- \$FM forkexec 10 >/dev/null
for r in \$(seq 1 $rounds); do
	for w in "mmap $nmmap" "forkexec $nfork" "ab $nab"; do
		run \$w
		for m in none bbcount; do
			run \$w \$m syscall
			run \$w \$m syscall,fault
		done
	done
done
$top/tests/apache/apache-guest stop /tmp/www
GUEST

tests/vm/vmrun -q --kernel "$rel" $bench_vm_opts --timeout 5400 --log "$out/console.log" \
	--insmod "build/kmod-$rel/jifl_cache.ko" --insmod "build/kmod-$rel/jifl.ko" \
	-- bash "$out/guest.sh" >"$out/results.txt"
cat "$out/results.txt" >&2

awk -v series="$series" -v accel="$JIFL_VM_ACCEL" -v smp="$bench_smp" -v rounds="$rounds" \
	-v nmmap="$nmmap" -v nfork="$nfork" -v nab="$nab" -v commit="$(git rev-parse --short HEAD)" "$bench_awk_median"'
NF >= 3 && $3 > 0 {	# WORKLOAD MODE NS [FAULTS]
	k = $1 SUBSEP $2
	v[k, ++c[k]] = $3
	if (NF >= 4) f[k] = $4
	if (!($1 in wseen)) { wseen[$1] = 1; wl[++nw] = $1 }
	if (!($2 in mseen)) { mseen[$2] = 1; md[++nm] = $2 }
}
END {
	printf "kernel %s, %s, %d vCPU(s), commit %s, %d round(s); ns (= guest insns under icount) per op, %% of native time\n", series, accel, smp, commit, rounds
	printf "(mmap: per page of %d x 64-page mmap/write/munmap; forkexec: per fork+exec+wait of %d; ab: per request of ab -n %d; faults: the fault context'"'"'s entries)\n", nmmap, nfork, nab
	printf "%-20s", "mode"
	for (i = 1; i <= nw; i++) printf " %12s %8s %9s", wl[i] " ns", "%", "faults"
	printf "\n"
	line = sprintf("kernel=%s accel=%s smp=%d", series, accel, smp)
	for (j = 1; j <= nm; j++) {
		m = md[j]; key = m; gsub(/[\/,]/, "_", key)
		printf "%-20s", m
		for (i = 1; i <= nw; i++) {
			w = wl[i]
			if (!c[w, m] || !c[w, "native"]) { printf " %12s %8s %9s", "-", "-", "-"; continue }
			x = median(w SUBSEP m); n = median(w SUBSEP "native")
			printf " %12.0f %7.1f%% %9s", x, 100 * x / n, (w SUBSEP m) in f ? f[w, m] : ""
			line = line sprintf(" %s_%s_ns=%.0f", w, key, x)
			if (m != "native") line = line sprintf(" %s_%s_pct=%.1f", w, key, 100 * x / n)
		}
		printf "\n"
	}
	print line
}' "$out/results.txt"
