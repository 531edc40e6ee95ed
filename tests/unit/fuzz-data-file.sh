#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds tests/unit/fuzz-data-file.c with clang's libFuzzer (+ ASan, UBSan)
# and runs it for SECONDS (default 20) on the jifl.data reader, seeded with
# valid files from the same source built as a seed writer.  Exit 77 (skip)
# when clang or libFuzzer is missing: install the Debian packages clang and
# libclang-rt-14-dev (or the -dev of the installed clang version).
#
# Usage: tests/unit/fuzz-data-file.sh [SECONDS]

. "$(dirname "$0")/fuzz-lib.sh"

src="$top_srcdir/src/util/data-file.c $top_srcdir/src/util/report-events.c $top_srcdir/src/util/file-info.c $top_srcdir/src/util/json-write.c $top_srcdir/tests/unit/fuzz-data-file.c"
# the seed writer: the same source without libFuzzer
# shellcheck disable=SC2086
if ! "$CLANG" -g -O1 -DFUZZ_SEED_MAIN -I"$top_srcdir/src" -I"$top_srcdir/kmod" $src \
	-o "$tmp/seed" 2>"$tmp/build.log"; then
	cat "$tmp/build.log" >&2
	echo "not ok 1 - the seed writer does not build"
	exit 1
fi
# shellcheck disable=SC2086
fuzz_build fuzz-data-file -I"$top_srcdir/src" -I"$top_srcdir/kmod" $src
if ! "$tmp/seed" "$tmp/corpus"; then
	echo "not ok 1 - the seed writer failed"
	exit 1
fi
fuzz_run fuzz-data-file -max_len=4096
