# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/unit/test-report-dwarf.sh and test-cover.sh: recordings
# of tests/target/jifl_target.ko (built with -g) made up from the module
# itself, so that DWARF resolution is tested without a kernel.
#
#   target_ko                 sets KO (building it if needed), SERIES, SRC
#   target_spec OUT SHIFT BUILDID SCENARIO VARS [FUNCS]
#       writes a make-report-fixture spec: jifl_target loaded at $BASE,
#       its .text at $BASE + SHIFT per the kallsyms lines (SHIFT "nosyms":
#       no kallsyms for the module, .text at the base), every block of
#       FUNCS (default: the scenario's functions in expected-SERIES.txt)
#       with the count the expected file gives for SCENARIO with VARS
#       ("N=7"; SCENARIO "all": every block once), a vmlinux block of 16 bytes at _text + 0x1000 (count 5).

BASE=0xffffffffc0a10000
KTEXT=0xffffffff81000000
TGT_REL=

target_ko() {
	for k in "$top_builddir"/build/target-*/jifl_target.ko; do
		[ -f "$k" ] && KO=$k && break
	done
	if [ -z "${KO:-}" ] || [ ! -f "$KO" ]; then
		for kd in /lib/modules/*/build; do
			[ -d "$kd" ] || continue
			rel=$(basename "$(dirname "$kd")")
			out=$top_builddir/build/target-$rel
			"$top_srcdir/build-aux/kbuild" "$kd" "$top_srcdir/tests/target" \
				"$out" -s >/dev/null 2>&1 && KO=$out/jifl_target.ko && break
		done
	fi
	[ -n "${KO:-}" ] && [ -f "$KO" ] || return 1
	TGT_REL=$(modinfo -F vermagic "$KO" 2>/dev/null | cut -d' ' -f1)
	[ -n "$TGT_REL" ] || TGT_REL=$(basename "$(dirname "$KO")" | sed 's/^target-//')
	case $TGT_REL in
	6.1.*) SERIES=6.1 ;;
	6.12.*) SERIES=6.12 ;;
	*) return 1 ;;
	esac
	SRC=$top_srcdir/tests/target/jifl_target.c
	KODIR=$(dirname "$KO")
	TIDX=$(readelf -SW "$KO" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text .*/\1/p')
	KO_ID=$(readelf -n "$KO" | awk '/Build ID/ { print $3 }')
}

# func_value NAME: the function's offset in .text, decimal (bash only)
func_value() {
	local v
	v=$(readelf -sW "$KO" | awk -v n="$1" -v t="$TIDX" \
		'$4 == "FUNC" && $7 == t && $8 == n { print $2 }')
	echo $((16#$v))
}

func_size() {
	readelf -sW "$KO" | awk -v n="$1" -v t="$TIDX" \
		'$4 == "FUNC" && $7 == t && $8 == n { print $3 }'
}

hx() { printf '0x%x' "$1"; }

target_spec() {
	spec_out=$1 shift_=$2 bid=$3 scen=$4 vars=$5
	funcs=${6:-$(awk -v s="$scen" '/^scenario / { on = ($2 == s); next }
		on && NF == 3 && $1 !~ /^#/ { print $1 }' \
		"$top_srcdir/tests/target/expected-$SERIES.txt" | sort -u)}
	tshift=$shift_
	[ "$shift_" = nosyms ] && tshift=0
	{
		echo "uname $TGT_REL"
		echo "text $KTEXT $(hx $((KTEXT + 0x1000000)))"
		echo "sym $KTEXT T _text"
		echo "sym $(hx $((KTEXT + 0x1000))) T do_syscall_64"
		echo "block $(hx $((KTEXT + 0x1000))) 16 5"
		echo "module jifl_target $BASE 0x4000 $bid"
		if [ "$shift_" != nosyms ]; then
			readelf -sW "$KO" | awk -v t="$TIDX" \
				'$4 == "FUNC" && $7 == t { print $2, $8 }' |
			while read -r v n; do
				echo "sym $(hx $((BASE + tshift + 16#$v))) t $n jifl_target"
			done
		fi
		for fn in $funcs; do
			fv=$(func_value "$fn")
			fs=$(func_size "$fn")
			"$top_srcdir/tests/target/blocks" "$KO" "$fn" |
				while read -r _ o _; do echo $((o)); done |
				sort -n >"$spec_out.offs"
			echo "$fs" >>"$spec_out.offs"
			prev=
			while read -r off; do
				if [ -n "$prev" ]; then
					hexoff=$(printf '0x%x' "$prev")
					formula=$(awk -v s="$scen" -v f="$fn" -v o="$hexoff" \
						'/^scenario / { on = ($2 == s); next }
						on && $1 == f && $2 == o { print $3 }' \
						"$top_srcdir/tests/target/expected-$SERIES.txt")
					cnt=0
					[ -n "$formula" ] && cnt=$(eval "$vars; echo \$(($formula))")
					[ "$scen" = all ] && cnt=1
					echo "block $(hx $((BASE + tshift + fv + prev))) $((off - prev)) $cnt"
				fi
				prev=$off
			done <"$spec_out.offs"
		done
	} >"$spec_out"
}
