// SPDX-License-Identifier: GPL-2.0
/*
 * Static call sites in translated code call whatever function their key
 * holds when they run: a block translated while the site called one
 * function must call another once the key (and, as the kernel does it,
 * the site) is updated, without being translated again; a key of 0 makes
 * a call site a nop and a tail-call site a ret, as the kernel's patched
 * forms do.  Each state is also run natively, and the translation must
 * give the native result.  Both indirect-call paths are covered: the
 * plain lookup and the inline cache (armed on the first miss, then
 * missing when the key changes).
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
#define CACHE_OFF	32768
#define MAP_ADDR	0x30000000UL

/* native layout */
#define CALLER		0x00	/* mov $1,%eax; site; add $100,%rax; ret */
#define TAILER		0x20	/* mov $1,%eax; site */
#define FUNC_A		0x40	/* mov $20,%eax; ret */
#define FUNC_B		0x60	/* mov $30,%eax; ret */
#define FUNC_NULL	0x80	/* ret */
#define FUNC_RET0	0xa0	/* xor %eax,%eax; ret */

static uint8_t *mem;
static uint64_t key;		/* the static call's key: the function */
static bool tail_site;

/*
 * The lookups of this test run every target natively.  ibl_call: stack
 * [cache continuation][target]; ibl_jmp: [target][red zone gap].  The
 * inline-cache misses first record the stub's return address (for
 * jit_ic_link()), then do the same.
 */
uint64_t test_stub_ret;
void test_ibl_call(void);
void test_ibl_jmp(void);
void test_ic_call_miss(void);
void test_ic_jmp_miss(void);
asm(".text\n"
    "test_ibl_call:\n"
    "	push %rax\n"
    "	mov 8(%rsp),%rax\n"
    "	xchg %rax,16(%rsp)\n"
    "	mov %rax,8(%rsp)\n"
    "	pop %rax\n"
    "	ret\n"
    "test_ibl_jmp:\n"
    "	ret $128\n"
    "test_ic_call_miss:\n"
    "	push %rax\n"
    "	mov 8(%rsp),%rax\n"
    "	mov %rax,test_stub_ret(%rip)\n"
    "	pop %rax\n"
    "	lea 8(%rsp),%rsp\n"
    "	jmp test_ibl_call\n"
    "test_ic_jmp_miss:\n"
    "	push %rax\n"
    "	mov 8(%rsp),%rax\n"
    "	mov %rax,test_stub_ret(%rip)\n"
    "	pop %rax\n"
    "	lea 8(%rsp),%rsp\n"
    "	ret $128\n");

static unsigned int read_code(void *priv, u64 pc, u8 *buf, unsigned int len)
{
	uint64_t lo = (uint64_t)mem;

	(void)priv;
	return jit_test_read_range(mem, lo, lo + CACHE_OFF, pc, buf, len);
}

static uint64_t site_pc(void)
{
	return (uint64_t)mem + (tail_site ? TAILER : CALLER) + 5;
}

/* Only the first block is translated: every exit goes native. */
static bool untranslatable(void *priv, u64 pc)
{
	(void)priv;
	return pc != site_pc() - 5 && pc != site_pc();
}

static bool static_call(void *priv, u64 pc, u64 *k, bool *tail)
{
	(void)priv;
	if (pc != site_pc())
		return false;
	*k = (uint64_t)&key;
	*tail = tail_site;
	return true;
}

static struct jit_host host = {
	.read_code = read_code,
	.untranslatable = untranslatable,
	.ibl_call_entry = (uint64_t)test_ibl_call,
	.ibl_jmp_entry = (uint64_t)test_ibl_jmp,
	.red_zone = 128,
	.static_call = static_call,
};

/* static_call_update() as the kernel does it: the key, then the site */
static void update(unsigned int func)
{
	uint8_t *p = (uint8_t *)site_pc();
	uint64_t f = func ? (uint64_t)mem + func : 0;
	int32_t rel = (int32_t)(f - (site_pc() + 5));

	key = f;
	if (func == FUNC_RET0 && !tail_site) {
		memcpy(p, "\x2e\x2e\x2e\x31\xc0", 5);
		return;
	}
	if (!func) {
		memcpy(p, tail_site ? "\xc3\xcc\xcc\xcc\xcc" :
				      "\x0f\x1f\x44\x00\x00", 5);
		return;
	}
	p[0] = tail_site ? 0xe9 : 0xe8;
	memcpy(p + 1, &rel, 4);
}

static void build(void)
{
	static const uint8_t mov1[5] = { 0xb8, 1, 0, 0, 0 };
	static const uint8_t add_ret[5] = { 0x48, 0x83, 0xc0, 100, 0xc3 };

	memset(mem, 0xcc, CACHE_OFF);
	memcpy(mem + CALLER, mov1, 5);
	memcpy(mem + CALLER + 10, add_ret, 5);
	memcpy(mem + TAILER, mov1, 5);
	memcpy(mem + FUNC_A, "\xb8\x14\x00\x00\x00\xc3", 6);
	memcpy(mem + FUNC_B, "\xb8\x1e\x00\x00\x00\xc3", 6);
	mem[FUNC_NULL] = 0xc3;
	memcpy(mem + FUNC_RET0, "\x31\xc0\xc3", 3);
	host.static_call_null = (uint64_t)mem + FUNC_NULL;
}

static long (*translate(void))(void)
{
	static struct jit_translator t;
	struct jit_block blk;
	uint64_t cache = (uint64_t)mem + CACHE_OFF;
	int ret;

	memset(mem + CACHE_OFF, 0xcc, MAP_SIZE - CACHE_OFF);
	jit_translator_init(&t, &host, NULL);
	ret = jit_translate_block(&t, site_pc() - 5, 0, mem + CACHE_OFF,
				  cache, MAP_SIZE - CACHE_OFF, &blk);
	if (ret <= 0 || blk.native_len != 10)
		return NULL;
	return (long (*)(void))cache;
}

static long native(void)
{
	return ((long (*)(void))(site_pc() - 5))();
}

/* Run the translation in state @func: it must agree with native code. */
static void check(long (*fn)(void), unsigned int func, long want,
		  const char *what)
{
	long got, nat;

	update(func);
	nat = native();
	got = fn();
	ok(got == want && nat == want, "%s%s: %s (%ld, native %ld)",
	   tail_site ? "tail " : "", jit_ic.call_miss ? "IC" : "lookup", what,
	   got, nat);
}

static void test_sites(bool tail)
{
	long base = tail ? 0 : 100, none = tail ? 1 : 101;
	long (*fn)(void);

	tail_site = tail;
	build();
	update(FUNC_A);
	fn = translate();
	if (!ok(fn != NULL, "%s%s: the site translates", tail ? "tail " : "",
		jit_ic.call_miss ? "IC" : "lookup")) {
		return;
	}
	test_stub_ret = 0;
	check(fn, FUNC_A, base + 20, "calls the function of translation time");
	if (jit_ic.call_miss)
		ok(!test_stub_ret,
		   "%sIC: ... directly, while the key holds it (no cache miss)",
		   tail ? "tail " : "");
	check(fn, FUNC_B, base + 30, "updated: the same translation calls B");
	if (jit_ic.call_miss && test_stub_ret) {
		/* arm the inline cache with B, as the kernel's miss does */
		ok(jit_ic_link(&host, (u8 *)test_stub_ret, test_stub_ret,
			       (uint64_t)mem + FUNC_B, (uint64_t)mem + FUNC_B),
		   "%sIC: armed with B on its first miss", tail ? "tail " : "");
		test_stub_ret = 0;
		check(fn, FUNC_B, base + 30, "armed inline cache hits");
	}
	check(fn, 0, none, "no function: nop (tail: ret)");
	check(fn, FUNC_A, base + 20, "back to A");
	if (!tail)
		check(fn, FUNC_RET0, base,
		      "__static_call_return0 form (xor %eax,%eax)");

	/* translated while the key held 0: a function set later is called */
	update(0);
	fn = translate();
	ok(fn && fn() == none, "%s: translated as nop/ret: %ld",
	   tail ? "tail" : "call", fn ? fn() : -1);
	update(FUNC_B);
	ok(fn && fn() == base + 30 && native() == base + 30,
	   "%s: then updated to B: calls B", tail ? "tail" : "call");
}

static void test_other_forms(void)
{
	long (*fn)(void);

	/* control: without the host's word the call is copied, and stale */
	tail_site = false;
	build();
	update(FUNC_A);
	host.static_call = NULL;
	fn = translate();
	update(FUNC_B);
	ok(fn && fn() == 120 && native() == 130,
	   "control: an unmarked call keeps calling A after the update");
	host.static_call = static_call;

	/* a conditional tail call is not followed: the site runs natively */
	tail_site = true;
	build();
	update(FUNC_A);
	memcpy((uint8_t *)site_pc(), "\x0f\x85\x00\x00\x00\x00", 6);
	fn = translate();
	ok(fn == NULL, "a jcc at a tail-call site is left to native code");
	/* a key address the host does not give: native too */
	tail_site = false;
	build();
	update(FUNC_A);
	host.static_call_null = 0;
	fn = translate();
	ok(fn == NULL, "without a do-nothing function, sites run natively");
}

int main(void)
{
	/* near this static, non-PIE binary: its lookups are within reach */
	mem = mmap((void *)MAP_ADDR, MAP_SIZE,
		   PROT_READ | PROT_WRITE | PROT_EXEC,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem == MAP_FAILED)
		plan_skip_all("no RWX mapping on this system");
	plan(8 + 7 + 11 + 10 + 3);
	test_sites(false);
	test_sites(true);
	jit_ic.call_miss = (uint64_t)test_ic_call_miss;
	jit_ic.jmp_miss = (uint64_t)test_ic_jmp_miss;
	test_sites(false);
	test_sites(true);
	jit_ic.call_miss = 0;
	jit_ic.jmp_miss = 0;
	test_other_forms();
	return done_testing();
}
