# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/unit/test-report-vmlinux.sh and test-report-debuginfod.sh:
# recordings of vmlinux code made up from an ELF file with debug info.
#
#   vmlinux_spec OUT ELF RELEASE SLIDE BUILDID FUNCS
#       a make-report-fixture spec: kernel RELEASE, ELF's _text.._etext
#       (or _end) slid by SLIDE (KASLR), the recorded vmlinux build-id
#       BUILDID, kallsyms entries for _text and FUNCS, and a block at each
#       of the first six instructions of every function in FUNCS (count 3)
#   vmlinux_lines_match ELF SLIDE CSV
#       every vmlinux row of `jifl report -s block --csv` names the
#       file:line that addr2line gives for the unslid address; sets
#       VL_ROWS and VL_BAD, and prints the differences as diagnostics

vl_hx() { printf '0x%x' "$1"; }

vmlinux_spec() {
	local out=$1 elf=$2 rel=$3 slide=$4 id=$5 funcs=$6 nm text etext f a insn
	nm=$(nm "$elf")
	vl_sym() { printf '%s\n' "$nm" | awk -v n="$1" '$3 == n { print "0x" $1; exit }'; }
	text=$(vl_sym _text)
	etext=$(vl_sym _etext)
	[ -n "$etext" ] || etext=$(vl_sym _end)
	{
		echo "uname $rel"
		echo "text $(vl_hx $((text + slide))) $(vl_hx $((etext + slide)))"
		echo "buildid $id"
		echo "sym $(vl_hx $((text + slide))) T _text"
		for f in $funcs; do
			a=$(vl_sym "$f")
			echo "sym $(vl_hx $((a + slide))) T $f"
			objdump -d --no-show-raw-insn --start-address="$a" \
				--stop-address="$(vl_hx $((a + 48)))" "$elf" |
				sed -n 's/^ *\(ffffffff[0-9a-f]*\):.*/\1/p' | head -n 6 |
				while read -r insn; do
					echo "block $(vl_hx $((16#$insn + slide))) 1 3"
				done
		done
	} >"$out"
}

vmlinux_lines_match() {
	local elf=$1 slide=$2 csv=$3 addr s mod srcfile srcline want
	VL_ROWS=0 VL_BAD=0
	while IFS=, read -r _ _ _ addr _ s _ mod srcfile srcline; do
		[ "$mod" = vmlinux ] || continue
		VL_ROWS=$((VL_ROWS + 1))
		want=$(addr2line -e "$elf" "$(vl_hx $((addr - slide)))")
		case $want in
		*"/$srcfile:$srcline" | "$srcfile:$srcline") ;;
		*)
			VL_BAD=$((VL_BAD + 1))
			diag "$addr ($s): jifl $srcfile:$srcline, addr2line $want"
			;;
		esac
	done < <(tail -n +2 "$csv")
}
