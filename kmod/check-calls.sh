#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The dependency rules of kmod/, checked on the sources' #include lines and
# on built objects (which object uses a symbol which other one defines):
#   1. no circle of calls or data references between files: each file
#      depends on files below it only;
#   2. no circle of #include "..." lines;
#   3. the translator core, jit/, depends on nothing outside jit/: it is
#      shared with the userspace tests, and reaches its host only through
#      struct jit_host.
# An assembly file of entries, X_entry.S, and X.c holding their C halves
# form one unit: each needs the other's addresses by nature.
#
# usage: kmod/check-calls.sh [-s SRCDIR] [OBJDIR...]
#   SRCDIR  the sources (default: this script's directory, kmod/)
#   OBJDIR  a directory of objects laid out like SRCDIR (dispatch.o,
#           jit/branches.o, ...), such as Kbuild's output for jifl.ko;
#           objects without a source in SRCDIR (jifl.o, *.mod.o) are
#           ignored. Without OBJDIR only the #include rules are checked.
# Exit status: 0 when the rules hold, 1 when one is broken (each breach
# is printed with the files and symbols or lines involved), 2 on bad usage.
set -u

CORE=jit

usage() {
	echo "usage: $0 [-s SRCDIR] [OBJDIR...]" >&2
	exit 2
}

src=$(dirname "$0")
while getopts s:h opt; do
	case $opt in
	s) src=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ ! -d "$src" ]; then
	echo "$0: no source directory $src" >&2
	exit 2
fi
for d in "$@"; do
	if [ ! -d "$d" ]; then
		echo "$0: no object directory $d: build jifl.ko first (make, or build-aux/kbuild)" >&2
		exit 2
	fi
done
for tool in nm awk; do
	if ! command -v $tool >/dev/null; then
		echo "$0: $tool not found (apt-get install binutils mawk)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/edges"

# Edges "FROM TO WHY" of the include graph: FROM's quoted includes,
# resolved from FROM's directory, then from SRCDIR (Kbuild's -I$(src)).
(cd "$src" && find . -name '*.[chS]' | sed 's|^\./||' | sort) >"$tmp/files"
while read -r f; do
	dir=$(dirname "$f")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' \
		"$src/$f" | while read -r inc; do
		if [ -f "$src/$dir/$inc" ]; then
			to=$dir/$inc
		elif [ -f "$src/$inc" ]; then
			to=$inc
		else
			continue	# a generated or system header
		fi
		# normalise "a/../b" and "./b"
		to=$(echo "$to" | sed -e 's|^\./||' -e ':a' -e 's|[^/]*/\.\./||' -e 'ta')
		echo "$f $to #include"
	done
done <"$tmp/files" >"$tmp/includes"

# Symbols: "D SYM FILE" for a definition, "U SYM FILE" for a use.
for objdir in "$@"; do
	(cd "$objdir" && find . -name '*.o' ! -name '*.mod.o' ! -name '.*' |
		sed 's|^\./||' | sort) | while read -r o; do
		base=${o%.o}
		if [ -f "$src/$base.c" ]; then
			name=$base.c
		elif [ -f "$src/$base.S" ]; then
			name=$base.S
		else
			continue
		fi
		nm -g --defined-only "$objdir/$o" |
			awk -v f="$name" 'NF == 3 { print "D", $3, f }'
		nm -u "$objdir/$o" | awk -v f="$name" '{ print "U", $NF, f }'
	done
done >"$tmp/syms"

awk -v core="$CORE/" '
# X_entry.S counts as part of X.c
function unit(f,   b) {
	if (f !~ /_entry\.S$/)
		return f
	b = f
	sub(/_entry\.S$/, ".c", b)
	return b
}
# Tarjan: strongly connected components of the file graph
function visit(v,   i, w) {
	index_of[v] = low[v] = ++counter
	stack[++sp] = v
	on_stack[v] = 1
	for (i = 1; i <= nout[v]; i++) {
		w = out[v, i]
		if (!(w in index_of)) {
			visit(w)
			if (low[w] < low[v])
				low[v] = low[w]
		} else if (on_stack[w] && index_of[w] < low[v]) {
			low[v] = index_of[w]
		}
	}
	if (low[v] == index_of[v]) {
		nscc++
		do {
			w = stack[sp--]
			on_stack[w] = 0
			scc[w] = nscc
			size[nscc]++
		} while (w != v)
	}
}
function add_edge(g, a, b, why) {
	if (a == b)
		return
	if (!((g, a, b) in why_of)) {
		why_of[g, a, b] = why
		edge_a[g, ++nedges[g]] = a
		edge_b[g, nedges[g]] = b
	} else if (index(" " why_of[g, a, b] " ", " " why " ") == 0) {
		why_of[g, a, b] = why_of[g, a, b] " " why
	}
}
function check(g, what,   i, a, b, v, n, c, bad) {
	split("", index_of); split("", low); split("", on_stack)
	split("", scc); split("", size); split("", nout); split("", out)
	split("", nodes)
	counter = sp = nscc = n = 0
	for (i = 1; i <= nedges[g]; i++) {
		a = edge_a[g, i]; b = edge_b[g, i]
		out[a, ++nout[a]] = b
		if (!(a in nodes)) { nodes[a]; order[++n] = a }
		if (!(b in nodes)) { nodes[b]; order[++n] = b }
	}
	for (i = 1; i <= n; i++)
		if (!(order[i] in index_of))
			visit(order[i])
	bad = 0
	for (c = 1; c <= nscc; c++) {
		if (size[c] < 2)
			continue
		bad = 1
		members = ""
		for (i = 1; i <= n; i++)
			if (scc[order[i]] == c)
				members = members " " order[i]
		printf "circle of %s between%s:\n", what, members
		for (i = 1; i <= nedges[g]; i++) {
			a = edge_a[g, i]; b = edge_b[g, i]
			if (scc[a] == c && scc[b] == c)
				printf "  %s -> %s: %s\n", a, b, why_of[g, a, b]
		}
	}
	return bad
}
FILENAME ~ /includes$/ {
	add_edge("inc", $1, $2, "#include")
	if (index($1, core) == 1 && index($2, core) != 1) {
		printf "%s includes %s: the translator core (%s) includes only its own headers\n", $1, $2, core
		failed = 1
	}
	next
}
$1 == "D" {
	if ($2 in def && def[$2] != $3)
		dup[$2] = 1
	def[$2] = $3
	next
}
$1 == "U" { use[++nuse] = $2 " " $3 }
END {
	for (i = 1; i <= nuse; i++) {
		split(use[i], p, " ")
		if (!(p[1] in def) || (p[1] in dup))
			continue	# from the kernel, or ambiguous
		from = p[2]; to = def[p[1]]
		if (index(from, core) == 1 && index(to, core) != 1) {
			printf "%s uses %s of %s: the translator core (%s) reaches its host only through struct jit_host\n", from, p[1], to, core
			failed = 1
		}
		add_edge("link", unit(from), unit(to), p[1])
	}
	if (check("inc", "#include lines"))
		failed = 1
	if (check("link", "calls/references"))
		failed = 1
	if (failed)
		print "Make the dependency one-way: move what both need below both, or pass a callback from the file above."
	exit failed
}' "$tmp/includes" "$tmp/syms"
