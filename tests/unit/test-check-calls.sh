#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kmod/check-calls.sh: it finds circles and core breaches in made-up trees,
# and kmod/ has none: its #include lines, the translator core as built for
# the userspace tests, and jifl.ko's objects (built against an installed
# kernel's headers the way tests/kernel/vmtest builds it; skipped without
# headers).
. "$top_srcdir/tests/lib.sh"
check_calls=$top_srcdir/kmod/check-calls.sh

plan 8

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# compile SRCDIR FILE...: objects beside the sources
compile() {
	d=$1
	shift
	for f in "$@"; do
		${CC:-cc} -c -o "$d/${f%.c}.o" "$d/$f" || return 1
	done
}

# A circle of calls through three files, one of them in a subdirectory.
t=$tmp/circle
mkdir -p "$t/sub"
echo 'void b(void); void a(void) { b(); }' >"$t/a.c"
echo 'void c(void); void b(void) { c(); }' >"$t/b.c"
echo 'void a(void); void c(void) { a(); }' >"$t/sub/c.c"
echo 'void a(void); void d(void) { a(); }' >"$t/d.c"
compile "$t" a.c b.c sub/c.c d.c
out=$("$check_calls" -s "$t" "$t" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q '^circle of calls/references between a.c b.c sub/c.c:$' &&
	echo "$out" | grep -q '^  sub/c.c -> a.c: a$' && ! echo "$out" | grep -q 'd\.c'
ok $? "a circle a.c -> b.c -> sub/c.c -> a.c fails, naming its files and symbols, not d.c (rc $rc)"
diag "$out"

# Entries in assembly and their C halves (x_entry.S, x.c) are one unit;
# a third file calling the pair and called by it is still a circle.
t=$tmp/entry
mkdir -p "$t"
printf '.globl x_entry\nx_entry:\n\tcall x_c_half\n\tret\n' >"$t/x_entry.S"
echo 'void x_entry(void); void y(void); void x_c_half(void) { y(); } void *x_addr(void) { return x_entry; }' >"$t/x.c"
echo 'void z(void) {}' >"$t/y.c"
echo 'void z(void); void y(void) { z(); }' >>"$t/y.c"
${CC:-cc} -c -o "$t/x_entry.o" "$t/x_entry.S" && compile "$t" x.c y.c
out=$("$check_calls" -s "$t" "$t" 2>&1)
rc1=$?
echo 'void x_c_half(void); void w(void) { x_c_half(); }' >>"$t/y.c"
compile "$t" y.c
out2=$("$check_calls" -s "$t" "$t" 2>&1)
rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 1 ] && echo "$out2" | grep -q '^circle of calls/references between x.c y.c:$'
ok $? "x_entry.S <-> x.c is one unit (rc $rc1), x.c <-> y.c still a circle (rc $rc2)"
diag "$out" "$out2"

# The translator core calling up into its host.
t=$tmp/core
mkdir -p "$t/jit"
echo 'int host_data; void helper(void) {}' >"$t/host.c"
echo 'extern int host_data; int core(void) { return host_data; }' >"$t/jit/x.c"
compile "$t" host.c jit/x.c
out=$("$check_calls" -s "$t" "$t" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q '^jit/x.c uses host_data of host.c'
ok $? "jit/ using a symbol of its host fails (rc $rc)"
diag "$out"

# Headers that include each other, and jit/ including a header above it.
t=$tmp/inc
mkdir -p "$t/jit"
printf '#include "y.h"\n' >"$t/x.h"
printf '#include "x.h"\n' >"$t/y.h"
printf '#include "../x.h"\n' >"$t/jit/z.c"
out=$("$check_calls" -s "$t" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q '^circle of #include lines between x.h y.h:$' &&
	echo "$out" | grep -q '^jit/z.c includes x.h'
ok $? "an include circle and jit/ including x.h fail (rc $rc)"
diag "$out"

out=$("$check_calls" -s "$top_srcdir/kmod" 2>&1)
ok $? "kmod/: no circle of #include lines, jit/ includes only its own headers"
[ -n "$out" ] && diag "$out"

# The translator core as built into libjit.a, under the names of its sources.
t=$tmp/libjit/jit
mkdir -p "$t"
for o in "$top_builddir"/kmod/jit/libjit_a-*.o; do
	[ -f "$o" ] || continue
	n=${o##*/libjit_a-}
	ln -s "$o" "$t/$n"
done
n=$(ls "$t" | wc -l)
out=$("$check_calls" -s "$top_srcdir/kmod" "$tmp/libjit" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$n" -ge 10 ]
ok $? "kmod/jit as built for the tests ($n objects): no circle, nothing used from outside jit/"
[ -n "$out" ] && diag "$out"

# jifl.ko's objects: the top-level build's, else a build against the first
# installed kernel headers; rebuilt (incrementally) so they match the sources.
rel=
for d in "$top_builddir"/build/kmod-*/; do
	if [ -f "$d/jifl.ko" ]; then
		rel=${d%/}
		rel=${rel##*/kmod-}
		break
	fi
done
if [ -z "$rel" ]; then
	for k in /lib/modules/*/build; do
		if [ -f "$k/Makefile" ]; then
			rel=${k%/build}
			rel=${rel##*/}
			break
		fi
	done
fi
if [ -z "$rel" ]; then
	skip "jifl.ko's objects: no built module and no kernel headers (apt-get install linux-headers-amd64)"
	skip "jifl.ko's objects: see above"
	done_testing
	exit
fi
kbuild_out=$top_builddir/build/kmod-$rel
version=$(sed -n 's/^AC_INIT(\[jifl\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
if [ -f "/lib/modules/$rel/build/Makefile" ]; then
	"$top_srcdir/build-aux/kbuild" "/lib/modules/$rel/build" "$top_srcdir/kmod" \
		"$kbuild_out" -s JIFL_VERSION="$version" >"$tmp/kbuild.log" 2>&1
	rc=$?
	ok $rc "jifl.ko builds against $rel"
	[ $rc -ne 0 ] && diag "$(tail -n 20 "$tmp/kbuild.log")"
else
	# --with-kernel-build=DIR elsewhere: make has just built them
	skip "no /lib/modules/$rel/build: checking the objects of the last make"
fi
n=$(find "$kbuild_out" -name '*.o' ! -name '*.mod.o' | wc -l)
out=$("$check_calls" "$kbuild_out" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$n" -ge 20 ]
ok $? "jifl.ko's objects for $rel ($n): no circle between kmod/ files, jit/ uses nothing of its host"
[ -n "$out" ] && diag "$out"

done_testing
