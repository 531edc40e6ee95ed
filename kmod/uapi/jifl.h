/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * jifl ioctl ABI: the interface between jifl.ko and the jifl tool.
 *
 * Every argument struct holds only __u64 fields (no padding, no pointers
 * whose size differs between 32- and 64-bit callers) and starts with a
 * @size field that the caller sets to sizeof() of the struct it knows.
 * The module accepts any size from the struct's first published size up
 * to PAGE_SIZE: a shorter struct from an older tool gets the fields it
 * knows, a longer one from a newer tool must have the fields the module
 * does not know set to zero (else E2BIG), like copy_struct_from_user().
 * Commands are matched on type and number only; the size bits encoded in
 * the command number are those of the first version of the struct.
 */
#ifndef _UAPI_JIFL_H
#define _UAPI_JIFL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define JIFL_DEVICE_NAME	"jifl"
#define JIFL_DEVICE_PATH	"/dev/jifl"

/* Bumped on incompatible changes only; additions extend structs instead. */
#define JIFL_ABI_VERSION	1

#define JIFL_IOC_MAGIC		0xB7

/**
 * struct jifl_version - JIFL_IOC_VERSION result
 * @size:		in: sizeof(struct jifl_version) as the caller knows it
 * @abi_version:	out: JIFL_ABI_VERSION of the module
 * @module_version:	out: module version as (major << 32 | minor << 16 |
 *			patch)
 * @features:		out: JIFL_FEAT_* bits the module supports
 */
struct jifl_version {
	__u64 size;
	__u64 abi_version;
	__u64 module_version;
	__u64 features;
};

#define JIFL_VERSION_SIZE_VER0	32	/* sizeof first published version */

#define JIFL_VERSION_PACK(maj, min, pat) \
	(((__u64)(maj) << 32) | ((__u64)(min) << 16) | (__u64)(pat))
#define JIFL_VERSION_MAJOR(v)	((unsigned int)((v) >> 32))
#define JIFL_VERSION_MINOR(v)	((unsigned int)(((v) >> 16) & 0xffff))
#define JIFL_VERSION_PATCH(v)	((unsigned int)((v) & 0xffff))

/* Features (struct jifl_version.features) */
#define JIFL_FEAT_TRACE		(1ULL << 0)	/* layout/attach/filter/start */
#define JIFL_FEAT_MASK		JIFL_FEAT_TRACE

/**
 * struct jifl_layout - where the running kernel keeps what must stay native
 * @size:		sizeof(struct jifl_layout)
 * @flags:		none defined yet, must be 0
 * @text_start:		_stext: only core kernel text in [@text_start,
 *			@text_end) is translated; everything else runs natively
 * @text_end:		_etext
 * @ranges:		user pointer to @nr_ranges pairs of __u64 [start, end):
 *			text that must run natively (noinstr, entry, irqentry,
 *			softirqentry, kprobes, sched, lock, cpuidle sections,
 *			ftrace trampolines, ...), read from /proc/kallsyms
 * @nr_ranges:		at most JIFL_LAYOUT_MAX_RANGES
 * @extable_start:	__start___ex_table: instructions with an exception
 *			table entry (uaccess, _safe MSR accesses) run natively
 *			so that a fault finds its fixup
 * @extable_end:	__stop___ex_table
 * @modules:		user pointer to @nr_modules pairs of __u64 [start,
 *			end): module memory to translate too (by default only
 *			core kernel text is)
 * @nr_modules:		at most JIFL_LAYOUT_MAX_RANGES
 */
struct jifl_layout {
	__u64 size;
	__u64 flags;
	__u64 text_start;
	__u64 text_end;
	__u64 ranges;
	__u64 nr_ranges;
	__u64 extable_start;
	__u64 extable_end;
	__u64 modules;
	__u64 nr_modules;
};

#define JIFL_LAYOUT_SIZE_VER0	80
#define JIFL_LAYOUT_MAX_RANGES	64

/**
 * struct jifl_attach - which kernel functions enter the code cache
 * @size:	sizeof(struct jifl_attach)
 * @flags:	none defined yet, must be 0
 * @patterns:	user pointer to NUL-separated ftrace filter globs, such as
 *		"__x64_sys_read\0__x64_sys_open*\0"
 * @len:	bytes at @patterns, at most JIFL_ATTACH_MAX_LEN
 *
 * Return (ioctl): 0; EINVAL when a pattern matches no traceable function;
 * EBUSY when another IPMODIFY user (livepatch) holds a function.
 */
struct jifl_attach {
	__u64 size;
	__u64 flags;
	__u64 patterns;
	__u64 len;
};

#define JIFL_ATTACH_SIZE_VER0	32
#define JIFL_ATTACH_MAX_LEN	65536

/* struct jifl_filter.mode */
#define JIFL_FILTER_ALL		0	/* every task (in task context) */
#define JIFL_FILTER_PIDS	1	/* the listed processes (all threads) */
#define JIFL_FILTER_TREE	2	/* the listed processes and descendants */

/**
 * struct jifl_filter - which tasks run from the code cache
 * @size:	sizeof(struct jifl_filter)
 * @mode:	JIFL_FILTER_*
 * @pids:	user pointer to @nr_pids __u64 process ids (thread group ids)
 * @nr_pids:	at most JIFL_FILTER_MAX_PIDS
 */
struct jifl_filter {
	__u64 size;
	__u64 mode;
	__u64 pids;
	__u64 nr_pids;
};

#define JIFL_FILTER_SIZE_VER0	32
#define JIFL_FILTER_MAX_PIDS	4096

/* struct jifl_start.flags */
#define JIFL_START_BBCOUNT	(1ULL << 0)	/* count every block's runs */
#define JIFL_START_FLAGS	JIFL_START_BBCOUNT

/**
 * struct jifl_start - JIFL_IOC_START argument
 * @size:	sizeof(struct jifl_start)
 * @flags:	JIFL_START_* instrumentation to insert
 *
 * Return (ioctl): 0; EINVAL without a layout or with unknown flags; ENOENT
 * without attached functions; EBUSY when already running.
 */
struct jifl_start {
	__u64 size;
	__u64 flags;
};

#define JIFL_START_SIZE_VER0	16

/**
 * struct jifl_block_info - one translated block
 * @native:	address of its first native instruction
 * @len:	bytes of native code it covers
 * @count:	times it ran (summed over CPUs) with JIFL_START_BBCOUNT, else 0
 */
struct jifl_block_info {
	__u64 native;
	__u64 len;
	__u64 count;
};

/**
 * struct jifl_blocks - JIFL_IOC_BLOCKS: read the block table
 * @size:	sizeof(struct jifl_blocks)
 * @flags:	none defined yet, must be 0
 * @entries:	user pointer to @nr struct jifl_block_info
 * @nr:		in: capacity of @entries; out: entries written
 * @total:	out: blocks in the table (call again with more room if
 *		larger than @nr)
 */
struct jifl_blocks {
	__u64 size;
	__u64 flags;
	__u64 entries;
	__u64 nr;
	__u64 total;
};

#define JIFL_BLOCKS_SIZE_VER0	40
#define JIFL_BLOCKS_MAX		(1U << 20)

/* Why code ran natively instead of from the cache (jifl_stats.fallbacks) */
enum jifl_fallback {
	JIFL_FB_OUTSIDE_TEXT,	/* not core kernel text (modules, BPF, ...) */
	JIFL_FB_EXCLUDED,	/* in a range of struct jifl_layout */
	JIFL_FB_EXTABLE,	/* may fault to an exception-table fixup */
	JIFL_FB_DECODE,		/* did not decode */
	JIFL_FB_TRAP,		/* int3/ud2/...: must run at its own address */
	JIFL_FB_RANGE,		/* rel32 out of reach from the cache */
	JIFL_FB_CACHE_FULL,	/* code cache or block table full */
	JIFL_FB_OTHER,		/* any other translator error */
	/* a call/jmp patched to outside kernel text (ftrace/BPF trampoline,
	 * optprobe, static call): its target may go away
	 */
	JIFL_FB_PATCHED,
	JIFL_FB_NR
};

/**
 * struct jifl_stats - JIFL_IOC_STATS result
 * @size:		in/out, as for struct jifl_version
 * @running:		1 between START and STOP
 * @blocks:		blocks translated
 * @native_bytes:	native code bytes translated
 * @cache_bytes:	code cache bytes used
 * @cache_size:		code cache capacity
 * @entries:		entries from ftrace into the cache
 * @exits_linked:	direct exits chained to their target block
 * @dispatches:		exit stubs taken (each then links the exit)
 * @ibl_misses:		indirect branches that missed the lookup table
 * @inflight:		tasks currently between entry and return
 * @attached:		functions attached
 * @fallbacks:		JIFL_FB_* counts of native fallbacks
 */
struct jifl_stats {
	__u64 size;
	__u64 running;
	__u64 blocks;
	__u64 native_bytes;
	__u64 cache_bytes;
	__u64 cache_size;
	__u64 entries;
	__u64 exits_linked;
	__u64 dispatches;
	__u64 ibl_misses;
	__u64 inflight;
	__u64 attached;
	__u64 fallbacks[JIFL_FB_NR];
};

#define JIFL_STATS_SIZE_VER0	168

#define JIFL_IOC_VERSION	_IOWR(JIFL_IOC_MAGIC, 0x00, struct jifl_version)
#define JIFL_IOC_LAYOUT		_IOW(JIFL_IOC_MAGIC, 0x01, struct jifl_layout)
#define JIFL_IOC_ATTACH		_IOW(JIFL_IOC_MAGIC, 0x02, struct jifl_attach)
#define JIFL_IOC_FILTER		_IOW(JIFL_IOC_MAGIC, 0x03, struct jifl_filter)
#define JIFL_IOC_START		_IOW(JIFL_IOC_MAGIC, 0x04, struct jifl_start)
#define JIFL_IOC_STOP		_IO(JIFL_IOC_MAGIC, 0x05)
#define JIFL_IOC_STATS		_IOWR(JIFL_IOC_MAGIC, 0x06, struct jifl_stats)
#define JIFL_IOC_BLOCKS		_IOWR(JIFL_IOC_MAGIC, 0x07, struct jifl_blocks)

#endif /* _UAPI_JIFL_H */
