#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One version, configure.ac's AC_INIT: debian/changelog (the packages'
# version, and through dh_dkms -V jifl-dkms's /usr/src/jifl-<version>), the
# manual pages' .TH lines and the tool itself must all say the same.
. "$top_srcdir/tests/lib.sh"
J=${JIFL:-$top_builddir/src/jifl}

version=$(sed -n 's/^AC_INIT(\[jifl\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
[ -n "$version" ]; ok $? "configure.ac's AC_INIT has a version ($version)"

# dpkg-parsechangelog is what dpkg-buildpackage reads; sed when it is absent.
if command -v dpkg-parsechangelog >/dev/null; then
	deb=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
else
	deb=$(sed -n '1s/^jifl (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
fi
[ "$deb" = "$version" ]
ok $? "debian/changelog's version is configure.ac's (changelog $deb, configure.ac $version; fix: dch -v $version)"

grep -q '^PACKAGE_VERSION="#MODULE_VERSION#"$' "$top_srcdir/debian/jifl-dkms.dkms"
ok $? "dkms.conf takes its version from the package (#MODULE_VERSION#), not a copy"

bad=
for page in "$top_srcdir"/man/*.[1-9]; do
	th=$(sed -n 's/^\.TH .* "jifl \([^"]*\)" .*/\1/p' "$page")
	[ "$th" = "$version" ] || bad="$bad ${page##*/}($th)"
done
[ -z "$bad" ]; ok $? "every manual page's .TH says jifl $version${bad:+ (not:$bad)}"

expect_status "jifl --version runs" 0 "$J" --version
expect_match "jifl --version prints configure.ac's version" "^jifl $version\$"
done_testing
