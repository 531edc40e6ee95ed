// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads run both natively and from the code cache: each returns a
 * checksum of what it computed, and must be deterministic (no time, no
 * addresses in the result) so that the two runs can be compared.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads.h"

#define NOINLINE __attribute__((noinline))

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* --- sorting through libc's qsort and a comparator pointer --- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long wl_sort(long n)
{
	uint32_t *v = malloc(n * sizeof(*v));
	char (*s)[16] = malloc(n * sizeof(*s));
	char **p = malloc(n * sizeof(*p));
	uint64_t seed = 42, h = 0;
	long i;

	if (!v || !s || !p)
		return -1;
	for (i = 0; i < n; i++) {
		v[i] = lcg(&seed);
		snprintf(s[i], sizeof(s[i]), "k%lx", (unsigned long)lcg(&seed));
		p[i] = s[i];
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	qsort(p, n, sizeof(*p), cmp_str);
	for (i = 0; i < n; i++) {
		h = mix(h, v[i]);
		h = mix(h, strlen(p[i]) + (uint8_t)p[i][1]);
	}
	for (i = 1; i < n; i++)
		if (v[i - 1] > v[i] || strcmp(p[i - 1], p[i]) > 0)
			h = 0;
	free(v);
	free(s);
	free(p);
	return (long)h;
}

/* --- hashing: table-driven CRC-32 and FNV-1a over generated data --- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		for (c = i, j = 0; j < 8; j++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

long wl_hash(long n)
{
	static uint8_t buf[4096];
	uint64_t seed = 7, fnv = 0xcbf29ce484222325ULL;
	uint32_t crc = ~0U;
	long r, i;

	crc_init();
	for (r = 0; r < n; r++) {
		for (i = 0; i < (long)sizeof(buf); i++)
			buf[i] = lcg(&seed);
		for (i = 0; i < (long)sizeof(buf); i++) {
			crc = crc_table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
			fnv = (fnv ^ buf[i]) * 0x100000001b3ULL;
		}
	}
	return (long)(fnv ^ crc);
}

/* --- a bytecode interpreter dispatching through a switch jump table --- */

enum op {
	OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_LT,
	OP_JZ, OP_JMP, OP_DUP, OP_DROP, OP_SWAP, OP_INC, OP_XOR, OP_SHL,
	OP_HALT,
};

struct vm_insn {
	uint8_t op;
	int32_t arg;
};

/* sum of the primes below vars[0] by trial division; vars: n, i, d, acc */
static const struct vm_insn prime_prog[] = {
	/* 0 */ { OP_PUSH, 2 }, { OP_STORE, 1 },		/* i = 2 */
	/* 2 */ { OP_LOAD, 1 }, { OP_LOAD, 0 }, { OP_LT, 0 },	/* i < n? */
	/* 5 */ { OP_JZ, 32 },
	/* 6 */ { OP_PUSH, 2 }, { OP_STORE, 2 },		/* d = 2 */
	/* 8 */ { OP_LOAD, 2 }, { OP_DUP, 0 }, { OP_MUL, 0 },
	/* 11 */ { OP_LOAD, 1 }, { OP_SWAP, 0 }, { OP_LT, 0 },	/* i < d*d? */
	/* 14 */ { OP_JZ, 16 },
	/* 15 */ { OP_JMP, 24 },				/* prime */
	/* 16 */ { OP_LOAD, 1 }, { OP_LOAD, 2 }, { OP_MOD, 0 },
	/* 19 */ { OP_JZ, 28 },				/* composite */
	/* 20 */ { OP_LOAD, 2 }, { OP_INC, 0 }, { OP_STORE, 2 },
	/* 23 */ { OP_JMP, 8 },
	/* 24 */ { OP_LOAD, 3 }, { OP_LOAD, 1 }, { OP_ADD, 0 }, { OP_STORE, 3 },
	/* 28 */ { OP_LOAD, 1 }, { OP_INC, 0 }, { OP_STORE, 1 },
	/* 31 */ { OP_JMP, 2 },
	/* 32 */ { OP_LOAD, 3 }, { OP_HALT, 0 },
};

static long vm_run(const struct vm_insn *prog, long *vars)
{
	long stack[64], *sp = stack;
	long pc = 0, a, b;

	for (;;) {
		const struct vm_insn *in = &prog[pc++];

		switch (in->op) {
		case OP_PUSH:
			*sp++ = in->arg;
			break;
		case OP_LOAD:
			*sp++ = vars[in->arg];
			break;
		case OP_STORE:
			vars[in->arg] = *--sp;
			break;
		case OP_ADD:
			b = *--sp; a = *--sp; *sp++ = a + b;
			break;
		case OP_SUB:
			b = *--sp; a = *--sp; *sp++ = a - b;
			break;
		case OP_MUL:
			b = *--sp; a = *--sp; *sp++ = a * b;
			break;
		case OP_MOD:
			b = *--sp; a = *--sp; *sp++ = b ? a % b : 0;
			break;
		case OP_LT:
			b = *--sp; a = *--sp; *sp++ = a < b;
			break;
		case OP_JZ:
			if (!*--sp)
				pc = in->arg;
			break;
		case OP_JMP:
			pc = in->arg;
			break;
		case OP_DUP:
			sp[0] = sp[-1]; sp++;
			break;
		case OP_DROP:
			sp--;
			break;
		case OP_SWAP:
			a = sp[-1]; sp[-1] = sp[-2]; sp[-2] = a;
			break;
		case OP_INC:
			sp[-1]++;
			break;
		case OP_XOR:
			b = *--sp; a = *--sp; *sp++ = a ^ b;
			break;
		case OP_SHL:
			b = *--sp; a = *--sp; *sp++ = a << (b & 63);
			break;
		case OP_HALT:
		default:
			return sp > stack ? sp[-1] : 0;
		}
	}
}

long wl_interp(long n)
{
	long vars[4] = { n, 0, 0, 0 };

	return vm_run(prime_prog, vars);
}

/* reference for wl_interp: the same sum computed directly */
long wl_interp_expect(long n)
{
	long i, d, acc = 0;

	for (i = 2; i < n; i++) {
		for (d = 2; d * d <= i; d++)
			if (i % d == 0)
				break;
		if (d * d > i)
			acc += i;
	}
	return acc;
}

/* --- recursion --- */

static NOINLINE long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE long ackermann(long m, long n)
{
	if (!m)
		return n + 1;
	if (!n)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

long wl_recurse(long n)
{
	return fib(n) * 1000 + ackermann(2, n);
}

/* --- function pointers --- */

static NOINLINE long f_add(long a, long b) { return a + b; }
static NOINLINE long f_sub(long a, long b) { return a - b; }
static NOINLINE long f_mul(long a, long b) { return a * b | 1; }
static NOINLINE long f_xor(long a, long b) { return a ^ b; }

long (*volatile fn_table[4])(long, long) = { f_add, f_sub, f_mul, f_xor };

long wl_fnptr(long n)
{
	uint64_t seed = 3;
	long acc = 1, i;

	for (i = 0; i < n; i++)
		acc = fn_table[lcg(&seed) & 3](acc, i) & 0xffffffffff;
	return acc;
}

/* --- setjmp/longjmp across frames --- */

static jmp_buf jb;

static NOINLINE long deep(long d, long v)
{
	if (d == 0) {
		if (v % 3 == 0)
			longjmp(jb, (int)(v % 1000) + 1);
		return v;
	}
	return deep(d - 1, v * 7 + d) + 1;
}

long wl_setjmp(long n)
{
	volatile long acc = 0;
	volatile long i;

	for (i = 0; i < n; i++) {
		int r = setjmp(jb);

		if (r) {
			acc += r * 3;
			continue;
		}
		acc += deep(i % 17, i);
	}
	return acc;
}

/* --- printf family into a buffer: deep libc (vtables, locale, ...) --- */

long wl_printf(long n)
{
	char buf[256];
	uint64_t h = 0;
	long i;

	for (i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "%ld|%08lx|%s|%-6.3s|%c|%5.2f|%e",
				   i * 7919 - 100000, (unsigned long)i * 2654435761UL,
				   i & 1 ? "odd" : "even", "truncated",
				   'a' + (int)(i % 26), i / 7.0, i * 1.5e10);
		unsigned int k;

		for (k = 0; k < (unsigned int)len; k++)
			h = h * 131 + (uint8_t)buf[k];
		h = mix(h, strtoul(buf + 20, NULL, 16));
	}
	return (long)h;
}

/* --- string functions: IFUNC-selected implementations --- */

long wl_strings(long n)
{
	static char a[1024], b[1024];
	uint64_t seed = 11, h = 0;
	long i, k;

	for (i = 0; i < n; i++) {
		size_t la = 1 + lcg(&seed) % 1000;

		for (k = 0; k < (long)la; k++)
			a[k] = 'a' + lcg(&seed) % 26;
		a[la] = 0;
		memcpy(b, a, la + 1);
		b[lcg(&seed) % (la + 1)] ^= (char)(i & 1);
		h = mix(h, strlen(a));
		h = mix(h, strcmp(a, b) < 0 ? 1 : strcmp(a, b) > 0 ? 2 : 3);
		h = mix(h, (uint64_t)(strchr(a, 'q') ? strchr(a, 'q') - a : -1));
		memset(b, 'z', la / 2);
		h = mix(h, memcmp(a, b, la));
	}
	return (long)h;
}

const struct workload workloads[] = {
	{ "sort", wl_sort, 2000, 60, 300000 },
	{ "hash", wl_hash, 20, 1, 5000 },
	{ "interp", wl_interp, 2000, 120, 400000 },
	{ "recurse", wl_recurse, 18, 12, 36 },
	{ "fnptr", wl_fnptr, 10000, 2000, 20000000 },
	{ "setjmp", wl_setjmp, 500, 200, 5000000 },
	{ "printf", wl_printf, 300, 10, 200000 },
	{ "strings", wl_strings, 300, 8, 150000 },
	{ NULL, NULL, 0, 0, 0 },
};
