# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmarks that boot a guest (apache, calltrace,
# syscalls, top): sets $top and changes there; bench_kmod SERIES NAME
# builds jifl.ko for SERIES' release into build/kmod-$rel, setting $rel
# and $bench_vm_opts (the vmrun options for a benchmark on that kernel).

# Deterministic guest time by default: under --accel icount one guest
# instruction is one guest nanosecond, so the ratios no longer follow the
# host's load (tests/bench/README).  JIFL_VM_ACCEL=tcg gives the
# multi-threaded TCG wall-clock figures instead (vCPUs in parallel, as on
# hardware; the tests avoid it because of a QEMU race, tests/vm/README).
export JIFL_VM_ACCEL=${JIFL_VM_ACCEL:-icount}
# The summaries' awk median(k): of the c[k] values v[k, 1..c[k]]; put in
# front of a program: awk "$bench_awk_median"'...'
# shellcheck disable=SC2034  # used by the scripts that source this
bench_awk_median='
function median(k,   i, j, t, a, cnt) {
	cnt = c[k]
	for (i = 1; i <= cnt; i++) a[i] = v[k, i]
	for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return cnt % 2 ? a[(cnt + 1) / 2] : (a[cnt / 2] + a[cnt / 2 + 1]) / 2
}
'
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

# bench_need_apache NAME: the benchmarks that serve ab's requests need
# apache2 and ab on the host (the guest runs the host's binaries)
bench_need_apache() {
	command -v ab >/dev/null && [ -x /usr/sbin/apache2 ] ||
		{ echo "$1: apt-get install apache2 apache2-utils" >&2; exit 1; }
}

bench_kmod() {
	local version

	rel=$(tests/vm/kernel-release "$1")
	version=$(sed -n 's/^AC_INIT(\[jifl\], \[\([^]]*\)\].*/\1/p' configure.ac)
	build-aux/kbuild "/lib/modules/$rel/build" kmod "build/kmod-$rel" -s \
		JIFL_VERSION="$version" >"$top/build/bench-kbuild.log" 2>&1 ||
		{ echo "$2: jifl.ko does not build (build/bench-kbuild.log)" >&2; exit 1; }
	# 6.1 does not bring up a second vCPU under icount (tests/vm/README).
	bench_smp=${JIFL_BENCH_SMP:-2}
	if [ "$JIFL_VM_ACCEL" = icount ] && [ -z "${JIFL_BENCH_SMP-}" ]; then
		case $rel in 6.1.*) bench_smp=1 ;; esac
	fi
	bench_vm_opts="--accel $JIFL_VM_ACCEL --smp $bench_smp"
}
