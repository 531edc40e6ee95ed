#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the VM for tests/pkg/test-dkms.sh, with the DKMS-built jifl.ko
# loaded: dpkg installs both packages (this guest's root is a tmpfs overlay
# of the host's, so nothing outlives the boot), the packaged jifl records
# `true`; DKMS takes the host's build (ldtarball) and installs it into
# /lib/modules, jifl record loads it by modprobe, and dpkg --purge has DKMS
# remove it (jifl-dkms's prerm).
# Environment: JIFL_DEBS (the two .debs), JIFL_VERSION, JIFL_DKMS_TARBALL
# (dkms mktarball --binaries-only of the host's build for this kernel;
# empty: the modprobe path is skipped, see test-dkms.sh).
. "$top_srcdir/tests/lib.sh"
rel=$(uname -r)
version=$JIFL_VERSION
log=$JIFL_VM_OUT
cd "$(mktemp -d)" || exit 1

# timed NAME COMMAND...: runs it, and says how long it took (TCG is slow),
# on the TAP stream (fd 3) even when the command's output is redirected
exec 3>&1
timed() {
	local name=$1 t0 r
	t0=$(date +%s)
	shift
	"$@"
	r=$?
	diag "$name took $(( $(date +%s) - t0 )) s" >&3
	return $r
}
magic() { [ "$(head -c 8 "$1" 2>/dev/null)" = JIFLDATA ]; }
unload() { rmmod jifl && rmmod jifl_cache && ! [ -e /sys/module/jifl ]; }

[ -e /sys/module/jifl ] && [ -e /sys/module/jifl_cache ]
ok $? "the DKMS-built jifl_cache.ko and jifl.ko are loaded"

# The postinst's DKMS autoinstall would compile jifl.ko here, under TCG, for
# minutes, for this kernel and the newest: the host has built it, and
# ldtarball plus `dkms install` below put it in place. man-db's trigger
# (mandb) would take as long: both off, in this guest only.
mkdir -p /etc/dkms && touch /etc/dkms/no-autoinstall
rm -f /var/lib/man-db/auto-update
# shellcheck disable=SC2086 # two file names
timed "dpkg -i" dpkg -i $JIFL_DEBS >"$log/dpkg.log" 2>&1
ok $? "dpkg -i jifl jifl-dkms"
st=$(dpkg-query -W -f '${Package} ${Version} ${Status}\n' jifl jifl-dkms 2>&1)
[ "$st" = "jifl $version install ok installed
jifl-dkms $version install ok installed" ]
ok $? "dpkg: both installed, version $version ($(echo $st))"
[ -x /usr/bin/jifl ] && [ -f "/usr/src/jifl-$version/dkms.conf" ] &&
	[ -f /usr/share/man/man1/jifl-record.1.gz ] &&
	[ -f /usr/share/bash-completion/completions/jifl ]
ok $? "installed: /usr/bin/jifl, /usr/src/jifl-$version, man pages, completions"

expect_status "packaged jifl --version" 0 /usr/bin/jifl --version
expect_match "the packaged tool is $version" "^jifl $version\$"
expect_match "the DKMS-built module is $version" "^jifl.ko $version \(ABI [0-9]+\)\$"
timed "record (insmod)" expect_status "packaged jifl record -- true (module loaded by insmod)" 0 \
	/usr/bin/jifl record -o insmod.data -- true
magic insmod.data; ok $? "it wrote insmod.data with the jifl.data magic"
expect_status "jifl report -i insmod.data" 0 /usr/bin/jifl report --stdio -i insmod.data
expect_match "jifl report shows kernel functions with their shares" "[0-9]+\.[0-9]+% .*[a-z_]{3}"
diag "$(printf '%s\n' "$out" | head -n 8)"

unload; ok $? "rmmod jifl jifl_cache"

if [ -n "$JIFL_DKMS_TARBALL" ]; then
	# DKMS takes the host's build of jifl-dkms's sources for this kernel and
	# installs it: /lib/modules/REL/updates/dkms, then depmod.
	out=$(dkms ldtarball "$JIFL_DKMS_TARBALL" 2>&1)
	r=$?
	ok $r "dkms ldtarball: the host's build for $rel"
	[ $r -eq 0 ] || diag "$out"
	status=$(dkms status jifl 2>/dev/null)
	[ "$status" = "jifl/$version, $rel, x86_64: built" ]
	ok $? "dkms status: built ($status)"
	[ "$(readlink /var/lib/dkms/jifl/"$version"/source)" = "/usr/src/jifl-$version" ]
	ok $? "DKMS's source is jifl-dkms's /usr/src/jifl-$version"
	timed "dkms install (depmod included)" \
		dkms install -m jifl -v "$version" -k "$rel" >"$log/dkms-install.log" 2>&1
	ok $? "dkms install -m jifl -v $version -k $rel"
	status=$(dkms status jifl 2>/dev/null)
	printf '%s\n' "$status" >"$log/dkms-status"
	[ "$status" = "jifl/$version, $rel, x86_64: installed" ]
	ok $? "dkms status: $status"
	path=$(modinfo -n jifl 2>&1)
	case $path in "/lib/modules/$rel/updates/dkms/jifl.ko"*) r=0 ;; *) r=1 ;; esac
	ok $r "modprobe finds jifl in updates/dkms ($path)"

	timed "record (modprobe)" expect_status "packaged jifl record -- true loads jifl.ko by modprobe" 0 \
		/usr/bin/jifl record -o modprobe.data -- true
	[ -e /sys/module/jifl ] && [ -e /sys/module/jifl_cache ]
	ok $? "jifl and jifl_cache are loaded (modprobe resolved the dependency)"
	magic modprobe.data; ok $? "it wrote modprobe.data with the jifl.data magic"
	expect_status "jifl report -i modprobe.data" 0 /usr/bin/jifl report --stdio -i modprobe.data
	unload; ok $? "rmmod jifl jifl_cache"
else
	skip "modprobe path on $rel: two depmod runs take many minutes under TCG (JIFL_PKG_MODPROBE_SERIES)"
fi

timed "dpkg --purge" dpkg --purge jifl jifl-dkms >>"$log/dpkg.log" 2>&1
ok $? "dpkg --purge jifl jifl-dkms"
! dpkg-query -W -f '${Status}\n' jifl jifl-dkms 2>/dev/null | grep -q installed &&
	[ ! -e /usr/bin/jifl ] && [ ! -e "/usr/src/jifl-$version" ]
ok $? "purged: no package, /usr/bin/jifl or /usr/src/jifl-$version left"
status=$(dkms status jifl 2>/dev/null)
left=$(ls /lib/modules/"$rel"/updates/dkms/jifl*.ko* 2>/dev/null)
[ -z "$status" ] && [ -z "$left" ] && [ ! -e /var/lib/dkms/jifl ] &&
	! modinfo -n jifl >/dev/null 2>&1
ok $? "and DKMS removed the module: no dkms status, no updates/dkms/jifl.ko, modprobe finds none${status:+ ($status)}${left:+ ($left)}"
done_testing
