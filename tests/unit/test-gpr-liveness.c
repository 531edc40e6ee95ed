// SPDX-License-Identifier: GPL-2.0
/*
 * General-purpose register liveness of the translator core: the registers
 * each known instruction reads and overwrites (jit_insn_gprs()), the
 * registers free at a block's head (jit_dead_gprs()), and the counters
 * jit_insert_counter() then emits in JIT_COUNTER_GS_REG mode: in a free
 * register with nothing saved, or %rax pushed when none is free.
 * Executing such counters is test-jitrun's part (add-gs-reg: exact counts
 * against a single-step oracle).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jit/translate.h"
#include "tap.h"

#define RAX	(1u << JIT_RAX)
#define RCX	(1u << JIT_RCX)
#define RDX	(1u << JIT_RDX)
#define RBX	(1u << JIT_RBX)
#define RSP	(1u << JIT_RSP)
#define RSI	(1u << JIT_RSI)
#define RDI	(1u << JIT_RDI)
#define R8	(1u << JIT_R8)
#define R12	(1u << JIT_R12)
#define R13	(1u << JIT_R13)
#define UNKNOWN	0xffff

struct gpr_case {
	const char *name;
	const char *bytes;
	unsigned int len;
	bool known;
	u16 read;
	u16 written;
};

#define C(name, b, k, r, w)	{ name, b, sizeof(b) - 1, k, r, w }

static const struct gpr_case cases[] = {
	C("mov 0x8(%rdi),%rax", "\x48\x8b\x47\x08", true, RDI, RAX),
	C("mov 0x8(%rdi),%eax", "\x8b\x47\x08", true, RDI, RAX),
	C("mov 0x8(%rdi),%ax (keeps the rest)", "\x66\x8b\x47\x08", true,
	  RDI | RAX, 0),
	C("mov 0x8(%rdi),%al", "\x8a\x47\x08", true, RDI | RAX, 0),
	C("mov 0x8(%rdi),%ah", "\x8a\x67\x08", true, RDI | RAX, 0),
	C("mov 0x8(%rdi),%sil (REX: not %dh)", "\x40\x8a\x77\x08", true,
	  RDI | RSI, 0),
	C("xor %eax,%eax (zero idiom)", "\x31\xc0", true, 0, RAX),
	C("xor %r8d,%r8d", "\x45\x31\xc0", true, 0, R8),
	C("sub %rcx,%rcx", "\x48\x29\xc9", true, 0, RCX),
	C("xor %ax,%ax (16 bits: keeps the rest)", "\x66\x31\xc0", true,
	  RAX, 0),
	C("xor %ecx,%eax", "\x31\xc8", true, RAX | RCX, 0),
	C("and %ecx,%ecx", "\x21\xc9", true, RCX, 0),
	C("lea (%rsi,%rcx,4),%rax", "\x48\x8d\x04\x8e", true, RSI | RCX, RAX),
	C("lea 0x0(,%r12,4),%rax", "\x4a\x8d\x04\xa5\x00\x00\x00\x00", true,
	  R12, RAX),
	C("lea 0x0(%rip),%rax", "\x48\x8d\x05\x00\x00\x00\x00", true, 0, RAX),
	C("mov (%rsp),%r13", "\x4c\x8b\x2c\x24", true, RSP, R13),
	C("mov 0x0(%r13),%rax", "\x49\x8b\x45\x00", true, R13, RAX),
	C("pop %r12", "\x41\x5c", true, RSP, R12),
	C("push %rbx", "\x53", true, RBX | RSP, 0),
	C("add $1,%rax", "\x48\x83\xc0\x01", true, RAX, 0),
	C("cmp %rsi,%rdi", "\x48\x39\xf7", true, RSI | RDI, 0),
	C("cmpl $0,0x10(%rbx)", "\x83\x7b\x10\x00", true, RBX, 0),
	C("movzbl 1(%rdi),%eax", "\x0f\xb6\x47\x01", true, RDI, RAX),
	C("movzbw 1(%rdi),%ax", "\x66\x0f\xb6\x47\x01", true, RDI | RAX, 0),
	C("movslq %edi,%rax", "\x48\x63\xc7", true, RDI, RAX),
	C("mov $5,%ecx", "\xb9\x05\x00\x00\x00", true, 0, RCX),
	C("mov $5,%r8d", "\x41\xb8\x05\x00\x00\x00", true, 0, R8),
	C("mov $-1,%rax", "\x48\xc7\xc0\xff\xff\xff\xff", true, 0, RAX),
	C("mov $1,%al", "\xb0\x01", true, RAX, 0),
	C("movb $1,(%rdi)", "\xc6\x07\x01", true, RDI, 0),
	C("mov %rax,(%rdi)", "\x48\x89\x07", true, RAX | RDI, 0),
	C("mov %rax,%rbx", "\x48\x89\xc3", true, RAX, RBX),
	C("mov %gs:0x28,%rax", "\x65\x48\x8b\x04\x25\x28\x00\x00\x00", true,
	  0, RAX),
	C("shl %cl,%rax", "\x48\xd3\xe0", true, RAX | RCX, 0),
	C("cmove %ecx,%eax (reads both)", "\x0f\x44\xc1", true, RAX | RCX, 0),
	C("sete %al", "\x0f\x94\xc0", true, RAX, 0),
	C("cltd", "\x99", true, RAX, RDX),
	C("cwtd (16 bits)", "\x66\x99", true, RAX | RDX, 0),
	C("cmpxchg %edx,(%rdi)", "\x0f\xb1\x17", true, RAX | RDX | RDI, 0),
	C("test %eax,%eax", "\x85\xc0", true, RAX, 0),
	C("nopl 0x0(%rax,%rax,1)", "\x0f\x1f\x44\x00\x00", true, 0, 0),
	C("endbr64", "\xf3\x0f\x1e\xfa", true, 0, 0),
	C("nop", "\x90", true, 0, 0),
	C("xchg %eax,%r8d", "\x41\x90", false, UNKNOWN, 0),
	C("mul %rcx", "\x48\xf7\xe1", false, UNKNOWN, 0),
	C("popcnt %rdi,%rax", "\xf3\x48\x0f\xb8\xc7", false, UNKNOWN, 0),
	C("rep movsb", "\xf3\xa4", false, UNKNOWN, 0),
	C("vmovdqa (%rdi),%xmm0", "\xc5\xf9\x6f\x07", false, UNKNOWN, 0),
	C("call", "\xe8\x00\x00\x00\x00", false, UNKNOWN, 0),
	C("jmp *%rax", "\xff\xe0", false, UNKNOWN, 0),
	C("rdmsr", "\x0f\x32", false, UNKNOWN, 0),
	C("mov %rax,%cr3", "\x0f\x22\xd8", false, UNKNOWN, 0),
};

static void test_insns(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gpr_case *c = &cases[i];
		struct jit_insn in;
		u16 rd = 0x1234, wr = 0x1234;
		bool known = false;
		int len;

		len = jit_decode(&in, (const u8 *)c->bytes, c->len, 0x1000);
		if (len == (int)c->len)
			known = jit_insn_gprs(&in, &rd, &wr);
		ok(len == (int)c->len && known == c->known &&
		   rd == c->read && wr == c->written,
		   "%s: %s, reads %#x, overwrites %#x (got %s %#x %#x)",
		   c->name, c->known ? "known" : "unknown", c->read,
		   c->written, known ? "known" : "unknown", rd, wr);
	}
}

/* Blocks: native bytes at NATIVE, translated into out[] */
#define NATIVE		0x10000ull
#define CACHE		0x20000ull
#define CTR_OFF		0x123456ull	/* a %gs offset */

static u8 code[256];
static unsigned int code_len;
static u64 fixup_pc, site_pc;
static u16 dead_seen;
static unsigned int live_seen;
static u8 out[4096];

static unsigned int read_code(void *priv, u64 pc, u8 *buf, unsigned int len)
{
	(void)priv;
	if (pc < NATIVE || pc >= NATIVE + code_len)
		return 0;
	if (len > NATIVE + code_len - pc)
		len = NATIVE + code_len - pc;
	memcpy(buf, code + (pc - NATIVE), len);
	return len;
}

/* only the block under test is translated */
static bool untranslatable(void *priv, u64 pc)
{
	(void)priv;
	return pc < NATIVE || pc >= NATIVE + code_len;
}

static bool fixup(void *priv, u64 pc)
{
	(void)priv;
	return fixup_pc && pc == fixup_pc;
}

static bool static_branch(void *priv, u64 pc, u64 *target)
{
	(void)priv;
	if (!site_pc || pc != site_pc)
		return false;
	*target = NATIVE + 0x80;
	return true;
}

static void on_block(void *priv, struct jit_translator *t,
		     const struct jit_block *blk)
{
	(void)priv;
	(void)blk;
	dead_seen = jit_dead_gprs(t);
	live_seen = jit_live_flags(t);
	jit_insert_counter(t, CTR_OFF);
}

static const struct jit_instr_ops ops = { .block = on_block };

static struct jit_host host = {
	.read_code = read_code,
	.untranslatable = untranslatable,
	.red_zone = 0,
	.counter_mode = JIT_COUNTER_GS_REG,
	.fixup = fixup,
	.static_branch = static_branch,
	.exit_entry = NATIVE + 0x1000,
	.exit_call_entry = NATIVE + 0x1010,
	.ibl_jmp_entry = NATIVE + 0x1020,
	.ibl_call_entry = NATIVE + 0x1030,
};

static struct jit_translator xl;

static int translate(const char *bytes, unsigned int len)
{
	struct jit_block blk;

	memcpy(code, bytes, len);
	code_len = len;
	dead_seen = 0xdead;
	jit_translator_init(&xl, &host, &ops);
	return jit_translate_block(&xl, NATIVE, 0, out, CACHE, sizeof(out),
				   &blk);
}

static unsigned int lowest(u16 m)
{
	unsigned int r = 0;

	while (!(m & 1)) {
		m >>= 1;
		r++;
	}
	return r;
}

/*
 * The counter at the block's head: "mov $CTR_OFF,%reg; addq $1,%gs:(%reg)"
 * in the lowest free register, flags saved with lahf/seto around it only
 * if @flags (then %rax and a second register are free), else "push %rax"
 * first.
 */
static bool counter_ok(u16 dead, bool flags)
{
	struct jit_insn in;
	unsigned int off = 0, reg;
	int len;

	if (flags && (!(dead & RAX) || !(dead & ~RAX)))
		return out[0] == 0x50;			/* push %rax */
	if (!flags && !dead)
		return out[0] == 0x50;
	if (flags) {
		if (memcmp(out, "\x9f\x0f\x90\xc0", 4))	/* lahf; seto %al */
			return false;
		off = 4;
		dead &= ~RAX;
	}
	reg = lowest(dead);
	len = jit_decode(&in, out + off, sizeof(out) - off, CACHE + off);
	if (len <= 0 || in.opcode != 0xb8 + (reg & 7) ||
	    (in.rex & 1) != (reg >> 3) || in.imm != (s64)CTR_OFF)
		return false;
	off += len;
	len = jit_decode(&in, out + off, sizeof(out) - off, CACHE + off);
	if (len <= 0 || !(in.attr & JIT_ATTR_SEG_GS) || in.opcode != 0x83 ||
	    jit_modrm_rm(&in) != reg || jit_modrm_mod(&in) == 3 ||
	    in.imm != 1 || (in.attr & JIT_ATTR_SIB && (in.sib & 0x38) != 0x20))
		return false;
	off += len;
	if (flags)
		return !memcmp(out + off, "\x04\x7f\x9e", 3);	/* sahf */
	return true;
}

struct block_case {
	const char *name;
	const char *bytes;
	unsigned int len;
	u16 dead;
	bool flags;		/* flags live at the head */
	unsigned int fixup_at;	/* 1 + offset of a fixup instruction */
	unsigned int site_at;	/* 1 + offset of a static branch site */
};

#define B(name, b, d, f, fx, st)	{ name, b, sizeof(b) - 1, d, f, fx, st }

static const struct block_case blocks[] = {
	B("mov 8(%rdi),%rax; cmp %rax,%rsi; ret",
	  "\x48\x8b\x47\x08\x48\x39\xc6\xc3", RAX, false, 0, 0),
	B("cmp $0,%rax; mov 8(%rdi),%rax; ret: read first",
	  "\x48\x83\xf8\x00\x48\x8b\x47\x08\xc3", 0, false, 0, 0),
	B("mov %rdi,%rcx; mov (%rcx),%rdx; ret",
	  "\x48\x89\xf9\x48\x8b\x11\xc3", RCX | RDX, false, 0, 0),
	B("mov (%rdi),%r12; mov (%r12),%r13; ret: r12 and r13 addressing",
	  "\x4c\x8b\x27\x4d\x8b\x2c\x24\xc3", R12 | R13, false, 0, 0),
	B("mov (%rdi),%r13; ret", "\x4c\x8b\x2f\xc3", R13, false, 0, 0),
	B("mov (%rdi),%r12; ret", "\x4c\x8b\x27\xc3", R12, false, 0, 0),
	B("mul %rcx; mov $1,%eax; ret: unknown first",
	  "\x48\xf7\xe1\xb8\x01\x00\x00\x00\xc3", 0, false, 0, 0),
	B("mov (%rsi),%eax with a fixup; mov $0,%edx; ret",
	  "\x8b\x06\xba\x00\x00\x00\x00\xc3", 0, false, 1, 0),
	B("mov (%rsi),%eax; mov (%rdi),%edx with a fixup; ret",
	  "\x8b\x06\x8b\x17\xc3", RAX, false, 3, 0),
	B("xor %ebp,%ebp; pop %rsp...: never %rbp or %rsp",
	  "\x31\xed\x5c\xc3", 0, false, 0, 0),
	B("jmp *%rax: the terminator reads",
	  "\xff\xe0", 0, false, 0, 0),
	B("xor %eax,%eax; then a static branch site",
	  "\x31\xc0\x0f\x1f\x44\x00\x00", RAX, false, 0, 3),
	B("a static branch site alone (its successors are not looked at)",
	  "\x0f\x1f\x44\x00\x00", 0, false, 0, 1),
	B("mov $1,%ecx; mov $2,%eax; cmove %ecx,%eax; ret: ZF live, lahf/seto",
	  "\xb9\x01\x00\x00\x00\xb8\x02\x00\x00\x00\x0f\x44\xc1\xc3",
	  RAX | RCX, true, 0, 0),
	B("mov $1,%ecx; cmove %ecx,%eax; ret: ZF live, %rax not free",
	  "\xb9\x01\x00\x00\x00\x0f\x44\xc1\xc3", RCX, true, 0, 0),
	B("mov $1,%ecx; adc %ecx,%eax; ret: only CF live, inc keeps it",
	  "\xb9\x01\x00\x00\x00\x11\xc8\xc3", RCX, false, 0, 0),
};

static void test_blocks(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		const struct block_case *b = &blocks[i];
		int ret;

		fixup_pc = b->fixup_at ? NATIVE + b->fixup_at - 1 : 0;
		site_pc = b->site_at ? NATIVE + b->site_at - 1 : 0;
		ret = translate(b->bytes, b->len);
		ok(ret > 0 && dead_seen == b->dead,
		   "%s: free %#x (got %#x, translation %d)", b->name, b->dead,
		   dead_seen, ret);
		if (!strstr(b->name, "only CF"))
			ok(ret > 0 && counter_ok(b->dead, b->flags),
			   "%s: counter %s", b->name,
			   b->dead && (!b->flags || (b->dead & RAX &&
						     b->dead & ~RAX)) ?
			   "in a free register" : "saves %rax");
		else	/* "mov $off,%ecx; incq %gs:(%rcx)" */
			ok(ret > 0 && out[0] == 0xb9 &&
			   !memcmp(out + 5, "\x65\x48\xff\x01", 4),
			   "%s: incq in %%rcx, nothing saved", b->name);
	}
	site_pc = 0;
	fixup_pc = 0;
}

/*
 * Static branch sites are x86 asm goto statements, which the compiler
 * assumes clobber the flags: none are live after one, so a block that
 * is only a site, or whose successor is one, saves no flags for its
 * counter even if the code after the site (here adc) reads CF.
 */
static void test_site_flags(void)
{
	/* site (nop5); adc %ecx,%eax; ret */
	static const char site_first[] = "\x0f\x1f\x44\x00\x00\x11\xc8\xc3";
	/* jmp .+2; site (nop5); adc %ecx,%eax; ret */
	static const char jmp_site[] =
		"\xeb\x00\x0f\x1f\x44\x00\x00\x11\xc8\xc3";
	int ret;

	site_pc = NATIVE;
	ret = translate(site_first, sizeof(site_first) - 1);
	ok(ret > 0 && live_seen == 0 && out[0] == 0x50 && out[1] != 0x9f,
	   "a block of one static branch site: no flags live (got %#x), push %%rax and no lahf",
	   live_seen);
	site_pc = NATIVE + 2;
	ret = translate(jmp_site, sizeof(jmp_site) - 1);
	ok(ret > 0 && live_seen == 0,
	   "a jmp to a static branch site: no flags live (got %#x)",
	   live_seen);
	site_pc = 0;
	ret = translate(jmp_site, sizeof(jmp_site) - 1);
	ok(ret > 0 && (live_seen & JIT_EFL_CF),
	   "control: the same nop not a site: adc's CF live after it (got %#x)",
	   live_seen);
}

int main(void)
{
	test_insns();
	test_blocks();
	test_site_flags();
	return done_testing();
}
