# SPDX-License-Identifier: GPL-2.0
# TAP helpers for shell tests: . "$top_srcdir/tests/lib.sh"

tap_n=0
tap_failed=0
tap_planned=

plan() { tap_planned=$1; echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# ok COND_STATUS DESCRIPTION
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# skip REASON: one skipped test
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $*"
}

# check DESCRIPTION COMMAND...: runs COMMAND, ok when it succeeds
check() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "command: $*" "$out"
	fi
}

# expect_status DESCRIPTION STATUS COMMAND...: stdout+stderr in $out
expect_status() {
	desc=$1 want=$2
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "command: $*" "exit status $got, expected $want" "$out"
	fi
}

# expect_match DESCRIPTION REGEX: matches the last command's $out
expect_match() {
	if printf '%s\n' "$out" | grep -Eq -- "$2"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diag "expected /$2/ in:" "$out"
	fi
}

# tap_include: re-emit another TAP producer's results (stdin) as ours
tap_include() {
	while IFS= read -r line; do
		case $line in
		"not ok "*) ok 1 "$(echo "$line" | sed 's/^not ok [0-9]* *-* *//')" ;;
		"ok "*) ok 0 "$(echo "$line" | sed 's/^ok [0-9]* *-* *//')" ;;
		"#"*) echo "$line" ;;
		esac
	done
}

# Prints the plan at the end unless plan was called; returns the status.
done_testing() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
