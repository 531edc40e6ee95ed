// SPDX-License-Identifier: GPL-2.0
/*
 * Block translator: indirect jmp and call sites.  An inline cache per site
 * (hosts with jit_ic set), with the optional inline probe of the host's
 * direct-mapped table, armed by the host after the first miss
 * (jit_ic_link()); else the target pushed for the host's generic lookup.
 * README "Indirect branches".
 */
#include "translate_priv.h"

/* Push the target of an indirect branch: what the lookup routines take */
static void emit_push_target(struct jit_translator *t,
			     const struct jit_insn *in, s32 rsp_adj)
{
	if (t->sc_key)
		jit_emit_sc_push(t);
	else if (t->ind_reg >= 0)
		jit_emit_push_reg(&t->emit, t->ind_reg);
	else
		jit_emit_rm_op(t, in, 0xff, 6, false, rsp_adj);
}

struct jit_ic_config jit_ic;

/*
 * Inline cache site (hosts with jit_ic set), fixed layout from F, the
 * 4-byte aligned field holding -T for the cached native target T, with S
 * the length of the optional inline lookup in the host's direct-mapped
 * table (jit_host.ibl_keys; 0 without, as in the kernel):
 *
 *	[lea -RZ(%rsp),%rsp]		jmp only
 *	push %rcx; push %rdx; mov <operand>,%rdx; [nops]
 *  F-3	lea -T(%rdx),%rcx		flag-free compare:
 *  F+4	jrcxz hit			rel8 0 (off) until the site is armed
 *  F+6	[movzwl %dx,%ecx		the lookup, S bytes: the probe...
 *	 mov keys(,%rcx,8),%rcx
 *	 lea 1(%rcx,%rdx),%rcx		1 exactly on a hit
 *	 loop F+6+S			not taken on a hit
 *	 movzwl %dx,%ecx		...and its hit, straight-line
 *	 mov dests(,%rcx,8),%rcx
 *	 mov %rcx,%fs:slot
 *	 pop %rdx; pop %rcx; [lea RZ(%rsp),%rsp]
 *	 jmp/call *%fs:slot; [call: jmp FT]; nops: S % 4 == 0]
 *F+6+S	mov 8(%rsp),%rcx; mov %rdx,8(%rsp); pop %rdx; nop
 *F+19+S jmp/call miss			rel32 at F+20+S: the stub, then the
 *					host's generic ibl_*_entry
 *F+24+S hit (jmp): pop %rdx; pop %rcx; [lea RZ(%rsp),%rsp]
 *	call: jmp FT; hit: pop %rdx; pop %rcx
 *F+35+S jmp/call cache(T)		rel32 at F+36+S
 *F+40+S nops / call: jmp FT
 *F+42+S call jit_ic.*_miss		the stub: pushes F+47+S
 *F+47+S (call) FT, the fall-through exit
 *
 * The miss stub's return address and its call's target (which tells a
 * jmp site from a call site, hence S) locate every field.  Operands are
 * read once: the target stays in %rdx for the miss path.  The lookup
 * hit runs straight through ("loop" rather than jrcxz: no taken branch
 * but the site's own indirect one; loop is one fast op on AMD Zen) and
 * ends in the site's own indirect branch, so the branch predictor sees
 * one branch per site, as natively, rather than one shared by all sites.
 */
#define IC_JRCXZ	5
#define IC_MISS		20
#define IC_PROBE	18

/*
 * The tail of a site, from F+19+S, by its kind: where its hit path, hit
 * rel32, miss stub and fall-through lie (offsets from F+S).  A call site
 * with the table lookup has its stub before the hit path, so that the
 * hit's call comes last and the callee returns straight into the
 * fall-through block (no jmp FT on the common path):
 *
 *F+19+S call miss			rel32 at F+20+S
 *F+24+S jmp FT				the miss path's continuation
 *F+26+S call jit_ic.call_miss		the stub: pushes F+31+S
 *F+31+S hit: pop %rdx; pop %rcx; nops
 *F+39+S call cache(T)			rel32 at F+40+S
 *F+44+S FT
 */
struct ic_layout {
	u8 hit_code;	/* the hit path: pop %rdx; pop %rcx; [lea] */
	u8 hit;		/* its jmp/call cache(T)'s rel32 */
	u8 stub;	/* call jit_ic.*_miss */
	u8 stub_end;	/* what the stub pushes */
	u8 ft;		/* call sites: the fall-through; 0 for jmp sites */
};

static const struct ic_layout ic_jmp_layout = { 24, 36, 42, 47, 0 };
static const struct ic_layout ic_call_layout = { 26, 36, 42, 47, 47 };
static const struct ic_layout ic_call_lookup_layout = { 31, 40, 26, 31, 44 };

static const struct ic_layout *ic_layout_of(bool jmp, u32 sl)
{
	if (jmp)
		return &ic_jmp_layout;
	return sl ? &ic_call_lookup_layout : &ic_call_layout;
}

/* Bytes of "lea rz(%rsp),%rsp" */
static u32 lea_rsp_len(s32 rz)
{
	return rz ? (jit_fits_s8(rz) ? 5 : 8) : 0;
}

/* Length S of the inline table lookup at a site of host @h, or 0 */
static u32 ic_lookup_len(const struct jit_host *h, bool jmp)
{
	if (!h->ibl_keys || !h->ibl_dests ||
	    !jit_fits_s32((s64)h->ibl_keys) ||
	    !jit_fits_s32((s64)h->ibl_dests +
			  8 * (JIT_IBL_DIRECT - 1)) ||
	    !jit_fits_s32((s64)h->ibl_keys + 8 * (JIT_IBL_DIRECT - 1)))
		return 0;
	/*
	 * probe, movzwl + mov + mov to the slot + 2 pops + jmp/call, then
	 * padding that keeps the patched fields after it 4-byte aligned
	 */
	return (IC_PROBE + 30 +
		(jmp ? lea_rsp_len(h->red_zone) : 2 /* jmp FT */) + 3) & ~3u;
}

static bool ic_usable(const struct jit_translator *t, const struct jit_insn *in)
{
	bool jmp = t->term == JIT_TERM_JMP_IND;

	if (!(jmp ? jit_ic.jmp_miss : jit_ic.call_miss))
		return false;
	if (jmp && t->host->red_zone > 128)
		return false;	/* the hit path's lea must fit its room */
	if (t->sc_key)
		return true;	/* the target comes from memory */
	/* %rsp as the operand moves with our pushes: no cache for it */
	if (t->ind_reg >= 0)
		return t->ind_reg != JIT_RSP;
	return (in->modrm >> 6) != 3 || (in->modrm & 7) != 4 || (in->rex & 1);
}

/* "mov disp32(,%rcx,8),%rcx" */
static void emit_rcx_table(struct jit_emitter *e, u64 table)
{
	static const u8 mov[4] = { 0x48, 0x8b, 0x0c, 0xcd };

	jit_emit_bytes(e, mov, sizeof(mov));
	jit_emit_u32(e, (u32)table);
}

/*
 * The inline lookup at @f + 6, @sl bytes: %rcx and %rdx saved, %rdx = the
 * native target
 */
static void emit_ic_lookup(struct jit_translator *t, bool jmp, s32 rz, u32 f,
			   u32 sl, const struct ic_layout *l)
{
	static const u8 movzwl[3] = { 0x0f, 0xb7, 0xca };
	static const u8 lea_1[5] = { 0x48, 0x8d, 0x4c, 0x11, 0x01 };
	static const u8 mov_slot[5] = { 0x64, 0x48, 0x89, 0x0c, 0x25 };
	static const u8 jmp_slot[4] = { 0x64, 0xff, 0x24, 0x25 };
	static const u8 call_slot[4] = { 0x64, 0xff, 0x14, 0x25 };
	struct jit_emitter *e = &t->emit;
	const struct jit_host *h = t->host;

	jit_emit_bytes(e, movzwl, sizeof(movzwl));
	emit_rcx_table(e, h->ibl_keys);
	jit_emit_bytes(e, lea_1, sizeof(lea_1));
	jit_emit_u8(e, 0xe2);				/* loop F+6+S */
	jit_emit_u8(e, (u8)(sl - IC_PROBE));
	jit_emit_bytes(e, movzwl, sizeof(movzwl));
	emit_rcx_table(e, h->ibl_dests);
	jit_emit_bytes(e, mov_slot, sizeof(mov_slot));
	jit_emit_u32(e, (u32)h->ibl_slot);
	jit_emit_pop_reg(e, JIT_RDX);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_lea_rsp(e, rz);
	jit_emit_bytes(e, jmp ? jmp_slot : call_slot, 4);
	jit_emit_u32(e, (u32)h->ibl_slot);
	if (!jmp) {
		jit_emit_u8(e, 0xeb);			/* jmp FT */
		jit_emit_u8(e, (u8)(f + sl + l->ft - (e->len + 1)));
	}
	if (!e->overflow && e->len <= f + 6 + sl)
		jit_emit_nops(e, f + 6 + sl - e->len);	/* dead padding */
}

/*
 * The site's tail from F+19+S in layout @l: the miss branch (to the stub
 * until the site is armed), [jmp FT], the hit path with its branch (to
 * the stub too: unreachable until armed), the stub, [FT], in the order
 * the layout puts them.
 */
static void emit_ic_tail(struct jit_translator *t, const struct ic_layout *l,
			 bool jmp, s32 rz, u32 fs)
{
	struct jit_emitter *e = &t->emit;
	const u8 *op = jmp ? op_jmp : op_call;
	u64 stub = e->base + fs + l->stub;
	u64 miss = jmp ? jit_ic.jmp_miss : jit_ic.call_miss;

	jit_emit_branch_to(t, op, 1, stub);
	if (l->ft) {			/* the miss call returns here */
		jit_emit_u8(e, 0xeb);
		jit_emit_u8(e, (u8)(l->ft - (IC_MISS + 6)));
	}
	if (l->stub < l->hit_code)
		jit_emit_branch_to(t, op_call, 1, miss);
	jit_emit_pop_reg(e, JIT_RDX);
	jit_emit_pop_reg(e, JIT_RCX);
	jit_emit_lea_rsp(e, rz);
	if (e->overflow)
		return;
	jit_emit_nops(e, fs + l->hit - 1 - e->len);
	jit_emit_branch_to(t, op, 1, stub);
	if (l->stub > l->hit) {
		if (l->ft) {		/* the hit call returns here */
			jit_emit_u8(e, 0xeb);
			jit_emit_u8(e, (u8)(l->ft - (l->hit + 6)));
		} else {
			jit_emit_nops(e, l->stub - (l->hit + 4));
		}
		jit_emit_branch_to(t, op_call, 1, miss);
	}
	if (!e->overflow && e->len != fs + (l->ft ? l->ft : l->stub_end))
		set_error(t, JIT_E_INVAL);
}

static void emit_ic(struct jit_translator *t, const struct jit_insn *in)
{
	static const u8 lea_rcx[3] = { 0x48, 0x8d, 0x8a };
	static const u8 tail[15] = {
		0xe3, 0x00,				/* jrcxz .+2 */
		0x48, 0x8b, 0x4c, 0x24, 0x08,		/* mov 8(%rsp),%rcx */
		0x48, 0x89, 0x54, 0x24, 0x08,		/* mov %rdx,8(%rsp) */
		0x5a, 0x66, 0x90,			/* pop %rdx; nop */
	};
	struct jit_emitter *e = &t->emit;
	bool jmp = t->term == JIT_TERM_JMP_IND;
	s32 rz = jmp ? t->host->red_zone : 0;
	u32 sl = ic_lookup_len(t->host, jmp), f;
	const struct ic_layout *l = ic_layout_of(jmp, sl);

	jit_emit_lea_rsp(e, -rz);
	jit_emit_push_reg(e, JIT_RCX);
	jit_emit_push_reg(e, JIT_RDX);
	if (t->sc_key)
		jit_emit_sc_load(t, JIT_RDX);
	else if (t->ind_reg >= 0)
		jit_emit_mov_reg(e, JIT_RDX, t->ind_reg);
	else
		jit_emit_rm_op(t, in, 0x8b, JIT_RDX, true, rz + 16);
	jit_emit_align_field(e, sizeof(lea_rcx));
	jit_emit_bytes(e, lea_rcx, sizeof(lea_rcx));
	f = e->len;
	/* the fields patched later are 4-byte aligned: atomic stores */
	if (!e->overflow && ((e->base + f + sl + IC_MISS) & 3)) {
		set_error(t, JIT_E_INVAL);
		return;
	}
	jit_emit_u32(e, 0);
	jit_emit_bytes(e, tail, 2);
	if (sl)
		emit_ic_lookup(t, jmp, rz, f, sl, l);
	if (!e->overflow && e->len != f + 6 + sl) {
		set_error(t, JIT_E_INVAL);
		return;
	}
	jit_emit_bytes(e, tail + 2, sizeof(tail) - 2);
	emit_ic_tail(t, l, jmp, rz, f + sl);
}

static void ic_store32(u8 *p, u32 v)
{
#ifdef __KERNEL__
	/* ordered after the fields the site reads once this one is set */
	smp_store_release((u32 *)p, v);
#else
	__atomic_store_n((u32 *)p, v, __ATOMIC_RELEASE);
#endif
}

static void ic_store8(u8 *p, u8 v)
{
#ifdef __KERNEL__
	/* the jrcxz byte arms the site: after the target and hit fields */
	smp_store_release(p, v);
#else
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
#endif
}

bool jit_ic_link(const struct jit_host *h, u8 *wr, u64 stub_ret, u64 target,
		 u64 dest)
{
	/* the stub's call target tells the kind of site, hence its layout */
	s32 stub_rel = (s32)((u32)wr[-4] | (u32)wr[-3] << 8 |
			     (u32)wr[-2] << 16 | (u32)wr[-1] << 24);
	bool call = stub_ret + (s64)stub_rel == jit_ic.call_miss;
	u32 sl = ic_lookup_len(h, !call);
	const struct ic_layout *l = ic_layout_of(!call, sl);
	u8 *f = wr - l->stub_end - sl;
	u64 fpc = stub_ret - l->stub_end - sl;
	u32 hit_field = sl + l->hit;
	u32 hit_code = sl + l->hit_code;
	u64 generic = call ? h->ibl_call_entry : h->ibl_jmp_entry;
	s64 hit = (s64)(dest - (fpc + hit_field + 4));
	s64 miss = (s64)(generic - (fpc + sl + IC_MISS + 4));
	bool armed = false;

	/* armed once: T, then the hit branch, then the jrcxz that uses them */
	if (!f[IC_JRCXZ] && jit_fits_s32((s64)target) &&
	    jit_fits_s32(-(s64)target) && jit_fits_s32(hit)) {
		ic_store32(f, (u32)(0u - (u32)target));
		ic_store32(f + hit_field, (u32)hit);
		ic_store8(f + IC_JRCXZ, (u8)(hit_code - (IC_JRCXZ + 1)));
		armed = true;
	}
	if (jit_fits_s32(miss))
		ic_store32(f + sl + IC_MISS, (u32)miss);
	return armed;
}

/*
 * An indirect jmp (or a tail static call, or a jmp through a retpoline
 * thunk): the inline cache if the host has one, else the generic lookup.
 */
void jit_emit_indirect_jmp(struct jit_translator *t, const struct jit_insn *in)
{
	const struct jit_host *h = t->host;

	if (t->sc_key)
		jit_emit_sc_direct(t, true);
	if (ic_usable(t, in)) {
		emit_ic(t, in);
		return;
	}
	/* the lookup needs the stack; the red zone may be live */
	jit_emit_lea_rsp(&t->emit, -(s32)h->red_zone);
	emit_push_target(t, in, h->red_zone);
	jit_emit_branch_to(t, op_jmp, 1, h->ibl_jmp_entry);
}

/*
 * An indirect call (static call, call through a retpoline thunk).  No red
 * zone skip: the call's own push clobbers it natively too.  The target is
 * computed before anything is pushed, as the call does; our call then
 * pushes the cache continuation, which the lookup keeps as the callee's
 * return address.  The caller emits the fall-through (the return).
 */
void jit_emit_indirect_call(struct jit_translator *t, const struct jit_insn *in)
{
	if (t->sc_key)
		jit_emit_sc_direct(t, false);
	if (ic_usable(t, in)) {
		emit_ic(t, in);
		return;
	}
	emit_push_target(t, in, 0);
	jit_emit_branch_to(t, op_call, 1, t->host->ibl_call_entry);
}
