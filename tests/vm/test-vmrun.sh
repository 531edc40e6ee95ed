#!/bin/bash
# TAP self-test of tests/vm/vmrun: boots each kernel series given as an
# argument (default: $JIFL_VM_SERIES, else $KERNEL_SERIES, else "6.1 6.12") and checks
# uname -r, exit status, argument quoting, stdout, the writable share, the
# read-only host root with a tmpfs overlay, cwd/env, insmod failure, splat
# detection (and expected-splat brackets), and the timeout.
# A series whose kernel (or QEMU, ...) is missing is skipped.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vmrun=$here/vmrun
read -r -a series <<<"${JIFL_VM_SERIES:-${KERNEL_SERIES:-6.1 6.12}}"
[[ $# -gt 0 ]] && series=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/test-vmrun.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Which series can run at all?
runnable=()
reasons=()
for s in "${series[@]}"; do
	rc=0
	msg=$("$here/kernel-release" "$s" 2>&1) || rc=$?
	if [[ $rc -eq 0 ]] && command -v "${JIFL_VM_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1; then
		runnable+=("$s")
	else
		[[ $rc -eq 0 ]] && msg="qemu-system-x86_64 missing (Debian package qemu-system-x86)"
		reasons+=("$s: $msg")
	fi
done
if [[ ${#runnable[@]} -eq 0 ]]; then
	echo "1..0 # SKIP ${reasons[*]}"
	exit 0
fi

per=12
echo "1..$((per * ${#runnable[@]}))"
for r in ${reasons[@]+"${reasons[@]}"}; do echo "# skipped series $r"; done

n=0
fail=0
check() { # description, condition result (0 = ok)
	n=$((n + 1))
	if [[ $2 -eq 0 ]]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}
run() { # run vmrun, capture stdout/stderr/status into out/err/rc
	rc=0
	out=$("$vmrun" -q "$@" 2>"$work/err") || rc=$?
	err=$(cat "$work/err")
}
diag() { { echo "rc=$rc"; echo "stdout: $out"; echo "stderr: $err"; } | sed 's/^/# /'; }

for s in "${runnable[@]}"; do
	rel=$("$here/kernel-release" "$s")
	echo "# series $s = $rel"

	# 1. uname -r is the resolved release, on vmrun's stdout.
	t0=$(date +%s.%N)
	run --kernel "$s" -- uname -r
	t1=$(date +%s.%N)
	[[ $rc -eq 0 && $out == "$rel" ]]
	check "$s: uname -r = $rel ($(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s)" $? || true
	[[ $rc -eq 0 && $out == "$rel" ]] || diag

	# 2. exit status propagates.
	run --kernel "$s" -- sh -c 'exit 3'
	[[ $rc -eq 3 ]]
	check "$s: exit 3 propagates" $? || true
	[[ $rc -eq 3 ]] || diag

	# 3. arguments with spaces, quotes, $, globs, newlines, empty.
	# shellcheck disable=SC2016  # a literal $HOME is the point
	args=('a b' "it's" '"dq"' '$HOME' '*' 'x\y' $'l1\nl2' '' ' lead' 'trail ')
	want=$(printf '<%s>\n' "${args[@]}")
	run --kernel "$s" -- printf '<%s>\n' "${args[@]}"
	[[ $rc -eq 0 && $out == "$want" ]]
	check "$s: arguments survive quoting" $? || true
	[[ $rc -eq 0 && $out == "$want" ]] || diag

	# 4-7. one boot: share, host root read-only + overlay, cwd, env, mounts.
	mkdir -p "$work/share-$s"
	host=$work/host-file
	echo "host content" >"$host"
	guest_script=$work/guest-$s.sh
	cat >"$guest_script" <<-'GUEST'
		set -u
		o=$JIFL_VM_OUT
		pwd >"$o/pwd"
		echo "$HOME $JIFL_VM $JIFL_VM_RELEASE $MYVAR" >"$o/env"
		cat "$1" >"$o/host-read"
		echo "guest write" >>"$1" && cat "$1" >"$o/guest-view"
		awk '$2 == "/" { print $3 }' /proc/mounts >"$o/rootfs"
		for m in /proc /sys /dev /dev/pts /dev/shm /run /sys/kernel/debug /sys/kernel/tracing; do
			mountpoint -q "$m" && echo "$m"
		done >"$o/mounts"
		hostname >"$o/hostname"
		ip -o link show lo | grep -q 'UP' && echo up >"$o/lo"
		echo shared >"$o/share-file"
	GUEST
	( cd "$work" && run --kernel "$s" --out "$work/share-$s" --env 'MYVAR=v 1' -- \
		bash "$guest_script" "$host" && declare -p rc out err >"$work/res" )
	# shellcheck disable=SC1091
	. "$work/res"
	o=$work/share-$s
	[[ $rc -eq 0 && $(cat "$o/share-file" 2>/dev/null) == shared && $(cat "$o/status" 2>/dev/null) == 0 ]]
	check "$s: writable share carries files and status back" $? || true
	[[ $(cat "$o/host-read" 2>/dev/null) == "host content" &&
		$(cat "$o/guest-view" 2>/dev/null) == $'host content\nguest write' &&
		$(cat "$host") == "host content" && $(cat "$o/rootfs" 2>/dev/null) == overlay ]]
	check "$s: host files visible, guest writes stay in the overlay" $? || true
	[[ $(cat "$o/pwd" 2>/dev/null) == "$work" && $(cat "$o/env" 2>/dev/null) == "/root 1 $rel v 1" &&
		$(cat "$o/hostname" 2>/dev/null) == jifl-vm && $(cat "$o/lo" 2>/dev/null) == up ]]
	check "$s: cwd, HOME, --env, hostname, lo" $? || true
	[[ $(tr '\n' ' ' <"$o/mounts" 2>/dev/null) == "/proc /sys /dev /dev/pts /dev/shm /run /sys/kernel/debug /sys/kernel/tracing " ]]
	check "$s: /proc /sys /dev /dev/pts /dev/shm /run debugfs tracefs mounted" $? || true
	[[ $rc -eq 0 ]] || diag

	# 8. insmod failure fails the run with a clear message.
	echo "not a module" >"$work/bogus.ko"
	run --kernel "$s" --insmod "$work/bogus.ko" -- true
	[[ $rc -eq 1 && $err == *"insmod $work/bogus.ko failed"* ]]
	check "$s: failed --insmod -> status 1 with message" $? || true
	[[ $rc -eq 1 ]] || diag

	# 10. a real module: --insmod loads it before CMD, --rmmod unloads it.
	mod=$(find "/lib/modules/$rel/kernel/drivers/net" -name 'dummy.ko*' 2>/dev/null | head -n 1)
	if [[ -n $mod ]]; then
		run --kernel "$s" --insmod "$mod" --rmmod -- sh -c 'grep "^dummy " /proc/modules'
		[[ $rc -eq 0 && $out == "dummy "* ]]
		check "$s: --insmod/--rmmod ${mod##*/}" $? || true
		[[ $rc -eq 0 ]] || diag
	else
		n=$((n + 1))
		echo "ok $n - # SKIP no dummy.ko in $rel"
	fi

	# 11. a kernel splat fails the run (125) even if CMD succeeds; a
	# bracketed expected splat does not.
	run --kernel "$s" -- sh -c 'echo "jifl-vm: expect-splat begin" >/dev/kmsg;
		echo "WARNING: CPU: 0 PID: 1 at expected.c:1 expected+0x0/0x1" >/dev/kmsg;
		echo "jifl-vm: expect-splat end" >/dev/kmsg;
		echo "BUG: fake splat for test-vmrun" >/dev/kmsg'
	[[ $rc -eq 125 && $err == *"BUG: fake splat for test-vmrun"* && $err != *"expected.c"* ]]
	check "$s: kernel splat -> 125, expected splat ignored" $? || true
	[[ $rc -eq 125 ]] || diag

	# 12. wall-clock timeout -> 124 within the limit.
	t0=$(date +%s)
	run --kernel "$s" --timeout 15 -- sleep 600
	t1=$(date +%s)
	[[ $rc -eq 124 && $((t1 - t0)) -le 30 ]]
	check "$s: timeout -> 124 after $((t1 - t0)) s (limit 15 s)" $? || true
	[[ $rc -eq 124 ]] || diag

	# 13. --accel icount: guest time counts guest instructions, so the
	# same work takes the same guest time, twice in one boot (a plain
	# TCG guest's clock follows the loaded host).  The work is a bash
	# loop: nothing waits on the host, whose latency icount cannot hide.
	# One vCPU: 6.1 does not bring up its second under icount (README).
	# shellcheck disable=SC2016  # expanded in the guest
	run --kernel "$s" --accel icount --smp 1 -- bash -c 'echo "$JIFL_VM_ACCEL"
		for r in 0 1 2; do t0=${EPOCHREALTIME/./}
			for ((i = 0; i < 100000; i++)); do :; done
			echo $((${EPOCHREALTIME/./} - t0)); done'
	read -r -d '' acc _ t1 t2 <<<"$out" || true
	[[ $rc -eq 0 && $acc == icount && $t1 =~ ^[0-9]+$ && $t2 =~ ^[0-9]+$ &&
		$((100 * (t1 > t2 ? t1 - t2 : t2 - t1))) -le $t1 ]]
	check "$s: --accel icount: the same work takes the same guest time (${t1-?} / ${t2-?} us)" $? || true
	[[ $rc -eq 0 ]] || diag
done
exit "$fail"
