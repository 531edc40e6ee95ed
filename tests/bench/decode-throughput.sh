#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Decoding throughput of jit_decode() against Capstone (detail off and on),
# side by side in one run, on the kernel modules of one installed kernel
# (the same instructions for every decoder: see decode-bench.c).
# The last line is key=value pairs:
#   insns=... bytes=... jifl_minsn_s=... capstone_minsn_s=...
#   capstone_detail_minsn_s=... speedup=... speedup_detail=...
#
# Usage: tests/bench/decode-throughput.sh [KERNEL-MODULE-DIR] [ROUNDS]
# Default: the first of /lib/modules/*/kernel with uncompressed .ko files
# (else any), 3 rounds (best taken).  Uses tests/bench/decode-bench from
# the build tree, or builds it with cc, pkg-config capstone libelf.

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
dir=$1
rounds=${2:-3}

if [ -z "$dir" ]; then
	for d in /lib/modules/*/kernel; do
		if [ -n "$(find "$d" -name '*.ko' -print -quit 2>/dev/null)" ]; then
			dir=$d
			break
		fi
	done
	[ -z "$dir" ] && for d in /lib/modules/*/kernel; do dir=$d; break; done
fi
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "decode-throughput: no kernel modules found" >&2
	exit 77
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
bench=$top_builddir/tests/bench/decode-bench
# a configured tree rebuilds it first: a binary older than the sources
# would measure the translator as it was
[ -f "$top_builddir/Makefile" ] &&
	make -s -C "$top_builddir" tests/bench/decode-bench >/dev/null 2>&1
if [ ! -x "$bench" ]; then
	bench=$tmp/decode-bench
	${CC:-cc} -O2 -I"$top_srcdir/kmod" $(pkg-config --cflags capstone libelf) \
		"$top_srcdir/kmod/jit/decode.c" "$top_srcdir/tests/bench/decode-bench.c" \
		-o "$bench" $(pkg-config --libs capstone libelf) || exit 2
fi
find "$dir" -type f \( -name '*.ko' -o -name '*.ko.xz' \) | sort >"$tmp/list"
echo "decode-throughput: $(wc -l <"$tmp/list") modules under $dir, best of $rounds"
"$bench" --rounds "$rounds" --list "$tmp/list"
