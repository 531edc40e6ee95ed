#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash and zsh completions offer jifl's commands and options.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}

plan 18

# bash: drive _jifl the way readline does.
complete_bash() {
	(
		. "$top_srcdir/completions/jifl"
		COMP_WORDS=("$J" "$@")
		COMP_CWORD=$#
		_jifl
		echo "${COMPREPLY[*]}"
	)
}
out=$(complete_bash re)
[ "$out" = "record report" ]; ok $? "bash: 'jifl re' offers record and report (got: $out)"
out=$(complete_bash v)
[ "$out" = "version" ]; ok $? "bash: 'jifl v' offers version (got: $out)"
out=$(complete_bash version --he)
[ "$out" = "--help" ]; ok $? "bash: 'jifl version --he' offers --help (got: $out)"
out=$(complete_bash scr)
[ "$out" = "script" ]; ok $? "bash: 'jifl scr' offers script (got: $out)"
out=$(complete_bash script --ti)
[ "$out" = "--tid" ]; ok $? "bash: 'jifl script --ti' offers --tid (got: $out)"
out=$(complete_bash i)
[ "$out" = "info" ]; ok $? "bash: 'jifl i' offers info (got: $out)"
out=$(complete_bash script --event r)
[ "$out" = "return" ]; ok $? "bash: 'jifl script --event r' offers return (got: $out)"
out=$(complete_bash record --contexts f)
[ "$out" = "fault" ]; ok $? "bash: 'jifl record --contexts f' offers fault (got: $out)"
out=$(complete_bash record --event r)
[ "$out" != "return" ]; ok $? "bash: record's --event (plugins) is not script's (got: $out)"
out=$(complete_bash report --flameg)
[ "$out" = "--flamegraph" ]; ok $? "bash: 'jifl report --flameg' offers --flamegraph (got: $out)"
tmp=$(mktemp -d /tmp/test-completions.XXXXXX) || exit 99
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/calls.svg"
out=$(cd "$tmp" && complete_bash report --flamegraph ca)
[ "$out" = "calls.svg" ]; ok $? "bash: a file name after --flamegraph (got: $out)"
: >"$tmp/calls.pftrace"
out=$(cd "$tmp" && complete_bash report --perfetto calls.p)
[ "$out" = "calls.pftrace" ]; ok $? "bash: a file name after --perfetto (got: $out)"

# zsh: run _jifl with compadd and _call_program standing in for compsys.
if ! command -v zsh >/dev/null; then
	for i in 1 2 3 4 5 6; do echo "ok $((tap_n += 1)) # SKIP zsh not installed (apt-get install zsh)"; done
	done_testing
	exit
fi
complete_zsh() {
	zsh -f -c '
		compadd() { [[ $1 == -- ]] && shift; print -r -- "$@"; }
		_call_program() { shift; eval "$@"; }
		# quiet while sourcing: the file ends by calling _jifl, words unset
		_files() { (( ${#words} )) && print -r -- FILES; }
		source "$1"; shift
		words=("$@"); CURRENT=$#words; PREFIX=${words[CURRENT]}
		_jifl' zsh-test "$top_srcdir/completions/_jifl" "$J" "$@" |
	tr ' ' '\n' | grep -x -- "${@: -1}.*" | tr '\n' ' ' | sed 's/ $//'
}
zsh -n "$top_srcdir/completions/_jifl"; ok $? "zsh: completion parses"
out=$(complete_zsh re)
[ "$out" = "record report" ]; ok $? "zsh: 'jifl re' offers record and report (got: $out)"
out=$(complete_zsh version --he)
[ "$out" = "--help" ]; ok $? "zsh: 'jifl version --he' offers --help (got: $out)"
out=$(complete_zsh script --event c)
[ "$out" = "call" ]; ok $? "zsh: 'jifl script --event c' offers call (got: $out)"
out=$(complete_zsh report --flamegraph "")
[ "$out" = "FILES" ]; ok $? "zsh: files after --flamegraph (got: $out)"
out=$(complete_zsh report --perfetto "")
[ "$out" = "FILES" ]; ok $? "zsh: files after --perfetto (got: $out)"

done_testing
