# SPDX-License-Identifier: GPL-2.0
# Shared by the libFuzzer scripts (tests/unit/fuzz-*.sh): find clang, build
# a fuzz target with ASan and UBSan, run it on a seed corpus, print TAP.
# Exit 77 (skip) when clang or libFuzzer is missing.
#
#   . tests/unit/fuzz-lib.sh       (sets $secs, $top_srcdir, $CLANG, $tmp)
#   fuzz_build NAME CFLAGS_AND_SOURCES...   -> $tmp/NAME
#   seed files in $tmp/corpus
#   fuzz_run NAME LIBFUZZER_OPTIONS...

secs=${1:-20}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CLANG=${CLANG:-clang}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP $CLANG not found (Debian package: clang)"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"

fuzz_build() {
	name=$1
	shift
	if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined "$@" \
		-o "$tmp/$name" 2>"$tmp/build.log"; then
		cat "$tmp/build.log" >&2
		echo "1..0 # SKIP libFuzzer not available (Debian package: libclang-rt-14-dev, or that of your clang version)"
		exit 77
	fi
}

# fuzz_seed_hex HEX...: one corpus file per hex string
fuzz_seed_hex() {
	n=0
	for hex in "$@"; do
		n=$((n + 1))
		printf '%s' "$hex" | xxd -r -p >"$tmp/corpus/seed$n" 2>/dev/null ||
			printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$tmp/corpus/seed$n"
	done
}

fuzz_run() {
	name=$1
	shift
	echo "1..1"
	if "$tmp/$name" -max_total_time="$secs" -print_final_stats=1 "$@" \
		"$tmp/corpus" >"$tmp/log" 2>&1; then
		echo "ok 1 - $name for ${secs}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$tmp/log" | grep -o '[0-9]*$') executions"
	else
		sed 's/^/# /' "$tmp/log" | tail -40
		echo "not ok 1 - $name found a problem"
		exit 1
	fi
	sed -n 's/^\(stat::.*\)/# \1/p' "$tmp/log"
}
