#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loading jifl.ko on demand: jifl record loads it from the build tree when
# it is missing (modprobe, /lib/modules/RELEASE/extra, then the tree the
# binary runs from), and says exactly what to do when it cannot: not root,
# a module built for another kernel (vermagic), no module at all.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}
cd "$(mktemp -d)" || exit 1
rel=$(uname -r)

unload() { rmmod jifl 2>/dev/null; rmmod jifl_cache 2>/dev/null; ! [ -e /sys/module/jifl ]; }

unload; ok $? "jifl.ko unloaded"
expect_status "not root: exit 1" 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$J" record -q --syscalls getpid -o /dev/null -- true
expect_match "not root: says to use sudo" "loading it needs root: run .sudo modprobe jifl."

expect_status "root: record loads jifl.ko from the build tree" 0 \
	"$J" record -q --syscalls getpid -o tree.data -- true
[ -e /sys/module/jifl ] && [ -e /sys/module/jifl_cache ]
ok $? "jifl and jifl_cache are loaded"

# a tree whose module was built for another kernel
unload
mkdir -p fake/src "fake/build/kmod-$rel"
cp "$J" fake/src/jifl
for m in jifl jifl_cache; do
	printf '\0license=GPL\0vermagic=9.9.9-other SMP preempt mod_unload\0' \
		>"fake/build/kmod-$rel/$m.ko"
done
expect_status "a module for another kernel: exit 1" 1 \
	fake/src/jifl record -q --syscalls getpid -o /dev/null -- true
expect_match "names both releases and what to rebuild" \
	"built for Linux 9.9.9-other, but this kernel is $rel: install linux-headers-$rel"
! [ -e /sys/module/jifl ]; ok $? "and loaded nothing"

# a tree with no module at all
rm -r fake/build
expect_status "no module: exit 1" 1 \
	fake/src/jifl record -q --syscalls getpid -o /dev/null -- true
expect_match "says how to build and install one" "no jifl.ko for this kernel \($rel\): install linux-headers-$rel, then build and install jifl"

# and the real one loads again for what follows
expect_status "loaded again from the build tree" 0 \
	"$J" record -q --syscalls getpid -o /dev/null -- true
done_testing
