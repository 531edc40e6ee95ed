// SPDX-License-Identifier: GPL-2.0
/*
 * EFLAGS liveness for the block translator.
 *
 * Instrumentation that changes flags (inc, the and of a clean call's stack
 * alignment) must save and restore them only where some later instruction
 * reads them before rewriting them.  Saving costs a pushf/popf pair (popf is
 * slow: it is serialising for some bits), so the answer matters on every
 * block.  Within a block the analysis is exact backward dataflow over the
 * decoder's read/written sets; past the block it looks a bounded distance
 * into the successors and otherwise assumes every flag is read.
 *
 * Two ABI facts are used: flags are neither arguments nor results of
 * functions, so they are dead at a call's target and after a ret.  Code
 * that passes values in flags across call/ret (none in the SysV ABI or the
 * kernel's C) would need its blocks marked untranslatable.
 */
#include "translate_priv.h"

/* How far the successor scan goes before giving up (instructions) */
#define LIVENESS_SCAN_MAX	16

unsigned int jit_insn_flags_killed(const struct jit_insn *insn)
{
	if (insn->map == JIT_MAP_1BYTE) {
		/* shift/rotate group 2 by %cl: count 0 writes nothing */
		if (insn->opcode == 0xd2 || insn->opcode == 0xd3)
			return 0;
		/* by imm8: count masked to 0 writes nothing either */
		if ((insn->opcode == 0xc0 || insn->opcode == 0xc1) &&
		    !(insn->imm & 0x3f))
			return 0;
	}
	/* shld/shrd by %cl */
	if (insn->map == JIT_MAP_0F &&
	    (insn->opcode == 0xa5 || insn->opcode == 0xad))
		return 0;
	return insn->flags_written;
}

unsigned int jit_flags_live_in(const struct jit_host *host, u64 pc)
{
	unsigned int live = 0, killed = 0;
	unsigned int i;

	for (i = 0; i < LIVENESS_SCAN_MAX; i++) {
		struct jit_insn insn;
		u8 code[JIT_INSN_MAX_LEN];
		unsigned int avail;
		u64 target;

		if (host->untranslatable && host->untranslatable(host->priv, pc))
			break;
		/* a static branch site is an asm goto, which clobbers them */
		if (host->static_branch &&
		    host->static_branch(host->priv, pc, &target))
			return live;
		avail = host->read_code(host->priv, pc, code, sizeof(code));
		if (!avail || jit_decode(&insn, code, avail, pc) <= 0)
			break;
		live |= insn.flags_read & ~killed;
		switch (insn.flow) {
		case JIT_FLOW_RET:
		case JIT_FLOW_CALL:
		case JIT_FLOW_CALL_IND:
			/* ABI: nothing past here reads these flags */
			return live;
		case JIT_FLOW_NEXT:
			killed |= jit_insn_flags_killed(&insn);
			/* DF is rarely rewritten: decide on the arithmetic */
			if ((killed & JIT_EFL_ARITH) == JIT_EFL_ARITH)
				return live | (JIT_EFL_DF & ~killed);
			pc += insn.len;
			continue;
		case JIT_FLOW_JMP:
			/* one successor: follow it (switch cases join) */
			pc = insn.target;
			continue;
		default:
			/* other transfers: unknown successors read the rest */
			break;
		}
		break;
	}
	return live | (JIT_EFL_ALL & ~killed);
}

/*
 * General-purpose registers (README "Registers").  Counters need a scratch
 * register for their per-CPU offset; one that the block overwrites before
 * reading it costs no save.  The answer must be exact, so the decoder's
 * instructions are sorted into a known set, whose reads and overwrites
 * are listed below, and everything else, which ends the search.
 */

/* bit n: register n (enum jit_reg) */
#define GPR(r)		((u16)(1u << (r)))
#define GPR_RAX		GPR(0)
#define GPR_RCX		GPR(1)
#define GPR_RDX		GPR(2)
#define GPR_RSP		GPR(4)
#define GPR_RBP		GPR(5)

struct gpr_use {
	const struct jit_insn *in;
	u16 read;
	u16 written;
};

/* operand size of the "v" forms: REX.W 8, else 66 2, else 4 */
static unsigned int size_v(const struct jit_insn *in)
{
	if (in->rex & 8)
		return 8;
	return (in->attr & JIT_ATTR_OPSIZE) ? 2 : 4;
}

/* a register operand of @size bytes: without REX, byte registers 4-7 are %ah-%bh */
static u16 reg_bit(const struct jit_insn *in, unsigned int r, unsigned int size)
{
	if (size == 1 && !in->rex && r >= 4 && r < 8)
		r -= 4;
	return GPR(r);
}

/* reading register @r, @size bytes of it */
static void use_read(struct gpr_use *u, unsigned int r, unsigned int size)
{
	u->read |= reg_bit(u->in, r, size);
}

/*
 * Writing register @r: 8 bytes, or 4 (zero-extended), replace it whole;
 * 1 or 2 keep the rest, which counts as a read.
 */
static void use_write(struct gpr_use *u, unsigned int r, unsigned int size)
{
	if (size >= 4)
		u->written |= GPR(r);
	else
		u->read |= reg_bit(u->in, r, size);
}

/* the registers a ModRM memory operand's address reads */
static u16 addr_regs(const struct jit_insn *in)
{
	unsigned int base, index;
	u16 m = 0;

	if (in->attr & JIT_ATTR_RIPREL)
		return 0;
	if (!(in->attr & JIT_ATTR_SIB))
		return GPR(jit_modrm_rm(in));
	base = (in->sib & 7) | ((in->rex & 1) << 3);
	index = ((in->sib >> 3) & 7) | ((in->rex & 2) << 2);
	if (!((in->sib & 7) == 5 && jit_modrm_mod(in) == 0))
		m |= GPR(base);
	if (index != 4)			/* 100 without REX.X: no index */
		m |= GPR(index);
	return m;
}

static bool rm_is_reg(const struct jit_insn *in)
{
	return jit_modrm_mod(in) == 3;
}

/* the r/m operand is read (@size bytes if a register) */
static void rm_read(struct gpr_use *u, unsigned int size)
{
	if (rm_is_reg(u->in))
		use_read(u, jit_modrm_rm(u->in), size);
	else
		u->read |= addr_regs(u->in);
}

/* the r/m operand is written without being read */
static void rm_write(struct gpr_use *u, unsigned int size)
{
	if (rm_is_reg(u->in))
		use_write(u, jit_modrm_rm(u->in), size);
	else
		u->read |= addr_regs(u->in);
}

static void reg_read(struct gpr_use *u, unsigned int size)
{
	use_read(u, jit_modrm_reg(u->in), size);
}

static void reg_write(struct gpr_use *u, unsigned int size)
{
	use_write(u, jit_modrm_reg(u->in), size);
}

/* add/or/adc/sbb/and/sub/xor/cmp, forms 0-5 (00-3d) */
static void gprs_alu(struct gpr_use *u)
{
	const struct jit_insn *in = u->in;
	unsigned int op = in->opcode, form = op & 7, alu = op >> 3;
	unsigned int size = (form & 1) ? size_v(in) : 1;

	if (form >= 4) {			/* %al/%eax, imm */
		use_read(u, 0, size);
		return;
	}
	/* xor/sub %r,%r of 4 or 8 bytes: a zero idiom, reads nothing */
	if ((alu == 5 || alu == 6) && (form & 1) && rm_is_reg(in) &&
	    jit_modrm_reg(in) == jit_modrm_rm(in) && size >= 4) {
		use_write(u, jit_modrm_rm(in), size);
		return;
	}
	reg_read(u, size);
	rm_read(u, size);
}

static bool gprs_1byte(struct gpr_use *u)
{
	const struct jit_insn *in = u->in;
	unsigned int op = in->opcode, r = (op & 7) | ((in->rex & 1) << 3);
	unsigned int ext = (in->modrm >> 3) & 7;

	if (op < 0x40 && (op & 7) <= 5) {
		gprs_alu(u);
		return true;
	}
	switch (op) {
	case 0x50 ... 0x57:			/* push %r */
		use_read(u, r, 8);
		u->read |= GPR_RSP;
		return true;
	case 0x58 ... 0x5f:			/* pop %r */
		u->read |= GPR_RSP;
		use_write(u, r, (in->attr & JIT_ATTR_OPSIZE) ? 2 : 8);
		return true;
	case 0x63:				/* movsxd */
		rm_read(u, 4);
		reg_write(u, size_v(in));
		return true;
	case 0x68: case 0x6a:			/* push $imm */
		u->read |= GPR_RSP;
		return true;
	case 0x69: case 0x6b:			/* imul $imm, r/m, %r */
		rm_read(u, size_v(in));
		reg_write(u, size_v(in));
		return true;
	case 0x80: case 0x81: case 0x83:	/* group 1, imm */
		rm_read(u, op == 0x80 ? 1 : size_v(in));
		return true;
	case 0x84: case 0x85:			/* test */
	case 0x86: case 0x87:			/* xchg: both read */
		reg_read(u, op & 1 ? size_v(in) : 1);
		rm_read(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0x88: case 0x89:			/* mov %r, r/m */
		reg_read(u, op & 1 ? size_v(in) : 1);
		rm_write(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0x8a: case 0x8b:			/* mov r/m, %r */
		rm_read(u, op & 1 ? size_v(in) : 1);
		reg_write(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0x8d:				/* lea */
		if (rm_is_reg(in))
			return false;
		u->read |= addr_regs(in);
		reg_write(u, size_v(in));
		return true;
	case 0x90:				/* nop; with REX.B xchg */
		return !(in->rex & 1);
	case 0x98:				/* cbw/cwde/cdqe */
		use_read(u, 0, 8);
		return true;
	case 0x99:				/* cwd/cdq/cqo */
		use_read(u, 0, 8);
		use_write(u, 2, size_v(in));
		return true;
	case 0xa8: case 0xa9:			/* test $imm, %al/%eax */
		use_read(u, 0, 8);
		return true;
	case 0xb0 ... 0xb7:			/* mov $imm8, %r8 */
		use_read(u, r, 1);
		return true;
	case 0xb8 ... 0xbf:			/* mov $imm, %r */
		use_write(u, r, size_v(in));
		return true;
	case 0xc0: case 0xc1: case 0xd0: case 0xd1:	/* shifts by imm, 1 */
		rm_read(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0xd2: case 0xd3:			/* shifts by %cl */
		rm_read(u, op & 1 ? size_v(in) : 1);
		use_read(u, 1, 1);
		return true;
	case 0xc6: case 0xc7:			/* mov $imm, r/m */
		if (ext)
			return false;		/* xabort, xbegin */
		rm_write(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0xf5: case 0xf8: case 0xf9: case 0xfc: case 0xfd:
		return true;			/* cmc clc stc cld std */
	case 0xf6: case 0xf7:			/* group 3 */
		if (ext >= 4)
			return false;		/* mul/div: %rax, %rdx */
		rm_read(u, op & 1 ? size_v(in) : 1);
		return true;
	case 0xfe: case 0xff:			/* inc/dec, push r/m */
		if (ext >= 2 && !(op == 0xff && ext == 6))
			return false;
		rm_read(u, op & 1 ? size_v(in) : 1);
		if (ext == 6)
			u->read |= GPR_RSP;
		return true;
	}
	return false;
}

static bool gprs_0f(struct gpr_use *u)
{
	const struct jit_insn *in = u->in;
	unsigned int op = in->opcode;
	unsigned int r = (op & 7) | ((in->rex & 1) << 3);

	/*
	 * Hint nops (endbr64 is f3 0f 1e fa) and prefetches: an address
	 * that only a prefetch uses, and it never faults.
	 */
	if (op == 0x0d || (op >= 0x18 && op <= 0x1f))
		return true;
	/* f2/f3 make other opcodes other instructions (popcnt, tzcnt...) */
	if (in->attr & (JIT_ATTR_REP | JIT_ATTR_REPNE))
		return false;
	switch (op) {
	case 0x40 ... 0x4f:			/* cmovcc: both read */
	case 0xa3: case 0xab: case 0xb3: case 0xbb:	/* bt bts btr btc */
	case 0xaf:				/* imul r/m, %r */
	case 0xbc: case 0xbd:			/* bsf bsr: src 0 keeps dest */
	case 0xc0: case 0xc1:			/* xadd */
		reg_read(u, op == 0xc0 ? 1 : size_v(in));
		rm_read(u, op == 0xc0 ? 1 : size_v(in));
		return true;
	case 0xb0: case 0xb1:			/* cmpxchg: %rax too */
		reg_read(u, op == 0xb0 ? 1 : size_v(in));
		rm_read(u, op == 0xb0 ? 1 : size_v(in));
		use_read(u, 0, 8);
		return true;
	case 0x90 ... 0x9f:			/* setcc r/m8 */
		rm_write(u, 1);
		return true;
	case 0xba:				/* bt* $imm */
		if (((in->modrm >> 3) & 7) < 4)
			return false;
		rm_read(u, size_v(in));
		return true;
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:	/* movzx movsx */
		rm_read(u, op & 1 ? 2 : 1);
		reg_write(u, size_v(in));
		return true;
	case 0xc8 ... 0xcf:			/* bswap */
		use_read(u, r, 8);
		return true;
	}
	return false;
}

bool jit_insn_gprs(const struct jit_insn *insn, u16 *read, u16 *written)
{
	struct gpr_use u = { .in = insn };
	bool known = false;

	if (insn->flow == JIT_FLOW_NEXT &&
	    !(insn->attr & (JIT_ATTR_VEX | JIT_ATTR_EVEX | JIT_ATTR_XOP |
			    JIT_ATTR_3DNOW | JIT_ATTR_PRIV))) {
		if (insn->map == JIT_MAP_1BYTE)
			known = gprs_1byte(&u);
		else if (insn->map == JIT_MAP_0F)
			known = gprs_0f(&u);
	}
	if (!known) {
		*read = 0xffff;
		*written = 0;
		return false;
	}
	*read = u.read;
	*written = u.written & ~u.read;
	return true;
}

u16 jit_dead_gprs(const struct jit_translator *t)
{
	const struct jit_host *h = t->host;
	unsigned int i, n = t->blk->nr_insns;
	u16 read = 0, dead = 0, rd, wr;

	for (i = t->cur; i < n; i++) {
		const struct jit_insn *in = &t->insns[i];

		/* a terminator leaves the block (static branch sites are nops) */
		if (i == n - 1 && t->term != JIT_TERM_NONE)
			break;
		/* a fault there goes to a fixup, which may read anything */
		if (h->fixup && h->fixup(h->priv, in->pc))
			break;
		if (!jit_insn_gprs(in, &rd, &wr))
			break;
		read |= rd;
		dead |= wr & ~read;
	}
	return dead & ~(GPR_RSP | GPR_RBP);
}

/*
 * Flags live when the block is left: a scan of its successors' code
 * (jit_flags_live_in()), the costliest part of the liveness, so it runs
 * only when a question about a live flag depends on it.
 */
static unsigned int live_out(struct jit_translator *t)
{
	const struct jit_host *h = t->host;
	const struct jit_block *blk = t->blk;
	const struct jit_insn *last = &t->insns[blk->nr_insns - 1];
	u64 next = blk->native_start + blk->native_len;
	unsigned int live;

	if (t->live_out_done)
		return t->live_out;
	switch (t->term) {
	case JIT_TERM_JMP:
		live = jit_flags_live_in(h, last->target);
		break;
	case JIT_TERM_JCC:
		live = jit_flags_live_in(h, last->target) |
		       jit_flags_live_in(h, next);
		break;
	case JIT_TERM_STATIC:
		/* an asm goto: the compiler assumes the flags clobbered */
		live = 0;
		break;
	case JIT_TERM_CALL:
	case JIT_TERM_CALL_IND:
	case JIT_TERM_RET:
		live = 0;
		break;
	case JIT_TERM_NONE:
		live = blk->end == JIT_END_SIZE ? jit_flags_live_in(h, next) :
						  JIT_EFL_ALL;
		break;
	default:
		live = JIT_EFL_ALL;
		break;
	}
	t->live_out = live;
	t->live_out_done = true;
	return live;
}

/*
 * Phase 2 (README "Flags"), on the first question: backward dataflow
 * within the block, kept in two parts so that the successors need not be
 * scanned when the block decides the answer itself: before instruction i,
 * live[i] is what the block reads before rewriting it (as if nothing were
 * live at its end) and live_pass[i] what it leaves unwritten up to its
 * end, so that the flags live there are live[i] | (live_pass[i] & out).
 */
static void compute_liveness(struct jit_translator *t)
{
	unsigned int n = t->blk->nr_insns, i;
	unsigned int live = 0, pass = 0xff;

	t->live[n] = 0;
	t->live_pass[n] = pass;
	for (i = n; i-- > 0;) {
		const struct jit_insn *in = &t->insns[i];
		unsigned int killed = jit_insn_flags_killed(in);

		live = in->flags_read | (live & ~killed);
		pass &= ~killed;
		t->live[i] = live;
		t->live_pass[i] = pass;
	}
	t->live_done = true;
}

unsigned int jit_live_flags_at(struct jit_translator *t, unsigned int i,
			       unsigned int mask)
{
	unsigned int live;

	if (!t->live_done)
		compute_liveness(t);
	live = t->live[i] & mask;
	/* the flags only the successors can tell about */
	if (t->live_pass[i] & mask & ~live)
		live |= live_out(t) & t->live_pass[i] & mask;
	return live;
}

unsigned int jit_live_flags(struct jit_translator *t)
{
	return jit_live_flags_at(t, t->cur, JIT_EFL_ALL);
}

unsigned int jit_live_flags_among(struct jit_translator *t, unsigned int mask)
{
	return jit_live_flags_at(t, t->cur, mask);
}
