# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmarks that boot a guest (apache, calltrace,
# syscalls, top): sets $top and changes there; bench_kmod SERIES NAME
# builds jifl.ko for SERIES' release into build/kmod-$rel, setting $rel.

# vCPUs in parallel (MTTCG) as on hardware; tests use single-threaded TCG
# against a QEMU race (tests/vm/README), which would fail a run loudly.
export JIFL_VM_ACCEL=${JIFL_VM_ACCEL:-tcg}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"

bench_kmod() {
	local version

	rel=$(tests/vm/kernel-release "$1")
	version=$(sed -n 's/^AC_INIT(\[jifl\], \[\([^]]*\)\].*/\1/p' configure.ac)
	build-aux/kbuild "/lib/modules/$rel/build" kmod "build/kmod-$rel" -s \
		JIFL_VERSION="$version" >"$top/build/bench-kbuild.log" 2>&1 ||
		{ echo "$2: jifl.ko does not build (build/bench-kbuild.log)" >&2; exit 1; }
}
