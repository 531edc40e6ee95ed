#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Quick differential test of jit_decode() against Capstone on a fixed,
# diverse set of kernel modules (crypto with AVX2/AVX-512, VMX/SVM, VIA
# PadLock, big file systems, drivers) of every installed kernel, plus a few
# system libraries.  The full corpus: tests/unit/decode-corpus.sh.  TAP.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DIFF=$top_builddir/tests/unit/decode-diff
KNOWN=$top_srcdir/tests/unit/decode-known.txt

MODULES='
arch/x86/crypto/aesni-intel arch/x86/crypto/chacha-x86_64
arch/x86/crypto/poly1305-x86_64 arch/x86/crypto/sha256-ssse3
arch/x86/crypto/sha512-ssse3 arch/x86/crypto/sha1-ssse3
arch/x86/crypto/crc32c-intel arch/x86/crypto/crc32-pclmul
arch/x86/crypto/ghash-clmulni-intel arch/x86/crypto/aegis128-aesni
arch/x86/crypto/camellia-aesni-avx2 arch/x86/crypto/serpent-avx2
arch/x86/crypto/twofish-x86_64-3way arch/x86/crypto/curve25519-x86_64
arch/x86/crypto/nhpoly1305-avx2 arch/x86/crypto/des3_ede-x86_64
arch/x86/crypto/crct10dif-pclmul lib/raid6/raid6_pq crypto/xor
fs/ext4/ext4 fs/btrfs/btrfs fs/xfs/xfs fs/nfs/nfs
drivers/net/ethernet/intel/e1000e/e1000e
arch/x86/kvm/kvm-intel arch/x86/kvm/kvm-amd arch/x86/kvm/kvm
drivers/char/hw_random/via-rng drivers/crypto/padlock-aes
drivers/crypto/padlock-sha drivers/dma/idxd/idxd sound/core/snd
drivers/md/dm-mod drivers/md/raid456 net/netfilter/nf_tables
drivers/cpufreq/acpi-cpufreq drivers/hwmon/coretemp drivers/edac/skx_edac
drivers/vfio/vfio drivers/scsi/sd_mod drivers/usb/core/usbcore
drivers/hv/hv_vmbus arch/x86/kernel/msr drivers/powercap/intel_rapl_msr
drivers/platform/x86/intel/pmc/intel_pmc_core
'
LIBS='libc.so.6 libm.so.6 libcrypto.so.3 libz.so.1 libstdc++.so.6'

if [ ! -x "$DIFF" ]; then
	echo "1..0 # SKIP $DIFF not built"
	exit 0
fi

list=$(mktemp) || exit 99
trap 'rm -f "$list"' EXIT
for k in /lib/modules/*/kernel; do
	for m in $MODULES; do
		for f in "$k/$m.ko" "$k/$m.ko.xz"; do
			[ -f "$f" ] && echo "$f" >>"$list"
		done
	done
done
for l in $LIBS; do
	for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
		if [ -f "$d/$l" ]; then
			echo "$d/$l" >>"$list"
			break
		fi
	done
done
if [ ! -s "$list" ]; then
	echo "1..0 # SKIP no kernel modules or libraries found"
	exit 0
fi
objdump=
command -v objdump >/dev/null 2>&1 && objdump=--objdump
"$DIFF" --tap --summary $objdump --known "$KNOWN" --list "$list"
# decode-diff printed the plan and result; its exit status is informative
exit 0
