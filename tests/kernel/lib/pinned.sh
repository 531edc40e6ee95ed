# SPDX-License-Identifier: GPL-2.0
# Guest test helpers (sourced after tests/lib.sh): whether a stop left
# tasks pinned in jifl's code, read from the kernel log since a mark and
# from the recorder's messages; a failure shows jifl.ko's account of each
# task it could not move (kmod/unpin.c: the stack word, its block, why).
# Used by tests/kernel/soak.t and tests/kernel/stop-sleepers.t.

# mark_log: new_log prints the kernel log from here on
mark_log() { log0=$(dmesg | wc -l); }
new_log() { dmesg | tail -n +$((${log0:-0} + 1)); }

# ok_unpinned DESCRIPTION [RECORDER_STDERR]: ok when the kernel log since
# mark_log names no task staying in jifl code and the recorder (if its
# messages are given) saw no task left in the cache
ok_unpinned() {
	local good=0
	new_log | grep -q "stays in jifl code" && good=1
	[ -n "${2:-}" ] && grep -q "still in the cache" "$2" && good=1
	ok $good "$1"
	[ $good = 0 ] && return 0
	diag "$(new_log | grep 'jifl: pid [0-9]\|stay in jifl code' | tail -n 12)"
	[ -z "${2:-}" ] || diag "$(grep 'still in the cache' "$2")"
}

# pinned_count: how many tasks the kernel log since mark_log named
pinned_count() { new_log | grep -c "stays in jifl code"; }
