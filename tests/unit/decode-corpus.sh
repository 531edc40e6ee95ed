#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Full differential test of jit_decode() against Capstone: every kernel
# module of every installed kernel (/lib/modules/*/kernel, .ko and .ko.xz)
# and every system library (/lib/x86_64-linux-gnu/*.so*,
# /usr/lib/x86_64-linux-gnu/*.so*).  Prints each unexplained disagreement
# and a summary (files, functions, instructions, disagreements by reason);
# exits non-zero when a disagreement is not in decode-known.txt.  Where
# Capstone 4 rejects an encoding jifl decodes, GNU objdump (binutils) is
# the second opinion: same length -> counted apart, not a disagreement.
#
# Usage: tests/unit/decode-corpus.sh [--flags] [DECODE-DIFF]
# DECODE-DIFF defaults to the built tests/unit/decode-diff.

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
flags=
if [ "$1" = --flags ]; then
	flags=--flags
	shift
fi
DIFF=${1:-$top_builddir/tests/unit/decode-diff}
if [ ! -x "$DIFF" ]; then
	echo "decode-corpus: $DIFF not built (make check builds it)" >&2
	exit 2
fi

list=$(mktemp) || exit 2
trap 'rm -f "$list"' EXIT
find /lib/modules/*/kernel -type f \( -name '*.ko' -o -name '*.ko.xz' \) \
	2>/dev/null | sort >"$list"
nmods=$(wc -l <"$list")
for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
	for f in "$d"/*.so*; do
		[ -f "$f" ] && readlink -f "$f"
	done
done | sort -u >>"$list"
echo "decode-corpus: $nmods kernel modules, $(($(wc -l <"$list") - nmods)) libraries"
objdump=
command -v objdump >/dev/null 2>&1 && objdump=--objdump
"$DIFF" --summary $flags $objdump --known "$top_srcdir/tests/unit/decode-known.txt" \
	--list "$list"
