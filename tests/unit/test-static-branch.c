// SPDX-License-Identifier: GPL-2.0
/*
 * Static branch (jump label) sites in translated code follow the site's
 * current bytes: a block translated while its site was a nop must take the
 * jmp once the site is rewritten, without being translated again, and the
 * reverse.  The test builds native code in an RWX mapping, translates a
 * block into the same mapping (rel32 reach), runs it, rewrites the site
 * as the kernel's jump-label code does, and runs the same translation again.
 * A host that follows the key itself (jit_host.static_branch_state) gets a
 * direct jmp instead, which it repoints with jit_static_branch_set().
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "jit/translate.h"
#include "jit-test-host.h"
#include "tap.h"

#define MAP_SIZE	65536
#define NATIVE_OFF	0
#define CACHE_OFF	32768

/* native layout */
#define SITE		0x00	/* mov $v,%ecx; site; jmp NEXT_RET1 */
#define PRE		5	/* bytes before the site */
#define NEXT_RET1	0x40	/* lea 10(%rcx),%eax; ret */
#define TARGET_RET2	0x80	/* lea 20(%rcx),%eax; ret */

static uint8_t *mem;
static uint64_t site_pc, site_target;
static bool host_says_site = true;

static unsigned int read_code(void *priv, u64 pc, u8 *buf, unsigned int len)
{
	uint64_t lo = (uint64_t)mem + NATIVE_OFF;

	(void)priv;
	return jit_test_read_range(mem + NATIVE_OFF, lo, lo + CACHE_OFF, pc,
				   buf, len);
}

/* the fall-through after the site: native, unless translatable_next */
static bool translatable_next;
/* the site's jmp target is translatable: its exit gets a stub */
static bool translatable_target;

/* Everything but the first block runs natively: exits are plain jmps. */
static bool untranslatable(void *priv, u64 pc)
{
	(void)priv;
	if (translatable_next && pc == site_pc + 5)
		return false;
	if (translatable_target && pc == site_target)
		return false;
	return pc != (uint64_t)mem + SITE && pc != site_pc;
}

static bool static_branch(void *priv, u64 pc, u64 *target)
{
	(void)priv;
	if (!host_says_site || pc != site_pc)
		return false;
	*target = site_target;
	return true;
}

static void put_tail(uint8_t *p, uint8_t add)
{
	static const uint8_t tail[] = {
		0x8d, 0x41, 0x00,		/* lea imm8(%rcx),%eax */
		0xc3,				/* ret */
	};

	memcpy(p, tail, sizeof(tail));
	p[2] = add;
}

/* mov $v,%ecx: a register value the site's code must keep */
static void put_pre(uint32_t v)
{
	mem[SITE] = 0xb9;
	memcpy(mem + SITE + 1, &v, 4);
}

/*
 * The native layout around the site, the rest int3: "mov $@v,%ecx", the
 * site's address and target, and both tails.
 */
static void put_native(uint32_t v)
{
	memset(mem, 0xcc, CACHE_OFF);
	put_pre(v);
	site_pc = (uint64_t)mem + SITE + PRE;
	site_target = (uint64_t)mem + TARGET_RET2;
	put_tail(mem + NEXT_RET1, 10);
	put_tail(mem + TARGET_RET2, 20);
}

/* The site as the kernel writes it: a jmp to the target or a nop. */
static void write_site(unsigned int len, bool jmp)
{
	uint8_t *p = (uint8_t *)site_pc;

	if (len == 5 && jmp) {
		int32_t rel = (int32_t)(site_target - (site_pc + 5));

		p[0] = 0xe9;
		memcpy(p + 1, &rel, 4);
	} else if (len == 5) {
		memcpy(p, "\x0f\x1f\x44\x00\x00", 5);
	} else if (jmp) {
		p[0] = 0xeb;
		p[1] = (uint8_t)(site_target - (site_pc + 2));
	} else {
		memcpy(p, "\x66\x90", 2);
	}
}

static struct jit_host host = {
	.read_code = read_code,
	.untranslatable = untranslatable,
	.static_branch = static_branch,
	.red_zone = 128,
};

/* Translate the block at SITE; return its cache entry or NULL. */
static long (*translate(void))(void)
{
	static struct jit_translator t;
	struct jit_block blk;
	uint64_t cache = (uint64_t)mem + CACHE_OFF;
	int ret;

	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, (uint64_t)mem + SITE, 0,
				  mem + CACHE_OFF, cache, MAP_SIZE - CACHE_OFF,
				  &blk);
	if (ret <= 0)
		return NULL;
	return (long (*)(void))cache;
}

/*
 * The kernel's sites are asm goto statements, after which EFLAGS are dead
 * (x86 asm clobbers them): the translation may change the flags, but no
 * register.
 */
static void test_site(unsigned int len, uint32_t v)
{
	long (*fn)(void);
	long flag = v;

	put_native(v);
	/* the fall-through path: a jmp to NEXT_RET1 right after the site */
	mem[SITE + PRE + len] = 0xe9;
	{
		int32_t rel = (int32_t)((uint64_t)mem + NEXT_RET1 -
					(site_pc + len + 5));

		memcpy(mem + SITE + PRE + len + 1, &rel, 4);
	}

	write_site(len, false);
	fn = translate();
	if (!ok(fn != NULL, "%u-byte site, %%rcx=%ld: translates", len, flag))
		return;
	ok(fn() == 10 + flag, "%u-byte nop site falls through, %%rcx kept",
	   len);
	write_site(len, true);
	ok(fn() == 20 + flag,
	   "%u-byte site rewritten to jmp: the same translation jumps", len);
	write_site(len, false);
	ok(fn() == 10 + flag, "%u-byte site back to nop: falls through again",
	   len);

	/* mid-poke: int3 in the first byte counts as not taken */
	write_site(len, true);
	mem[site_pc - (uint64_t)mem] = 0xcc;
	ok(fn() == 10 + flag, "%u-byte site holding int3 falls through", len);

	/* translated while the jmp is in: the nop still takes effect */
	write_site(len, true);
	fn = translate();
	ok(fn && fn() == 20 + flag, "%u-byte jmp site translates and jumps",
	   len);
	write_site(len, false);
	ok(fn && fn() == 10 + flag,
	   "%u-byte site rewritten to nop: the same translation falls through",
	   len);
}

static void test_not_a_site(void)
{
	long (*fn)(void);

	/* without the host's word a nop is a nop, copied as it is */
	host_says_site = false;
	put_native(0);
	write_site(5, false);
	mem[SITE + PRE + 5] = 0xe9;
	{
		int32_t rel = (int32_t)((uint64_t)mem + NEXT_RET1 -
					(site_pc + 10));

		memcpy(mem + SITE + PRE + 6, &rel, 4);
	}
	fn = translate();
	write_site(5, true);
	ok(fn && fn() == 10,
	   "an unmarked nop is copied: rewriting the native bytes has no effect");
	host_says_site = true;
}

/*
 * Fall-through layout (JIT_FT_HEAD, as jitrun uses): a site's not-taken
 * way is a fall-through like a jcc's, left to the caller, who puts a jmp
 * to the native code there; only the taken way may need a stub.
 */
static void test_head_layout(void)
{
	static struct jit_translator t;
	struct jit_block blk;
	uint8_t *c = mem + CACHE_OFF;
	uint64_t next;
	int32_t rel;
	int ret;

	put_native(3);
	next = site_pc + 5;
	mem[next - (uint64_t)mem] = 0xe9;
	rel = (int32_t)((uint64_t)mem + NEXT_RET1 - (next + 5));
	memcpy(mem + (next - (uint64_t)mem) + 1, &rel, 4);
	write_site(5, false);
	translatable_next = true;
	host.fallthrough_next = JIT_FT_HEAD;
	memset(c, 0xcc, MAP_SIZE - CACHE_OFF);
	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, (uint64_t)mem + SITE, 0, c,
				  (uint64_t)c, MAP_SIZE - CACHE_OFF, &blk);
	host.fallthrough_next = JIT_FT_EXIT;
	translatable_next = false;
	if (!ok(ret > 0 && blk.ft_next,
		"HEAD layout: the site's block translates and runs off its end (ret %d, ft_next %u)",
		ret, blk.ft_next))
		return;
	/* the caller's part: the fall-through, here a jmp to native code */
	c[ret] = 0xe9;
	rel = (int32_t)(next - ((uint64_t)c + ret + 5));
	memcpy(c + ret + 1, &rel, 4);
	ok(((long (*)(void))(c + blk.entry_off))() == 13,
	   "HEAD layout: a nop site falls through into what follows");
	write_site(5, true);
	ok(((long (*)(void))(c + blk.entry_off))() == 23,
	   "HEAD layout: a jmp site takes its way");
}

/* Where a direct site's jmp goes now */
static uint64_t site_dest(const uint8_t *c, const struct jit_block *blk)
{
	int32_t rel;

	memcpy(&rel, c + blk->sb_off, 4);
	return (uint64_t)c + blk->sb_off + 4 + rel;
}

/* The host's view of the site's state (jit_host.static_branch_state) */
static int host_state;

static int static_branch_state(void *priv, u64 pc)
{
	(void)priv;
	return pc == site_pc ? host_state : -1;
}

/*
 * With jit_host.static_branch_state the site is a direct jmp that the host
 * repoints: rewriting the native bytes alone changes nothing, and
 * jit_static_branch_set() sends the same translation either way.  @layout
 * is the enum jit_ft_mode (HEAD: the fall-through side is what follows
 * the block, here a jmp to the native code).
 */
static void test_direct(unsigned int len, int state, uint8_t layout)
{
	static struct jit_translator t;
	struct jit_block blk;
	uint8_t *c = mem + CACHE_OFF;
	long (*fn)(void);
	uint64_t next;
	int32_t rel;
	int ret;

	put_native(4);
	next = site_pc + len;
	mem[next - (uint64_t)mem] = 0xe9;
	rel = (int32_t)((uint64_t)mem + NEXT_RET1 - (next + 5));
	memcpy(mem + (next - (uint64_t)mem) + 1, &rel, 4);
	write_site(len, state);
	host.static_branch_state = static_branch_state;
	host_state = state;
	host.fallthrough_next = layout;
	translatable_next = layout == JIT_FT_HEAD;
	memset(c, 0xcc, MAP_SIZE - CACHE_OFF);
	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, (uint64_t)mem + SITE, 0, c, (uint64_t)c,
				  MAP_SIZE - CACHE_OFF, &blk);
	host.static_branch_state = NULL;
	host.fallthrough_next = JIT_FT_EXIT;
	translatable_next = false;
	if (!ok(ret > 0 && blk.sb_off && !((uint64_t)c + blk.sb_off & 3) &&
		c[blk.sb_off - 1] == 0xe9,
		"direct %u-byte site (state %d, layout %u): an aligned jmp (ret %d, sb_off %u)",
		len, state, layout, ret, blk.sb_off))
		return;
	if (blk.ft_next) {
		c[ret] = 0xe9;
		rel = (int32_t)(next - ((uint64_t)c + ret + 5));
		memcpy(c + ret + 1, &rel, 4);
	}
	fn = (long (*)(void))(c + blk.entry_off);
	ok(fn() == (state ? 24 : 14),
	   "direct %u-byte site: runs the side of its state", len);
	/* the host's part after translating: past the side's own jmp */
	ok(jit_static_branch_set(&blk, c, state) && blk.sb_taken == state &&
	   site_dest(c, &blk) == (state ? site_target :
				   blk.ft_next ? (uint64_t)c + ret : next) &&
	   fn() == (state ? 24 : 14),
	   "direct %u-byte site: set goes straight where its side goes", len);
	write_site(len, !state);
	ok(fn() == (state ? 24 : 14),
	   "direct %u-byte site: native bytes alone change nothing", len);
	ok(jit_static_branch_set(&blk, c, !state) && fn() == (state ? 14 : 24),
	   "direct %u-byte site repointed to the other side", len);
	write_site(len, state);
	ok(jit_static_branch_set(&blk, c, state) && fn() == (state ? 24 : 14),
	   "direct %u-byte site repointed back", len);
}

/*
 * A side whose exit has a stub: the site goes to the stub, and to the
 * linked destination once the exit is linked and the site set again.
 */
static void test_direct_link(void)
{
	static struct jit_translator t;
	struct jit_block blk;
	uint8_t *c = mem + CACHE_OFF;
	const struct jit_exit *x;
	int ret;

	put_native(5);
	mem[SITE + PRE + 5] = 0xe9;
	{
		int32_t rel = (int32_t)((uint64_t)mem + NEXT_RET1 -
					(site_pc + 10));

		memcpy(mem + SITE + PRE + 6, &rel, 4);
	}
	write_site(5, true);
	host.static_branch_state = static_branch_state;
	host_state = 1;
	translatable_target = true;
	/* stubs call it: never reached here, but it must be in reach */
	host.exit_entry = (uint64_t)mem + 0x100;
	memset(c, 0xcc, MAP_SIZE - CACHE_OFF);
	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, (uint64_t)mem + SITE, 0, c, (uint64_t)c,
				  MAP_SIZE - CACHE_OFF, &blk);
	host.static_branch_state = NULL;
	translatable_target = false;
	host.exit_entry = 0;
	x = ret > 0 && blk.nr_exits == 1 ? &blk.exits[0] : NULL;
	if (!ok(x && x->target == site_target && blk.sb_off,
		"direct site with a stub for its taken side (ret %d)", ret))
		return;
	ok(jit_static_branch_set(&blk, c, true) &&
	   site_dest(c, &blk) == (uint64_t)c + x->stub_off,
	   "taken, the site goes to the exit's stub");
	ok(jit_exit_link(&blk, c, x, site_target) &&
	   jit_static_branch_set(&blk, c, blk.sb_taken) &&
	   site_dest(c, &blk) == site_target &&
	   ((long (*)(void))c)() == 25,
	   "after linking the exit, straight to its destination");
	ok(jit_static_branch_set(&blk, c, false) &&
	   ((long (*)(void))c)() == 15 &&
	   jit_static_branch_set(&blk, c, true) &&
	   ((long (*)(void))c)() == 25,
	   "and repointed both ways");
}

/* Without a state (-1) the site keeps the live test. */
static void test_direct_declined(void)
{
	static struct jit_translator t;
	struct jit_block blk;
	int ret;

	put_native(0);
	write_site(5, false);
	host.static_branch_state = static_branch_state;
	host_state = -1;
	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, (uint64_t)mem + SITE, 0,
				  mem + CACHE_OFF, (uint64_t)mem + CACHE_OFF,
				  MAP_SIZE - CACHE_OFF, &blk);
	host.static_branch_state = NULL;
	ok(ret > 0 && !blk.sb_off && !jit_static_branch_set(&blk, mem, true),
	   "a site without a known state keeps the live test");
}

int main(void)
{
	mem = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		plan_skip_all("no RWX mapping on this system");
	plan(4 * 7 + 1 + 3 + 8 * 6 + 4 + 1);
	test_site(5, 0);
	test_site(5, 7);
	test_site(2, 0);
	test_site(2, 7);
	test_not_a_site();
	test_head_layout();
	test_direct(5, 0, JIT_FT_EXIT);
	test_direct(5, 1, JIT_FT_EXIT);
	test_direct(2, 0, JIT_FT_EXIT);
	test_direct(2, 1, JIT_FT_EXIT);
	test_direct(5, 0, JIT_FT_HEAD);
	test_direct(5, 1, JIT_FT_HEAD);
	test_direct(2, 0, JIT_FT_HEAD);
	test_direct(2, 1, JIT_FT_HEAD);
	test_direct_link();
	test_direct_declined();
	return done_testing();
}
