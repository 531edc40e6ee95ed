#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages end to end: `make deb` builds jifl and jifl-dkms;
# DKMS builds jifl.ko from jifl-dkms's sources and dkms.conf for both
# target kernels (`dkms build -k <release>`); then each kernel boots in the
# VM with that module (tests/pkg/dkms-guest.t), where dpkg installs both
# .debs, the packaged jifl records `true`, DKMS installs the module into
# /lib/modules and jifl record loads it by modprobe, and dpkg --purge has
# DKMS remove it again.
#
# Nothing on the host changes: DKMS builds in a scratch tree under the build
# directory (--dkmstree/--sourcetree), and dpkg and `dkms install` run in
# the guest, whose root is the host's under a tmpfs overlay (tests/vm/README),
# so no other test ever sees an installed jifl.ko or /var/lib/dkms/jifl.
# (DKMS does create its module signing key, /var/lib/dkms/mok.key, on its
# first build, as on any Debian machine.) The build reaches the guest as
# DKMS ships built modules between machines: dkms mktarball --binaries-only
# here, dkms ldtarball there.
#
# The modprobe path costs two depmod runs over the whole /lib/modules of the
# guest kernel, minutes each under TCG (6.12's .ko.xz modules: over 7 min
# each under load), so by default it runs on 6.1 only; the insmod path,
# dpkg -i and --purge run on both.
#
# JIFL_DEB_DIR=DIR takes the .debs from DIR instead of running make deb.
# JIFL_PKG_MODPROBE_SERIES="6.1 6.12" tests the modprobe path on both.
. "$top_srcdir/tests/lib.sh"

[ "$(id -u)" -eq 0 ] ||
	skip_all "needs root (DKMS runs the kernel build as root, dpkg installs): sudo make check TESTS=tests/pkg/test-dkms.sh"
for tool in dkms:dkms dpkg-deb:dpkg dpkg-buildpackage:dpkg-dev dh:debhelper \
	dh_dkms:dh-dkms fakeroot:fakeroot qemu-system-x86_64:qemu-system-x86; do
	command -v "${tool%%:*}" >/dev/null ||
		skip_all "${tool%%:*} not found: apt-get install ${tool#*:} (or run .ci/install-deps)"
done
releases=
modprobe_releases=
for series in 6.1 6.12; do
	rel=$("$top_srcdir/tests/vm/kernel-release" "$series" 2>&1) || skip_all "$rel"
	releases="$releases $rel"
	case " ${JIFL_PKG_MODPROBE_SERIES:-6.1} " in
	*" $series "*) modprobe_releases="$modprobe_releases $rel" ;;
	esac
done

# What the host has before (compared at the end: the test must change none).
host_state() {
	ls -d /var/lib/dkms/jifl /usr/src/jifl-* 2>/dev/null
	dpkg-query -W -f '${Package} ${Status}\n' jifl jifl-dkms 2>/dev/null
	ls /lib/modules/*/updates/dkms/jifl*.ko* 2>/dev/null
}
host_before=$(host_state)

version=$(sed -n 's/^AC_INIT(\[jifl\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
work=$top_builddir/tests/pkg/dkms
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
# DKMS's view of the world, scratch: the dpkg-deb'd sources, its tree.
root=$work/root
dkms_opts=(--dkmstree "$root/var/lib/dkms" --sourcetree "$root/usr/src")
cleanup() {
	rm -rf "$root"
}
trap cleanup EXIT

# --- the packages -----------------------------------------------------------
if [ -n "${JIFL_DEB_DIR:-}" ]; then
	debdir=$JIFL_DEB_DIR
	diag "packages from JIFL_DEB_DIR=$debdir"
else
	debdir=$top_builddir/build/deb
	start=$(date +%s)
	make -C "$top_builddir" deb >"$work/make-deb.log" 2>&1
	rc=$?
	ok $rc "make deb builds the packages ($(( $(date +%s) - start )) s; log $work/make-deb.log)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/make-deb.log" | tail -n 30
	# dpkg-buildpackage ran in a scratch copy: debian/ holds only its
	# tracked files, and no package landed next to the source tree.
	left=$(git -C "$top_srcdir" status --porcelain --ignored -- debian 2>&1 | grep -v '^[ MADRCU][ MADRCU] ')
	left="$left$(ls "$top_srcdir"/../jifl*_"$version"_*.deb "$top_srcdir"/../jifl_"$version"_*.changes 2>/dev/null |
		while read -r f; do [ "$f" -nt "$work/make-deb.log" ] || [ "$f" -ot "$work" ] || echo " $f"; done)"
	[ -z "$left" ]; ok $? "make deb leaves the source tree alone${left:+ (left: $left)}"
fi
jifl_deb=$debdir/jifl_${version}_amd64.deb
dkms_deb=$debdir/jifl-dkms_${version}_all.deb
if ! [ -f "$jifl_deb" ] || ! [ -f "$dkms_deb" ]; then
	ok 1 "both packages exist: ${jifl_deb##*/} ${dkms_deb##*/}"
	done_testing
	exit
fi
ok 0 "both packages exist: ${jifl_deb##*/} ${dkms_deb##*/}"

contents() { dpkg-deb -c "$1" | awk '{ print $6 }'; }
missing=
for f in ./usr/bin/jifl ./usr/share/man/man1/jifl-record.1.gz \
	./usr/share/man/man5/jifl-data.5.gz \
	./usr/share/bash-completion/completions/jifl \
	./usr/share/zsh/vendor-completions/_jifl; do
	contents "$jifl_deb" | grep -qx -- "$f" || missing="$missing $f"
done
[ -z "$missing" ]; ok $? "jifl holds the tool, man pages and completions${missing:+ (missing:$missing)}"
missing=
for f in dkms.conf Kbuild main.c jit/translate.c uapi/jifl.h; do
	contents "$dkms_deb" | grep -qx -- "./usr/src/jifl-$version/$f" ||
		missing="$missing $f"
done
[ -z "$missing" ]; ok $? "jifl-dkms holds the module sources and dkms.conf in /usr/src/jifl-$version${missing:+ (missing:$missing)}"
dep=$(dpkg-deb -f "$dkms_deb" Depends)
printf '%s\n' "$dep" | grep -qw dkms; ok $? "jifl-dkms depends on dkms ($dep)"

# --- DKMS builds the module for both kernels --------------------------------
dpkg-deb -x "$dkms_deb" "$root"
mkdir -p "$root/var/lib/dkms"
out=$(dkms add -m jifl -v "$version" "${dkms_opts[@]}" 2>&1)
rc=$?
ok $rc "dkms add -m jifl -v $version (the packaged dkms.conf)"
[ $rc -eq 0 ] || diag "$out"
for rel in $releases; do
	start=$(date +%s)
	nice dkms build -m jifl -v "$version" -k "$rel" "${dkms_opts[@]}" \
		>"$work/dkms-build-$rel.log" 2>&1
	rc=$?
	ok $rc "dkms build -k $rel ($(( $(date +%s) - start )) s)"
	# DKMS keeps the build directory, and its make.log, when a build fails.
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/dkms-build-$rel.log" \
		"$root/var/lib/dkms/jifl/$version/build/make.log" 2>/dev/null | tail -n 40
	mods=$root/var/lib/dkms/jifl/$version/$rel/x86_64/module
	magic=$(modinfo -F vermagic "$mods"/jifl.ko* 2>/dev/null)
	[ "${magic%% *}" = "$rel" ]; ok $? "the DKMS-built jifl.ko is for $rel (vermagic: $magic)"
done
# (dkms status warns on stderr about .ko.xz modules: readelf .comment)
status=$(dkms status -m jifl "${dkms_opts[@]}" 2>/dev/null)
diag "dkms status:" "$status"
for rel in $releases; do
	printf '%s\n' "$status" | grep -q "^jifl/$version, $rel, x86_64: built"
	ok $? "dkms status: built for $rel"
	dkms mktarball -m jifl -v "$version" -k "$rel" --binaries-only \
		--archive "$work/jifl-$version-$rel.dkms.tar.gz" "${dkms_opts[@]}" \
		>"$work/dkms-mktarball-$rel.log" 2>&1
	ok $? "dkms mktarball --binaries-only -k $rel (for the guest)"
done

# --- each kernel in the VM: dpkg -i, record, modprobe, purge ----------------
for rel in $releases; do
	mods=$root/var/lib/dkms/jifl/$version/$rel/x86_64/module
	vmout=$work/vm-$rel
	mkdir -p "$vmout"
	tarball= timeout=${JIFL_VM_TIMEOUT:-900}
	case " $modprobe_releases " in
	*" $rel "*)
		tarball=$work/jifl-$version-$rel.dkms.tar.gz
		timeout=${JIFL_VM_TIMEOUT:-2400} ;;
	esac
	start=$(date +%s)
	"$top_srcdir/tests/vm/vmrun" -q --kernel "$rel" --log "$vmout/console.log" \
		--timeout "$timeout" --out "$vmout" \
		--insmod "$(ls "$mods"/jifl_cache.ko*)" --insmod "$(ls "$mods"/jifl.ko*)" \
		--env top_srcdir="$top_srcdir" --env JIFL_VERSION="$version" \
		--env JIFL_DEBS="$jifl_deb $dkms_deb" \
		--env JIFL_DKMS_TARBALL="$tarball" \
		-- /bin/sh -c '"$1" >"$JIFL_VM_OUT/tap" 2>"$JIFL_VM_OUT/stderr"' \
		sh "$top_srcdir/tests/pkg/dkms-guest.t" 2>"$vmout/vmrun.err"
	rc=$?
	diag "kernel $rel: guest ran $(( $(date +%s) - start )) s, console log $vmout/console.log"
	# (not in a pipeline: tap_include must count in this shell)
	if [ -f "$vmout/tap" ]; then
		tap_include < <(sed "s/^\(\(not \)\{0,1\}ok [0-9]*\) \{0,1\}-\{0,1\} */\1 - $rel: /" "$vmout/tap")
	fi
	[ -s "$vmout/stderr" ] && sed 's/^/# guest stderr: /' "$vmout/stderr" | head -n 20
	[ -f "$vmout/dpkg.log" ] && sed "s/^/# $rel dpkg: /" "$vmout/dpkg.log" |
		grep -E 'Setting up|Unpacking|Purging|Removing|Deleting|autoinstall'
	case $rc in
	124) ok 1 "$rel: guest finished within the time limit (timed out)" ;;
	125) ok 1 "$rel: guest kernel log is clean (no Oops/BUG/WARNING/lockdep/stall)"
		sed 's/^/# /' "$vmout/vmrun.err" | tail -n 20 ;;
	*) ok 0 "$rel: guest kernel log is clean (no Oops/BUG/WARNING/lockdep/stall)"
		ok "$rc" "$rel: guest script passed (exit status $rc)"
		[ "$rc" -eq 0 ] || sed 's/^/# /' "$vmout/vmrun.err" | tail -n 10 ;;
	esac
done

# --- the scratch DKMS tree goes ----------------------------------------------
for rel in $releases; do
	dkms remove -m jifl -v "$version" -k "$rel" "${dkms_opts[@]}" >/dev/null 2>&1
done
status=$(dkms status -m jifl "${dkms_opts[@]}" 2>/dev/null)
[ -z "$status" ]; ok $? "dkms remove: the scratch DKMS tree no longer knows jifl${status:+ ($status)}"
host_after=$(host_state)
[ "$host_after" = "$host_before" ]
ok $? "the host's packages, /usr/src, /var/lib/dkms and /lib/modules are as before"
done_testing
