#!/bin/bash
# TAP test of tests/vm/scan-log on the fixture logs in tests/vm/fixtures/
# (no VM needed).  clean-*.log must pass; each splat-*.log must fail and
# report the line named in the table below.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scan=$here/scan-log
fx=$here/fixtures

# fixture -> text that must appear in scan-log's report
declare -A want=(
	[splat-oops-null.log]='BUG: kernel NULL pointer dereference'
	[splat-gpf.log]='general protection fault, probably for non-canonical'
	[splat-warning.log]='WARNING: CPU: 1 PID: 205 at kernel/trace/ftrace.c'
	[splat-rcu-stall.log]='rcu_preempt self-detected stall on CPU'
	[splat-rcu-stall-61.log]='rcu_preempt detected stalls on CPUs/tasks'
	[splat-lockdep-circular.log]='possible circular locking dependency'
	[splat-lockdep-recursive.log]='possible recursive locking detected'
	[splat-inconsistent-lock.log]='inconsistent lock state'
	[splat-suspicious-rcu.log]='suspicious RCU usage'
	[splat-panic.log]='Kernel panic - not syncing: Fatal exception'
	[splat-hung-task.log]='blocked for more than 120 seconds'
	[splat-soft-lockup.log]='BUG: soft lockup - CPU#0 stuck'
	[splat-hard-lockup.log]='Watchdog detected hard LOCKUP'
	[splat-ubsan.log]='UBSAN: shift-out-of-bounds'
	[splat-kasan.log]='BUG: KASAN: slab-out-of-bounds'
	[splat-kernel-bug.log]='kernel BUG at mm/vmalloc.c'
	[splat-page-fault.log]='BUG: unable to handle page fault'
	[splat-missing-endbr.log]='Missing ENDBR: jifl_cache'
	[splat-call-trace-only.log]='call trace without a preceding splat header'
	[splat-oom.log]='invoked oom-killer'
	[splat-no-status.log]='stage-2 never reported an exit status'
	[splat-stage1-failed.log]='jifl-vm: stage-1 failed: mount 9p jiflroot'
)
# Extra lines some reports must also contain.
declare -A also=(
	[splat-panic.log]='stage-2 never reported an exit status'
	[splat-soft-lockup.log]='Kernel panic - not syncing: softlockup'
	[splat-page-fault.log]='Oops: Oops: 0011'
	[splat-missing-endbr.log]='kernel BUG at arch/x86/kernel/cet.c'
)

shopt -s nullglob
clean=("$fx"/clean-*.log)
splat=("$fx"/splat-*.log)
shopt -u nullglob
if [[ ${#clean[@]} -eq 0 || ${#splat[@]} -eq 0 ]]; then
	echo "1..0 # SKIP no fixtures in $fx"
	exit 0
fi

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

echo "1..$((${#clean[@]} + ${#splat[@]} + 6))"

for f in "${clean[@]}"; do
	b=${f##*/}
	rc=0
	out=$("$scan" "$f" 2>&1) || rc=$?
	if [[ $rc -eq 0 && -z $out ]]; then
		ok "$b is clean"
	else
		notok "$b is clean (rc $rc)"
		echo "$out" | diag
	fi
done

for f in "${splat[@]}"; do
	b=${f##*/}
	if [[ -z ${want[$b]+x} ]]; then
		notok "$b: no expectation in test-scan-log.sh's table"
		continue
	fi
	rc=0
	out=$("$scan" "$f" 2>&1) || rc=$?
	if [[ $rc -eq 1 ]] && grep -qF -- "${want[$b]}" <<<"$out" &&
		{ [[ -z ${also[$b]+x} ]] || grep -qF -- "${also[$b]}" <<<"$out"; } &&
		grep -q "^$f:[0-9]*: " <<<"$out"; then
		ok "$b reported: ${want[$b]}"
	else
		notok "$b reported: ${want[$b]} (rc $rc)"
		echo "$out" | diag
	fi
done

# Every table entry has its fixture.
missing=
for b in "${!want[@]}"; do
	[[ -f $fx/$b ]] || missing+=" $b"
done
if [[ -z $missing ]]; then ok "every expected fixture exists"; else notok "fixtures missing:$missing"; fi

# --no-status: a dmesg dump has no exit status line.
rc=0
"$scan" --no-status "$fx/splat-no-status.log" >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 0 ]]; then ok "--no-status accepts a log without exit status"; else notok "--no-status (rc $rc)"; fi

rc=0
out=$("$scan" --no-status "$fx/splat-warning.log" 2>&1) || rc=$?
if [[ $rc -eq 1 ]]; then ok "--no-status still reports splats"; else notok "--no-status still reports splats (rc $rc)"; fi

# Several logs: any bad one fails the lot.
rc=0
"$scan" "${clean[0]}" "$fx/splat-kasan.log" >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 1 ]]; then ok "clean + splat logs -> 1"; else notok "clean + splat logs -> 1 (rc $rc)"; fi

# Unreadable log and no argument are usage errors (2).
rc=0
"$scan" "$fx/does-not-exist.log" >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 2 ]]; then ok "missing log -> 2"; else notok "missing log -> 2 (rc $rc)"; fi
rc=0
"$scan" >/dev/null 2>&1 || rc=$?
if [[ $rc -eq 2 ]]; then ok "no argument -> 2"; else notok "no argument -> 2 (rc $rc)"; fi

exit "$fail"
