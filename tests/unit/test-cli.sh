#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The jifl command line: command table, help, errors and hints.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}

plan 26

expect_status "jifl --help exits 0" 0 "$J" --help
expect_match "--help lists record" "^ +record +Run a command"
expect_match "--help lists report, top, cover, version" "report.*" 
expect_status "no command is a usage error" 2 "$J"
expect_status "jifl --version exits 0" 0 "$J" --version
expect_match "--version prints the tool version" "^jifl [0-9]+\.[0-9]+\.[0-9]+$"
expect_status "jifl version equals --version" 0 "$J" version
expect_match "version mentions the module" "jifl.ko"

expect_status "unknown command exits 2" 2 "$J" recrod
expect_match "unknown command suggests record" "did you mean 'record'"
expect_status "prefix of a command gets a hint" 2 "$J" rep
expect_match "hint for 'rep' is report" "did you mean 'report'"
expect_status "unrelated word exits 2" 2 "$J" frobnicate
expect_match "unrelated word: one line, no hint" "^jifl: 'frobnicate' is not a jifl command; see 'jifl --help'$"
expect_status "unknown global option exits 2" 2 "$J" --verison
expect_match "hint for --verison" "did you mean '--version'"

for c in record report script info top cover version; do
	expect_status "jifl $c --help exits 0" 0 "$J" "$c" --help
done
expect_status "unknown option of a command exits 2" 2 "$J" version --frob
expect_status "jifl help record is record --help" 0 "$J" help record
expect_match "help record shows its usage" "Usage: jifl record"

done_testing
