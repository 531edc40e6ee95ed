#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM with jifl.ko loaded: the device, the tool's view of the
# module, and the ioctl ABI.
. "$top_srcdir/tests/lib.sh"

[ -c /dev/jifl ]; ok $? "/dev/jifl is a character device"
mode=$(stat -c %a /dev/jifl)
[ "$mode" = 600 ]; ok $? "/dev/jifl has mode 0600 (got $mode)"
expect_status "jifl --version succeeds" 0 "$JIFL" --version
expect_match "jifl --version shows the module and its ABI" "^jifl.ko [0-9]+\.[0-9]+\.[0-9]+ \(ABI 1\)$"
grep -q '^jifl ' /proc/modules; ok $? "jifl is in /proc/modules"
# the ioctl ABI tests print their own TAP
abi=$("$top_builddir/tests/kernel/ioctl-abi"); status=$?
tap_include <<EOF
$abi
EOF
ok $status "ioctl-abi exits 0"
done_testing
