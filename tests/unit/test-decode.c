// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of jit_decode(): hand-written vectors (bytes -> length, flow,
 * branch target, displacement and immediate offsets, attributes, EFLAGS),
 * invalid encodings, truncation at every length, reads that never pass
 * @avail (guard page), prefix-closedness and a sweep of all two-byte
 * openings.  Prints TAP.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jit/insn.h"
#include "tap.h"

#define PC	0x1000ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define C_TARGET	0x01	/* .target is target - PC; .rel_off/.rel_size */
#define C_DISP		0x02	/* .disp_off, .disp_size, .disp */
#define C_IMM		0x04	/* .imm_off, .imm_size, .imm */
#define C_FLAGS		0x08	/* .fr, .fw */
#define C_OS		0x10	/* .os */

struct vec {
	const char *desc;
	const char *b;
	unsigned int n;
	int ret;
	int flow;
	unsigned int chk;
	s64 target;
	u8 rel_off, rel_size;
	u8 disp_off, disp_size;
	s64 disp;
	u8 imm_off, imm_size;
	s64 imm;
	u8 fr, fw;
	u8 os;
	u32 attr;		/* bits that must be set */
	u32 noattr;		/* bits that must be clear */
};

#define B(s)		.b = (s), .n = sizeof(s) - 1
#define OK(l, f)	.ret = (l), .flow = JIT_FLOW_##f
#define BAD		.ret = JIT_DECODE_INVALID
#define TGT(t, o, s)	.chk = C_TARGET, .target = (t), .rel_off = (o), \
			.rel_size = (s)
#define FL(r, w)	.fr = (r), .fw = (w)

#define CF	JIT_EFL_CF
#define PF	JIT_EFL_PF
#define AF	JIT_EFL_AF
#define ZF	JIT_EFL_ZF
#define SF	JIT_EFL_SF
#define OF	JIT_EFL_OF
#define DF	JIT_EFL_DF
#define ARITH	JIT_EFL_ARITH
#define ALL	JIT_EFL_ALL

static const struct vec vecs[] = {
	/* basics and control flow */
	{ "nop", B("\x90"), OK(1, NEXT), .chk = C_FLAGS, FL(0, 0) },
	{ "ret", B("\xc3"), OK(1, RET) },
	{ "ret imm16", B("\xc2\x08\x00"), OK(3, RET), .chk = C_IMM,
	  .imm_off = 1, .imm_size = 2, .imm = 8 },
	{ "push rbp", B("\x55"), OK(1, NEXT), .chk = C_OS, .os = 8 },
	{ "push r12", B("\x41\x54"), OK(2, NEXT), .chk = C_OS, .os = 8 },
	{ "pushw", B("\x66\x50"), OK(2, NEXT), .chk = C_OS, .os = 2 },
	{ "call rel32", B("\xe8\x00\x01\x00\x00"), OK(5, CALL),
	  TGT(5 + 0x100, 1, 4) },
	{ "call rel32 backwards", B("\xe8\xf0\xff\xff\xff"), OK(5, CALL),
	  TGT(5 - 0x10, 1, 4) },
	{ "jmp rel8 to self", B("\xeb\xfe"), OK(2, JMP), TGT(0, 1, 1) },
	{ "jmp rel32", B("\xe9\xfb\xff\xff\xff"), OK(5, JMP), TGT(0, 1, 4) },
	{ "je rel8", B("\x74\x10"), OK(2, JCC), TGT(0x12, 1, 1) },
	{ "jne rel32", B("\x0f\x85\x00\x00\x00\x00"), OK(6, JCC),
	  TGT(6, 2, 4) },
	{ "jo rel32 with REX", B("\x48\x0f\x80\x10\x00\x00\x00"), OK(7, JCC),
	  TGT(0x17, 3, 4) },
	{ "loop", B("\xe2\xfe"), OK(2, LOOP), TGT(0, 1, 1) },
	{ "loopne", B("\xe0\x00"), OK(2, LOOP), TGT(2, 1, 1) },
	{ "jrcxz", B("\xe3\x05"), OK(2, LOOP), TGT(7, 1, 1) },
	{ "66 jmp rel32 (Intel: prefix ignored)", B("\x66\xe9\x00\x00\x00\x00"),
	  OK(6, JMP), TGT(6, 2, 4) },
	{ "66 call rel32 (Intel: prefix ignored)",
	  B("\x66\xe8\x00\x00\x00\x00"), OK(6, CALL), TGT(6, 2, 4) },
	{ "66 jcc rel8", B("\x66\x75\x02"), OK(3, JCC), TGT(5, 2, 1) },
	{ "bnd jmp rel32", B("\xf2\xe9\x01\x00\x00\x00"), OK(6, JMP),
	  TGT(7, 2, 4) },
	{ "bnd ret", B("\xf2\xc3"), OK(2, RET) },
	{ "jmp *%rax", B("\xff\xe0"), OK(2, JMP_IND), .chk = C_OS, .os = 8 },
	{ "notrack jmp *%rax", B("\x3e\xff\xe0"), OK(3, JMP_IND) },
	{ "jmp *[rip+0]", B("\xff\x25\x00\x00\x00\x00"), OK(6, JMP_IND),
	  .chk = C_DISP, .disp_off = 2, .disp_size = 4,
	  .attr = JIT_ATTR_RIPREL | JIT_ATTR_MEM },
	{ "jmp *(%rax,%rcx,8)", B("\xff\x24\xc8"), OK(3, JMP_IND),
	  .attr = JIT_ATTR_SIB | JIT_ATTR_MEM },
	{ "call *0x8(%rax)", B("\xff\x50\x08"), OK(3, CALL_IND),
	  .chk = C_DISP, .disp_off = 2, .disp_size = 1, .disp = 8 },
	{ "call *%r11", B("\x41\xff\xd3"), OK(3, CALL_IND) },
	{ "ljmp *(%rax)", B("\xff\x28"), OK(2, SYSTEM) },
	{ "lcall *(%rax)", B("\xff\x18"), OK(2, SYSTEM) },
	{ "lcall register form", B("\xff\xd8"), BAD },
	{ "ljmp register form", B("\xff\xe8"), BAD },
	{ "ff /7", B("\xff\xf8"), BAD },
	{ "push qword [rax]", B("\xff\x30"), OK(2, NEXT), .chk = C_OS,
	  .os = 8 },
	{ "fe /2", B("\xfe\xd0"), BAD },
	{ "lret", B("\xcb"), OK(1, SYSTEM) },
	{ "lret imm16", B("\xca\x08\x00"), OK(3, SYSTEM) },
	{ "int3", B("\xcc"), OK(1, TRAP), .chk = C_FLAGS, FL(ALL, 0) },
	{ "int 0x80", B("\xcd\x80"), OK(2, TRAP), .chk = C_IMM,
	  .imm_off = 1, .imm_size = 1, .imm = 0x80 },
	{ "int1", B("\xf1"), OK(1, TRAP) },
	{ "ud2", B("\x0f\x0b"), OK(2, TRAP) },
	{ "ud1 %esp,%ecx", B("\x0f\xb9\xcc"), OK(3, TRAP) },
	{ "ud1 0x10(%rax),%eax", B("\x0f\xb9\x40\x10"), OK(4, TRAP) },
	{ "ud0 (%rax),%eax", B("\x0f\xff\x00"), OK(3, TRAP) },
	{ "iretq", B("\x48\xcf"), OK(2, SYSTEM) },
	{ "sysretq", B("\x48\x0f\x07"), OK(3, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "syscall", B("\x0f\x05"), OK(2, SYSTEM) },
	{ "sysenter", B("\x0f\x34"), OK(2, SYSTEM) },
	{ "sysexit", B("\x0f\x35"), OK(2, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "hlt", B("\xf4"), OK(1, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "rsm", B("\x0f\xaa"), OK(2, SYSTEM) },
	{ "xbegin rel32", B("\xc7\xf8\x10\x00\x00\x00"), OK(6, SYSTEM),
	  TGT(0x16, 2, 4) },
	{ "xbegin rel16", B("\x66\xc7\xf8\x10\x00"), OK(5, SYSTEM),
	  TGT(0x15, 3, 2) },
	{ "xabort", B("\xc6\xf8\x05"), OK(3, NEXT) },
	{ "xend", B("\x0f\x01\xd5"), OK(3, NEXT) },
	{ "xtest", B("\x0f\x01\xd6"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },

	/* system instructions */
	{ "swapgs", B("\x0f\x01\xf8"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "stac", B("\x0f\x01\xcb"), OK(3, NEXT),
	  .attr = JIT_ATTR_STAC | JIT_ATTR_PRIV, .noattr = JIT_ATTR_CLAC },
	{ "clac", B("\x0f\x01\xca"), OK(3, NEXT),
	  .attr = JIT_ATTR_CLAC | JIT_ATTR_PRIV, .noattr = JIT_ATTR_STAC },
	{ "endbr64", B("\xf3\x0f\x1e\xfa"), OK(4, NEXT),
	  .attr = JIT_ATTR_ENDBR | JIT_ATTR_REP },
	{ "endbr32", B("\xf3\x0f\x1e\xfb"), OK(4, NEXT),
	  .attr = JIT_ATTR_ENDBR },
	{ "nop edx (0f 1e fa without f3)", B("\x0f\x1e\xfa"), OK(3, NEXT),
	  .noattr = JIT_ATTR_ENDBR },
	{ "rdsspq", B("\xf3\x48\x0f\x1e\xc8"), OK(5, NEXT),
	  .noattr = JIT_ATTR_ENDBR },
	{ "wrmsr", B("\x0f\x30"), OK(2, NEXT), .attr = JIT_ATTR_PRIV },
	{ "rdmsr", B("\x0f\x32"), OK(2, NEXT), .attr = JIT_ATTR_PRIV },
	{ "rdtsc", B("\x0f\x31"), OK(2, NEXT), .noattr = JIT_ATTR_PRIV },
	{ "rdtscp", B("\x0f\x01\xf9"), OK(3, NEXT) },
	{ "cpuid", B("\x0f\xa2"), OK(2, NEXT) },
	{ "lgdt (%rax)", B("\x0f\x01\x10"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV | JIT_ATTR_MEM },
	{ "lidt 8(%rsp)", B("\x0f\x01\x5c\x24\x08"), OK(5, NEXT),
	  .attr = JIT_ATTR_PRIV | JIT_ATTR_SIB },
	{ "sgdt (%rax)", B("\x0f\x01\x00"), OK(3, NEXT),
	  .noattr = JIT_ATTR_PRIV },
	{ "invlpg (%rax)", B("\x0f\x01\x38"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV },
	{ "invpcid (%rcx),%rax", B("\x66\x0f\x38\x82\x01"), OK(5, NEXT) },
	{ "lldt %ax", B("\x0f\x00\xd0"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "ltr %ax", B("\x0f\x00\xd8"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "0f 00 /6", B("\x0f\x00\xf0"), BAD },
	{ "wbinvd", B("\x0f\x09"), OK(2, NEXT), .attr = JIT_ATTR_PRIV },
	{ "invd", B("\x0f\x08"), OK(2, NEXT), .attr = JIT_ATTR_PRIV },
	{ "clts", B("\x0f\x06"), OK(2, NEXT), .attr = JIT_ATTR_PRIV },
	{ "cli", B("\xfa"), OK(1, NEXT), .attr = JIT_ATTR_PRIV },
	{ "sti", B("\xfb"), OK(1, NEXT), .attr = JIT_ATTR_PRIV },
	{ "mov %cr3,%rax", B("\x0f\x20\xd8"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV, .noattr = JIT_ATTR_MEM },
	{ "mov cr with mod=0 rm=5: no disp32", B("\x0f\x22\x05"), OK(3, NEXT),
	  .chk = C_DISP, .noattr = JIT_ATTR_RIPREL | JIT_ATTR_MEM },
	{ "mov %dr7,%rax", B("\x0f\x21\xf8"), OK(3, NEXT) },
	{ "xsave (%rdi)", B("\x0f\xae\x27"), OK(3, NEXT) },
	{ "xrstor (%rdi)", B("\x0f\xae\x2f"), OK(3, NEXT) },
	{ "xsaveopt (%rdi)", B("\x0f\xae\x37"), OK(3, NEXT) },
	{ "xsaves (%rdi)", B("\x0f\xc7\x2f"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV },
	{ "xrstors (%rdi)", B("\x0f\xc7\x1f"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV },
	{ "xsavec (%rdi)", B("\x0f\xc7\x27"), OK(3, NEXT) },
	{ "fxsave64 (%rdi)", B("\x48\x0f\xae\x07"), OK(4, NEXT) },
	{ "rdpkru", B("\x0f\x01\xee"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, 0) },
	{ "wrpkru", B("\x0f\x01\xef"), OK(3, NEXT) },
	{ "serialize", B("\x0f\x01\xe8"), OK(3, NEXT) },
	{ "clflush (%rax)", B("\x0f\xae\x38"), OK(3, NEXT) },
	{ "clflushopt (%rax)", B("\x66\x0f\xae\x38"), OK(4, NEXT) },
	{ "clwb (%rax)", B("\x66\x0f\xae\x30"), OK(4, NEXT) },
	{ "lfence", B("\x0f\xae\xe8"), OK(3, NEXT) },
	{ "mfence", B("\x0f\xae\xf0"), OK(3, NEXT) },
	{ "sfence", B("\x0f\xae\xf8"), OK(3, NEXT) },
	{ "rdfsbase %rax", B("\xf3\x48\x0f\xae\xc0"), OK(5, NEXT) },
	{ "0f ae c0 without f3", B("\x0f\xae\xc0"), BAD },
	{ "monitor", B("\x0f\x01\xc8"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "mwait", B("\x0f\x01\xc9"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "xgetbv", B("\x0f\x01\xd0"), OK(3, NEXT), .noattr = JIT_ATTR_PRIV },
	{ "xsetbv", B("\x0f\x01\xd1"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "vmcall", B("\x0f\x01\xc1"), OK(3, SYSTEM) },
	{ "vmlaunch", B("\x0f\x01\xc2"), OK(3, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "vmresume", B("\x0f\x01\xc3"), OK(3, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "vmxoff", B("\x0f\x01\xc4"), OK(3, NEXT), .attr = JIT_ATTR_PRIV },
	{ "vmrun", B("\x0f\x01\xd8"), OK(3, SYSTEM), .attr = JIT_ATTR_PRIV },
	{ "vmmcall", B("\x0f\x01\xd9"), OK(3, SYSTEM) },
	{ "vmptrld (%rax)", B("\x0f\xc7\x30"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV },
	{ "vmxon (%rax)", B("\xf3\x0f\xc7\x30"), OK(4, NEXT) },
	{ "vmclear (%rax)", B("\x66\x0f\xc7\x30"), OK(4, NEXT) },
	{ "vmread %rax,%rcx", B("\x0f\x78\xc1"), OK(3, NEXT),
	  .attr = JIT_ATTR_PRIV },
	{ "vmwrite (%rax),%rcx", B("\x0f\x79\x08"), OK(3, NEXT) },
	{ "invept (%rax),%rcx", B("\x66\x0f\x38\x80\x08"), OK(5, NEXT) },
	{ "rdrand %eax", B("\x0f\xc7\xf0"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "rdseed %rax", B("\x48\x0f\xc7\xf8"), OK(4, NEXT) },
	{ "rdpid %rax", B("\xf3\x0f\xc7\xf8"), OK(4, NEXT), .chk = C_FLAGS,
	  FL(0, 0) },
	{ "cmpxchg16b (%rdi)", B("\xf0\x48\x0f\xc7\x0f"), OK(5, NEXT),
	  .chk = C_FLAGS, FL(0, ZF), .attr = JIT_ATTR_LOCK },
	{ "cmpxchg8b register form", B("\x0f\xc7\xc8"), BAD },
	{ "pause", B("\xf3\x90"), OK(2, NEXT) },
	{ "in al, 0x60", B("\xe4\x60"), OK(2, NEXT), .chk = C_IMM,
	  .imm_off = 1, .imm_size = 1, .imm = 0x60 },
	{ "out 0x80, al", B("\xe6\x80"), OK(2, NEXT), .chk = C_IMM,
	  .imm_off = 1, .imm_size = 1, .imm = 0x80 },
	{ "in eax, dx", B("\xed"), OK(1, NEXT) },
	{ "VIA xstore", B("\x0f\xa7\xc0"), OK(3, NEXT) },
	{ "VIA rep xcryptcbc", B("\xf3\x0f\xa7\xd0"), OK(4, NEXT) },
	{ "VIA xsha256", B("\xf3\x0f\xa6\xd0"), OK(4, NEXT) },

	/* immediates */
	{ "mov rax, imm64", B("\x48\xb8\x88\x77\x66\x55\x44\x33\x22\x11"),
	  OK(10, NEXT), .chk = C_IMM | C_OS, .imm_off = 2, .imm_size = 8,
	  .imm = 0x1122334455667788LL, .os = 8 },
	{ "mov r15, imm64", B("\x49\xbf\x01\x00\x00\x00\x00\x00\x00\x80"),
	  OK(10, NEXT), .chk = C_IMM, .imm_off = 2, .imm_size = 8,
	  .imm = (s64)0x8000000000000001ULL },
	{ "mov eax, imm32", B("\xb8\x01\x00\x00\x00"), OK(5, NEXT),
	  .chk = C_IMM | C_OS, .imm_off = 1, .imm_size = 4, .imm = 1,
	  .os = 4 },
	{ "mov ax, imm16", B("\x66\xb8\x34\x12"), OK(4, NEXT),
	  .chk = C_IMM | C_OS, .imm_off = 2, .imm_size = 2, .imm = 0x1234,
	  .os = 2 },
	{ "66 REX.W mov: REX.W wins", B("\x66\x48\xb8\1\2\3\4\5\6\7\x08"),
	  OK(11, NEXT), .chk = C_OS, .os = 8 },
	{ "mov al, imm8", B("\xb0\xff"), OK(2, NEXT), .chk = C_OS, .os = 1 },
	{ "add ax, imm16", B("\x66\x05\x34\x12"), OK(4, NEXT) },
	{ "add rax, imm32 sign-extended", B("\x48\x05\xff\xff\xff\xff"),
	  OK(6, NEXT), .chk = C_IMM, .imm_off = 2, .imm_size = 4, .imm = -1 },
	{ "push imm32", B("\x68\x00\x10\x00\x00"), OK(5, NEXT) },
	{ "push imm16", B("\x66\x68\x00\x10"), OK(4, NEXT) },
	{ "push imm8", B("\x6a\xff"), OK(2, NEXT), .chk = C_IMM, .imm_off = 1,
	  .imm_size = 1, .imm = -1 },
	{ "imul eax, eax, imm32", B("\x69\xc0\x00\x01\x00\x00"), OK(6, NEXT) },
	{ "imul eax, eax, imm8", B("\x6b\xc0\x05"), OK(3, NEXT) },
	{ "cmp byte [rax], 5", B("\x80\x38\x05"), OK(3, NEXT),
	  .chk = C_FLAGS, FL(0, ARITH) },
	{ "add eax, imm32 (81)", B("\x81\xc0\x00\x01\x00\x00"), OK(6, NEXT) },
	{ "add ax, imm16 (66 81)", B("\x66\x81\xc0\x34\x12"), OK(5, NEXT) },
	{ "adc eax, 1 (83 /2)", B("\x83\xd0\x01"), OK(3, NEXT),
	  .chk = C_FLAGS, FL(CF, ARITH) },
	{ "82 (invalid in 64-bit)", B("\x82\xc0\x01"), BAD },
	{ "test al, 1 (f6 /0)", B("\xf6\xc0\x01"), OK(3, NEXT) },
	{ "test eax, imm32 (f7 /0)", B("\xf7\xc0\x00\x00\x01\x00"),
	  OK(6, NEXT) },
	{ "test ax, imm16 (66 f7 /0)", B("\x66\xf7\xc0\x34\x12"), OK(5, NEXT) },
	{ "test rax, imm32 (48 f7 /0)", B("\x48\xf7\xc0\x01\x00\x00\x00"),
	  OK(7, NEXT) },
	{ "not eax (f7 /2): no imm", B("\xf7\xd0"), OK(2, NEXT),
	  .chk = C_FLAGS, FL(0, 0) },
	{ "neg eax (f7 /3)", B("\xf7\xd8"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "mul eax (f7 /4)", B("\xf7\xe0"), OK(2, NEXT) },
	{ "div byte (f6 /6)", B("\xf6\xf1"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "mov byte [rax], 5 (c6 /0)", B("\xc6\x00\x05"), OK(3, NEXT) },
	{ "mov dword [rax], imm32 (c7 /0)", B("\xc7\x00\x01\x00\x00\x00"),
	  OK(6, NEXT) },
	{ "movq $imm32, 8(%rsp)", B("\x48\xc7\x44\x24\x08\x01\x00\x00\x00"),
	  OK(9, NEXT), .chk = C_DISP | C_IMM, .disp_off = 4, .disp_size = 1,
	  .disp = 8, .imm_off = 5, .imm_size = 4, .imm = 1 },
	{ "movw $imm16, (%rax)", B("\x66\xc7\x00\x34\x12"), OK(5, NEXT) },
	{ "c7 /0 rip-relative + imm32",
	  B("\xc7\x05\x10\x00\x00\x00\x01\x00\x00\x00"), OK(10, NEXT),
	  .chk = C_DISP | C_IMM, .disp_off = 2, .disp_size = 4, .disp = 0x10,
	  .imm_off = 6, .imm_size = 4, .imm = 1, .attr = JIT_ATTR_RIPREL },
	{ "c6 /1", B("\xc6\x08\x00"), BAD },
	{ "c7 /7 memory", B("\xc7\x38"), BAD },
	{ "c7 f9 (not xbegin)", B("\xc7\xf9"), BAD },
	{ "enter 16, 1", B("\xc8\x10\x00\x01"), OK(4, NEXT), .chk = C_IMM,
	  .imm_off = 1, .imm_size = 3, .imm = 16 },
	{ "leave", B("\xc9"), OK(1, NEXT) },
	{ "mov eax, moffs64", B("\xa1\x08\x07\x06\x05\x04\x03\x02\x01"),
	  OK(9, NEXT), .chk = C_IMM, .imm_off = 1, .imm_size = 8,
	  .imm = 0x0102030405060708LL },
	{ "mov moffs64, rax", B("\x48\xa3\1\2\3\4\5\6\7\x08"), OK(10, NEXT) },
	{ "mov al, moffs32 (67)", B("\x67\xa0\x00\x00\x00\x80"), OK(6, NEXT),
	  .chk = C_IMM, .imm_off = 2, .imm_size = 4, .imm = 0x80000000 },
	{ "3DNow! pfmul", B("\x0f\x0f\xc1\xb4"), OK(4, NEXT),
	  .attr = JIT_ATTR_3DNOW },
	{ "3DNow! with disp8", B("\x0f\x0f\x40\x08\x9e"), OK(5, NEXT) },
	{ "femms", B("\x0f\x0e"), OK(2, NEXT) },
	{ "pshufd", B("\x66\x0f\x70\xc1\x1b"), OK(5, NEXT) },
	{ "psrlq xmm0, 4", B("\x66\x0f\x73\xd0\x04"), OK(5, NEXT) },
	{ "psrldq xmm0, 4 (73 /3)", B("\x66\x0f\x73\xd8\x04"), OK(5, NEXT) },
	{ "0f 73 /3 without 66", B("\x0f\x73\xd8\x04"), BAD },
	{ "0f 71 memory form", B("\x0f\x71\x10\x04"), BAD },
	{ "pinsrw", B("\x66\x0f\xc4\xc0\x01"), OK(5, NEXT) },
	{ "pextrw", B("\x66\x0f\xc5\xc0\x01"), OK(5, NEXT) },
	{ "shufps", B("\x0f\xc6\xc1\x1b"), OK(4, NEXT) },
	{ "cmpps", B("\x0f\xc2\xc1\x00"), OK(4, NEXT) },
	{ "bt eax, 3", B("\x0f\xba\xe0\x03"), OK(4, NEXT), .chk = C_FLAGS,
	  FL(0, CF | PF | AF | SF | OF) },
	{ "0f ba /0", B("\x0f\xba\xc0\x03"), BAD },
	{ "palignr", B("\x66\x0f\x3a\x0f\xc1\x08"), OK(6, NEXT) },
	{ "pclmulqdq", B("\x66\x0f\x3a\x44\xc1\x00"), OK(6, NEXT) },
	{ "pcmpistri", B("\x66\x0f\x3a\x63\xc1\x00"), OK(6, NEXT),
	  .chk = C_FLAGS, FL(0, ARITH) },
	{ "aesenc", B("\x66\x0f\x38\xdc\xc1"), OK(5, NEXT) },
	{ "sha256rnds2", B("\x0f\x38\xcb\xc1"), OK(4, NEXT) },
	{ "crc32 rax, rcx", B("\xf2\x48\x0f\x38\xf1\xc1"), OK(6, NEXT) },
	{ "movbe eax, (%rdi)", B("\x0f\x38\xf0\x07"), OK(4, NEXT) },
	{ "movbe register form", B("\x0f\x38\xf0\xc0"), BAD },
	{ "adcx", B("\x66\x0f\x38\xf6\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(CF, CF) },
	{ "adox", B("\xf3\x0f\x38\xf6\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(OF, OF) },
	{ "0f 38 50 (undefined)", B("\x0f\x38\x50\xc1"), BAD },
	{ "0f 3a 00 (undefined)", B("\x0f\x3a\x00\xc1\x00"), BAD },
	{ "extrq xmm0, 1, 2", B("\x66\x0f\x78\xc0\x01\x02"), OK(6, NEXT) },
	{ "insertq xmm0, xmm1, 1, 2", B("\xf2\x0f\x78\xc1\x01\x02"),
	  OK(6, NEXT) },
	{ "popcnt", B("\xf3\x0f\xb8\xc1"), OK(4, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "0f b8 without f3 (jmpe)", B("\x0f\xb8\xc1"), BAD },
	{ "tzcnt", B("\xf3\x0f\xbc\xc1"), OK(4, NEXT) },
	{ "lzcnt", B("\xf3\x48\x0f\xbd\xc1"), OK(5, NEXT) },
	{ "movnti", B("\x0f\xc3\x07"), OK(3, NEXT) },
	{ "lss register form", B("\x0f\xb2\xc0"), BAD },

	/* ModRM, SIB, displacements */
	{ "mov eax, [rax]", B("\x8b\x00"), OK(2, NEXT),
	  .attr = JIT_ATTR_MODRM | JIT_ATTR_MEM, .noattr = JIT_ATTR_SIB },
	{ "mov eax, ecx", B("\x8b\xc1"), OK(2, NEXT), .noattr = JIT_ATTR_MEM },
	{ "mov eax, [rsp]", B("\x8b\x04\x24"), OK(3, NEXT),
	  .attr = JIT_ATTR_SIB },
	{ "mov eax, [rsp+8]", B("\x8b\x44\x24\x08"), OK(4, NEXT),
	  .chk = C_DISP, .disp_off = 3, .disp_size = 1, .disp = 8 },
	{ "mov eax, [rsp-0x80]", B("\x8b\x44\x24\x80"), OK(4, NEXT),
	  .chk = C_DISP, .disp_off = 3, .disp_size = 1, .disp = -0x80 },
	{ "mov eax, [rsp+disp32]", B("\x8b\x84\x24\x00\x01\x00\x00"),
	  OK(7, NEXT), .chk = C_DISP, .disp_off = 3, .disp_size = 4,
	  .disp = 0x100 },
	{ "mov eax, [disp32] (SIB, no base)", B("\x8b\x04\x25\x28\x00\x00\x00"),
	  OK(7, NEXT), .chk = C_DISP, .disp_off = 3, .disp_size = 4,
	  .disp = 0x28, .noattr = JIT_ATTR_RIPREL },
	{ "mov eax, [rcx*4+disp32]", B("\x8b\x0c\x8d\x00\x00\x00\x00"),
	  OK(7, NEXT), .chk = C_DISP, .disp_off = 3, .disp_size = 4 },
	{ "mov eax, [rbp+0]", B("\x8b\x45\x00"), OK(3, NEXT), .chk = C_DISP,
	  .disp_off = 2, .disp_size = 1 },
	{ "mov eax, [r13+0]", B("\x41\x8b\x45\x00"), OK(4, NEXT) },
	{ "mov eax, [r12]", B("\x41\x8b\x04\x24"), OK(4, NEXT) },
	{ "mov rax, [rip+0x10]", B("\x48\x8b\x05\x10\x00\x00\x00"),
	  OK(7, NEXT), .chk = C_DISP | C_OS, .disp_off = 3, .disp_size = 4,
	  .disp = 0x10, .os = 8, .attr = JIT_ATTR_RIPREL },
	{ "lea rdi, [rip-4]", B("\x48\x8d\x3d\xfc\xff\xff\xff"), OK(7, NEXT),
	  .chk = C_DISP | C_FLAGS, .disp_off = 3, .disp_size = 4, .disp = -4,
	  FL(0, 0), .attr = JIT_ATTR_RIPREL },
	{ "mov eax, [eip+0] (67)", B("\x67\x8b\x05\x00\x00\x00\x00"),
	  OK(7, NEXT), .attr = JIT_ATTR_RIPREL | JIT_ATTR_ADDRSIZE },
	{ "cmpl $1, [rip+x]: imm after disp",
	  B("\x83\x3d\x00\x00\x00\x00\x01"), OK(7, NEXT),
	  .chk = C_DISP | C_IMM, .disp_off = 2, .disp_size = 4, .imm_off = 6,
	  .imm_size = 1, .imm = 1, .attr = JIT_ATTR_RIPREL },
	{ "lea register form", B("\x8d\xc0"), BAD },
	{ "movsxd rax, ecx", B("\x48\x63\xc1"), OK(3, NEXT) },

	/* prefixes */
	{ "REX then 66: REX ignored", B("\x48\x66\x8b\x00"), OK(4, NEXT),
	  .chk = C_OS, .os = 2, .attr = JIT_ATTR_OPSIZE },
	{ "66 then REX.W", B("\x66\x48\x8b\x00"), OK(4, NEXT), .chk = C_OS,
	  .os = 8 },
	{ "two REX: the last counts", B("\x41\x48\x8b\x00"), OK(4, NEXT),
	  .chk = C_OS, .os = 8 },
	{ "lock cmpxchg", B("\xf0\x48\x0f\xb1\x0a"), OK(5, NEXT),
	  .attr = JIT_ATTR_LOCK },
	{ "fs: mov", B("\x64\x48\x8b\x04\x25\x28\x00\x00\x00"), OK(9, NEXT),
	  .attr = JIT_ATTR_SEG_FS },
	{ "gs: mov (per-CPU)", B("\x65\x48\x8b\x04\x25\x00\x00\x00\x00"),
	  OK(9, NEXT), .attr = JIT_ATTR_SEG_GS },
	{ "gs: incl rip-relative", B("\x65\xff\x05\x00\x00\x00\x00"),
	  OK(7, NEXT), .attr = JIT_ATTR_SEG_GS | JIT_ATTR_RIPREL },
	{ "rep movsb", B("\xf3\xa4"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(DF, 0), .attr = JIT_ATTR_REP },
	{ "rep stosq", B("\xf3\x48\xab"), OK(3, NEXT) },
	{ "repne scasb", B("\xf2\xae"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(DF | ARITH, ARITH), .attr = JIT_ATTR_REPNE },
	{ "cmpsb", B("\xa6"), OK(1, NEXT), .chk = C_FLAGS, FL(DF, ARITH) },
	{ "14 prefixes + nop = 15 bytes",
	  B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90"),
	  OK(15, NEXT) },
	{ "15 prefixes + nop = 16 bytes",
	  B("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x90"),
	  BAD },
	{ "long nop 11 bytes",
	  B("\x66\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00"), OK(11, NEXT) },
	{ "nopw 0x0(%rax,%rax,1)", B("\x66\x0f\x1f\x44\x00\x00"), OK(6, NEXT) },
	{ "16-byte instruction via disp32+imm32",
	  B("\x66\x66\x66\x66\x66\x48\xc7\x84\x24\0\0\0\0\1\0\0\0"), BAD },

	/* invalid in 64-bit mode */
	{ "06 push es", B("\x06"), BAD },
	{ "07 pop es", B("\x07"), BAD },
	{ "0e push cs", B("\x0e"), BAD },
	{ "16 push ss", B("\x16"), BAD },
	{ "17 pop ss", B("\x17"), BAD },
	{ "1e push ds", B("\x1e"), BAD },
	{ "1f pop ds", B("\x1f"), BAD },
	{ "27 daa", B("\x27"), BAD },
	{ "2f das", B("\x2f"), BAD },
	{ "37 aaa", B("\x37"), BAD },
	{ "3f aas", B("\x3f"), BAD },
	{ "60 pusha", B("\x60"), BAD },
	{ "61 popa", B("\x61"), BAD },
	{ "62 bound (bad EVEX map 0)", B("\x62\xf0\x7c\x48\x10\xc0"), BAD },
	{ "9a callf", B("\x9a\0\0\0\0\0\0"), BAD },
	{ "c4 les (bad VEX map 0)", B("\xc4\xe0\x7d\x10\xc0"), BAD },
	{ "c4 VEX map 4", B("\xc4\xe4\x7d\x10\xc0"), BAD },
	{ "ce into", B("\xce"), BAD },
	{ "d4 aam", B("\xd4\x0a"), BAD },
	{ "d5 aad", B("\xd5\x0a"), BAD },
	{ "d6 salc", B("\xd6"), BAD },
	{ "ea jmpf", B("\xea\0\0\0\0\0\0"), BAD },
	{ "0f 04", B("\x0f\x04"), BAD },
	{ "0f 0a", B("\x0f\x0a"), BAD },
	{ "0f 24 mov tr", B("\x0f\x24\xc0"), BAD },
	{ "0f 36", B("\x0f\x36"), BAD },
	{ "0f 39", B("\x0f\x39"), BAD },
	{ "0f 7a", B("\x0f\x7a\xc0"), BAD },
	{ "8f /4 (pop)", B("\x8f\x20"), BAD },

	/* VEX */
	{ "vzeroupper", B("\xc5\xf8\x77"), OK(3, NEXT), .attr = JIT_ATTR_VEX,
	  .noattr = JIT_ATTR_MODRM },
	{ "vmovdqu ymm0, [rdi]", B("\xc5\xfe\x6f\x07"), OK(4, NEXT),
	  .attr = JIT_ATTR_VEX | JIT_ATTR_MEM },
	{ "vmovdqa ymm0, [rip+x]", B("\xc5\xfd\x6f\x05\x10\x00\x00\x00"),
	  OK(8, NEXT), .chk = C_DISP, .disp_off = 4, .disp_size = 4,
	  .disp = 0x10, .attr = JIT_ATTR_RIPREL },
	{ "vbroadcastss ymm0, [rip+x] (c4)",
	  B("\xc4\xe2\x7d\x18\x05\x00\x00\x00\x00"), OK(9, NEXT),
	  .chk = C_DISP, .disp_off = 5, .disp_size = 4 },
	{ "vpshufd (VEX 0f 70 ib)", B("\xc5\xf9\x70\xc1\x1b"), OK(5, NEXT) },
	{ "vpalignr (VEX 0f3a)", B("\xc4\xe3\x7d\x0f\xc1\x08"), OK(6, NEXT),
	  .chk = C_IMM, .imm_off = 5, .imm_size = 1, .imm = 8 },
	{ "vpclmulqdq", B("\xc4\xe3\x79\x44\xc1\x00"), OK(6, NEXT) },
	{ "vpxor ymm (c4 with REX bits)", B("\xc4\x41\x35\xef\xc8"),
	  OK(5, NEXT) },
	{ "andn", B("\xc4\xe2\x78\xf2\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "shlx", B("\xc4\xe2\x79\xf7\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, 0) },
	{ "bzhi", B("\xc4\xe2\x70\xf5\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "pdep", B("\xc4\xe2\x73\xf5\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, 0) },
	{ "rorx", B("\xc4\xe3\x7b\xf0\xc1\x05"), OK(6, NEXT) },
	{ "vptest", B("\xc4\xe2\x7d\x17\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "kmovd k1, eax", B("\xc5\xfb\x92\xc8"), OK(4, NEXT) },
	{ "66 before VEX", B("\x66\xc5\xf8\x77"), BAD },
	{ "REX before VEX", B("\x48\xc5\xf8\x77"), BAD },
	{ "f3 before VEX", B("\xf3\xc4\xe2\x7d\x18\xc0"), BAD },

	/* EVEX */
	{ "vmovdqu64 zmm0, [rdi]", B("\x62\xf1\xfe\x48\x6f\x07"), OK(6, NEXT),
	  .attr = JIT_ATTR_EVEX },
	{ "vmovdqu64 zmm0, [rdi+disp8*64]", B("\x62\xf1\xfe\x48\x6f\x47\x01"),
	  OK(7, NEXT), .chk = C_DISP, .disp_off = 6, .disp_size = 1,
	  .disp = 1 },
	{ "vmovdqu64 zmm0, [rip+x]",
	  B("\x62\xf1\xfe\x48\x6f\x05\x00\x01\x00\x00"), OK(10, NEXT),
	  .chk = C_DISP, .disp_off = 6, .disp_size = 4, .disp = 0x100,
	  .attr = JIT_ATTR_RIPREL },
	{ "vpternlogd", B("\x62\xf3\x7d\x48\x25\xc1\x96"), OK(7, NEXT),
	  .chk = C_IMM, .imm_off = 6, .imm_size = 1, .imm = (s8)0x96 },
	{ "vprold", B("\x62\xf1\x75\x48\x72\xc8\x05"), OK(7, NEXT) },
	{ "vpxord zmm16 (EVEX.R')", B("\x62\xe1\x7d\x48\xef\xc0"),
	  OK(6, NEXT) },
	{ "vcomish (map 5)", B("\x62\xf5\x7c\x08\x2f\xc1"), OK(6, NEXT),
	  .chk = C_FLAGS, FL(0, ARITH) },
	{ "EVEX P1 bit 2 clear", B("\x62\xf1\xfa\x48\x6f\x07"), BAD },
	{ "EVEX map 7", B("\x62\xf7\x7c\x48\x10\xc0"), BAD },

	/* XOP */
	{ "vprotb (XOP map 8, ib)", B("\x8f\xe8\x78\xc0\xc1\x05"),
	  OK(6, NEXT), .attr = JIT_ATTR_XOP },
	{ "vfrczps (XOP map 9)", B("\x8f\xe9\x78\x80\xc1"), OK(5, NEXT) },
	{ "bextr imm32 (XOP map 10)", B("\x8f\xea\x78\x10\xc0\1\0\0\0"),
	  OK(9, NEXT), .chk = C_FLAGS, FL(0, ARITH) },
	{ "pop rax (8f c0)", B("\x8f\xc0"), OK(2, NEXT) },
	{ "pop [rax] (8f 00)", B("\x8f\x00"), OK(2, NEXT) },

	/* x87 */
	{ "fld st0", B("\xd9\xc0"), OK(2, NEXT), .chk = C_FLAGS, FL(0, 0) },
	{ "fldl (%rsp)", B("\xdd\x04\x24"), OK(3, NEXT) },
	{ "fucomi", B("\xdb\xe9"), OK(2, NEXT), .chk = C_FLAGS, FL(0, ARITH) },
	{ "fcomip", B("\xdf\xf1"), OK(2, NEXT), .chk = C_FLAGS, FL(0, ARITH) },
	{ "fcmovb", B("\xda\xc1"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(CF | ZF | PF, 0) },
	{ "fnstsw ax", B("\xdf\xe0"), OK(2, NEXT) },
	{ "fwait", B("\x9b"), OK(1, NEXT) },
	{ "fstpt rip-relative", B("\xdb\x3d\x00\x00\x00\x00"), OK(6, NEXT),
	  .attr = JIT_ATTR_RIPREL },

	/* EFLAGS */
	{ "add", B("\x01\xc0"), OK(2, NEXT), .chk = C_FLAGS, FL(0, ARITH) },
	{ "adc", B("\x11\xc0"), OK(2, NEXT), .chk = C_FLAGS, FL(CF, ARITH) },
	{ "sbb", B("\x19\xc0"), OK(2, NEXT), .chk = C_FLAGS, FL(CF, ARITH) },
	{ "inc", B("\xff\xc0"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH & ~CF) },
	{ "dec byte", B("\xfe\xc8"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH & ~CF) },
	{ "cmc", B("\xf5"), OK(1, NEXT), .chk = C_FLAGS, FL(CF, CF) },
	{ "clc", B("\xf8"), OK(1, NEXT), .chk = C_FLAGS, FL(0, CF) },
	{ "std", B("\xfd"), OK(1, NEXT), .chk = C_FLAGS, FL(0, DF) },
	{ "pushf", B("\x9c"), OK(1, NEXT), .chk = C_FLAGS, FL(ALL, 0) },
	{ "popf", B("\x9d"), OK(1, NEXT), .chk = C_FLAGS, FL(0, ALL) },
	{ "sahf", B("\x9e"), OK(1, NEXT), .chk = C_FLAGS,
	  FL(0, SF | ZF | AF | PF | CF) },
	{ "lahf", B("\x9f"), OK(1, NEXT), .chk = C_FLAGS,
	  FL(SF | ZF | AF | PF | CF, 0) },
	{ "sete", B("\x0f\x94\xc0"), OK(3, NEXT), .chk = C_FLAGS, FL(ZF, 0) },
	{ "cmovl", B("\x0f\x4c\xc1"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(SF | OF, 0) },
	{ "ja", B("\x77\x00"), OK(2, JCC), .chk = C_FLAGS, FL(CF | ZF, 0) },
	{ "jg", B("\x7f\x00"), OK(2, JCC), .chk = C_FLAGS,
	  FL(ZF | SF | OF, 0) },
	{ "jp", B("\x7a\x00"), OK(2, JCC), .chk = C_FLAGS, FL(PF, 0) },
	{ "mov", B("\x89\xc0"), OK(2, NEXT), .chk = C_FLAGS, FL(0, 0) },
	{ "bt reg", B("\x0f\xa3\xc8"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, CF | PF | AF | SF | OF) },
	{ "bsf", B("\x0f\xbc\xc1"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "imul 2-operand", B("\x0f\xaf\xc1"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "ucomisd", B("\x66\x0f\x2e\xc1"), OK(4, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "ptest", B("\x66\x0f\x38\x17\xc1"), OK(5, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "xadd", B("\x0f\xc1\xc1"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "shl al, 4", B("\xc0\xe0\x04"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "shl eax, 0: no flags", B("\xc1\xe0\x00"), OK(3, NEXT),
	  .chk = C_FLAGS, FL(0, 0) },
	{ "shl eax, 32: count masked to 0", B("\xc1\xe0\x20"), OK(3, NEXT),
	  .chk = C_FLAGS, FL(0, 0) },
	{ "shl rax, 32", B("\x48\xc1\xe0\x20"), OK(4, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "shl eax, 1", B("\xd1\xe0"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(0, ARITH) },
	{ "shl eax, cl: conditional", B("\xd3\xe0"), OK(2, NEXT),
	  .chk = C_FLAGS, FL(ARITH, ARITH) },
	{ "rcl eax, 1", B("\xd1\xd0"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(CF, CF | OF) },
	{ "rol eax, 3", B("\xc1\xc0\x03"), OK(3, NEXT), .chk = C_FLAGS,
	  FL(0, CF | OF) },
	{ "ror eax, cl", B("\xd3\xc8"), OK(2, NEXT), .chk = C_FLAGS,
	  FL(CF | OF, CF | OF) },
	{ "shld eax, edx, 4", B("\x0f\xa4\xd0\x04"), OK(4, NEXT),
	  .chk = C_FLAGS, FL(0, ARITH) },
	{ "shrd eax, edx, 0", B("\x0f\xac\xd0\x00"), OK(4, NEXT),
	  .chk = C_FLAGS, FL(0, 0) },
	{ "shld eax, edx, cl", B("\x0f\xa5\xd0"), OK(3, NEXT),
	  .chk = C_FLAGS, FL(ARITH, ARITH) },
	{ "lar", B("\x0f\x02\xc1"), OK(3, NEXT), .chk = C_FLAGS, FL(0, ZF) },
	{ "syscall reads all", B("\x0f\x05"), OK(2, SYSTEM), .chk = C_FLAGS,
	  FL(ALL, 0) },
};

static char *hex(const char *b, unsigned int n)
{
	static char buf[64];
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < n && i < 20; i++)
		sprintf(buf + 3 * i, "%02x ", (u8)b[i]);
	return buf;
}

/* the guard page: bytes placed right before it fault if read past */
static u8 *page_end;

static int decode_at_end(struct jit_insn *insn, const void *b, unsigned int n)
{
	u8 *p = page_end - n;

	memcpy(p, b, n);
	return jit_decode(insn, p, n, PC);
}

static int check_vec(const struct vec *v)
{
	struct jit_insn in;
	int ret = decode_at_end(&in, v->b, v->n);
	int good = 1;

#define EXPECT(cond) do {						\
		if (!(cond)) {						\
			diag("  %s: failed: %s", v->desc, #cond);	\
			good = 0;					\
		}							\
	} while (0)

	EXPECT(ret == v->ret);
	if (ret != v->ret || ret < 0)
		return good;
	EXPECT(in.len == ret);
	EXPECT(in.pc == PC);
	EXPECT(in.flow == v->flow);
	if (jit_flow_is_branch(in.flow) || v->chk & C_TARGET) {
		EXPECT(in.rel_off && in.rel_size);
		EXPECT(in.rel_off + in.rel_size == in.len ||
		       in.opcode == 0xc7);
	} else {
		EXPECT(in.target == 0 || in.flow == JIT_FLOW_SYSTEM);
	}
	if (v->chk & C_TARGET) {
		EXPECT(in.target == PC + v->target);
		EXPECT(in.rel_off == v->rel_off);
		EXPECT(in.rel_size == v->rel_size);
	}
	if (v->chk & C_DISP) {
		EXPECT(in.disp_off == v->disp_off);
		EXPECT(in.disp_size == v->disp_size);
		EXPECT(in.disp == v->disp);
	}
	if (v->chk & C_IMM) {
		EXPECT(in.imm_off == v->imm_off);
		EXPECT(in.imm_size == v->imm_size);
		EXPECT(in.imm == v->imm);
	}
	if (v->chk & C_FLAGS) {
		EXPECT(in.flags_read == v->fr);
		EXPECT(in.flags_written == v->fw);
	}
	if (v->chk & C_OS)
		EXPECT(in.operand_size == v->os);
	EXPECT((in.attr & v->attr) == v->attr);
	EXPECT(!(in.attr & v->noattr));
	if (in.attr & JIT_ATTR_RIPREL)
		EXPECT(in.disp_size == 4 && in.disp_off);
	if (in.attr & JIT_ATTR_MODRM)
		EXPECT(in.modrm == (u8)v->b[in.modrm_off]);
	EXPECT(in.opcode == (u8)v->b[in.opcode_off]);
#undef EXPECT
	if (!good)
		diag("  got len %d flow %s target %#llx rel %u/%u disp %u/%u imm %u/%u=%lld fl r %#x w %#x os %u attr %#x",
		     ret, jit_flow_name(in.flow),
		     (unsigned long long)in.target, in.rel_off, in.rel_size,
		     in.disp_off, in.disp_size, in.imm_off, in.imm_size,
		     (long long)in.imm, in.flags_read, in.flags_written,
		     in.operand_size, in.attr);
	return good;
}

/*
 * Every shorter prefix of a valid instruction is TRUNCATED (read at the end
 * of the page: an over-read faults); the same bytes followed by anything
 * decode the same; the output does not depend on what was in *insn.
 */
static int check_trunc(const struct vec *v)
{
	static const u8 fill[] = { 0x00, 0x90, 0xcc, 0xff, 0x0f, 0x66 };
	struct jit_insn a, b;
	u8 buf[32];
	unsigned int n, f;
	int ret, good = 1;

	ret = decode_at_end(&a, v->b, v->n);
	for (n = 0; n < v->n; n++) {
		int r = decode_at_end(&b, v->b, n);

		if (ret > 0 && r != JIT_DECODE_TRUNCATED) {
			diag("  %s: avail %u: got %d, want truncated",
			     v->desc, n, r);
			good = 0;
		}
		if (ret == JIT_DECODE_INVALID && r != JIT_DECODE_TRUNCATED &&
		    r != JIT_DECODE_INVALID) {
			diag("  %s: avail %u: got %d, want truncated/invalid",
			     v->desc, n, r);
			good = 0;
		}
	}
	for (f = 0; f < sizeof(fill); f++) {
		memset(buf, fill[f], sizeof(buf));
		memcpy(buf, v->b, v->n);
		memset(&b, 0xa5, sizeof(b));
		if (jit_decode(&b, buf, sizeof(buf), PC) != ret ||
		    (ret > 0 && memcmp(&a, &b, sizeof(a)))) {
			diag("  %s: differs when followed by %02x bytes",
			     v->desc, fill[f]);
			good = 0;
		}
	}
	return good;
}

/* all two-byte openings, followed by a few tails: sane results only */
static int sweep_2byte(void)
{
	static const u8 tails[][14] = {
		{ 0 },
		{ 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 },
		{ 0x84, 0x24, 0xff, 0xff, 0xff, 0xff, 0x80, 0x80, 0x80, 0x80 },
		{ 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff },
	};
	unsigned int i, t, bad = 0, valid = 0, total = 0;
	struct jit_insn in;
	u8 buf[16];

	for (t = 0; t < ARRAY_SIZE(tails); t++) {
		for (i = 0; i < 0x10000; i++) {
			int r, r2;

			buf[0] = i >> 8;
			buf[1] = i;
			memcpy(buf + 2, tails[t], 14);
			r = jit_decode(&in, buf, 16, PC);
			total++;
			if (r > 0) {
				valid++;
				r2 = decode_at_end(&in, buf, r);
				if (r > JIT_INSN_MAX_LEN || r2 != r ||
				    in.len != r) {
					if (bad++ < 10)
						diag("  sweep %s: %d then %d",
						     hex((char *)buf, 16), r, r2);
				}
			} else if (r != JIT_DECODE_INVALID) {
				if (bad++ < 10)
					diag("  sweep %s: %d with 16 bytes",
					     hex((char *)buf, 16), r);
			}
		}
	}
	diag("sweep: %u decodes, %u valid", total, valid);
	return !bad;
}

int main(void)
{
	unsigned int i, n = ARRAY_SIZE(vecs);
	long psz = sysconf(_SC_PAGESIZE);
	u8 *map;

	map = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + psz, psz, PROT_NONE))
		plan_skip_all("cannot set up a guard page");
	page_end = map + psz;

	plan(2 * n + 3);
	for (i = 0; i < n; i++)
		ok(check_vec(&vecs[i]), "%s: %s", vecs[i].desc,
		   hex(vecs[i].b, vecs[i].n));
	for (i = 0; i < n; i++)
		ok(check_trunc(&vecs[i]), "%s: truncation, prefix-closed",
		   vecs[i].desc);
	{
		struct jit_insn in;

		ok(decode_at_end(&in, "", 0) == JIT_DECODE_TRUNCATED,
		   "empty input is truncated");
	}
	ok(!strcmp(jit_flow_name(JIT_FLOW_CALL_IND), "call_ind") &&
	   !strcmp(jit_flow_name(JIT_FLOW_NR), "?") &&
	   !strcmp(jit_flow_name(JIT_FLOW_JCC), "jcc"), "jit_flow_name");
	ok(sweep_2byte(), "all two-byte openings: sane length, no over-read");
	return done_testing();
}
