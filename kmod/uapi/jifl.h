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
#define JIFL_FEAT_PLUGINS	(1ULL << 1)	/* jifl_start.plugins, DUMP */
#define JIFL_FEAT_RINGS		(1ULL << 2)	/* RINGS, mmap, poll */
#define JIFL_FEAT_CGROUP	(1ULL << 3)	/* JIFL_FILTER_CGROUP */
#define JIFL_FEAT_SOFTIRQ	(1ULL << 4)	/* JIFL_ATTACH_SOFTIRQ */
#define JIFL_FEAT_MASK		(JIFL_FEAT_TRACE | JIFL_FEAT_PLUGINS | \
				 JIFL_FEAT_RINGS | JIFL_FEAT_CGROUP | \
				 JIFL_FEAT_SOFTIRQ)

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
 * @jump_table_start:	__start___jump_table: static branch (jump label)
 *			sites of core kernel text; their translations follow
 *			the sites' current bytes (0 and 0: copied as they are)
 * @jump_table_end:	__stop___jump_table
 * @static_call_sites_start: __start_static_call_sites: static call sites
 *			of core kernel text; their translations call the
 *			function their key holds when they run (0 and 0:
 *			copied as they are)
 * @static_call_sites_end: __stop_static_call_sites
 *
 * The jump tables and static call sites of the modules in @modules are
 * read from the modules themselves, when the core kernel's are given.
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
	__u64 jump_table_start;		/* since JIFL_LAYOUT_SIZE_VER1 */
	__u64 jump_table_end;
	__u64 static_call_sites_start;	/* since JIFL_LAYOUT_SIZE_VER2 */
	__u64 static_call_sites_end;
};

#define JIFL_LAYOUT_SIZE_VER0	80
#define JIFL_LAYOUT_SIZE_VER1	96
#define JIFL_LAYOUT_SIZE_VER2	112
#define JIFL_LAYOUT_MAX_RANGES	64

/* struct jifl_attach.flags */
#define JIFL_ATTACH_SOFTIRQ	(1ULL << 0)	/* softirq actions */
#define JIFL_ATTACH_FLAGS	JIFL_ATTACH_SOFTIRQ

/**
 * struct jifl_attach - which kernel functions enter the code cache
 * @size:	sizeof(struct jifl_attach)
 * @flags:	JIFL_ATTACH_SOFTIRQ (JIFL_FEAT_SOFTIRQ): the functions are
 *		softirq actions (net_rx_action, tasklet_action, ...), entered
 *		in softirq context too (never in hardirq or NMI context),
 *		when the task the softirq runs on is traced (its irq exit or
 *		local_bh_enable(); ksoftirqd with JIFL_FILTER_ALL); without
 *		it, functions are entered in task context only
 * @patterns:	user pointer to NUL-separated ftrace filter globs, such as
 *		"__x64_sys_read\0__x64_sys_open*\0"
 * @len:	bytes at @patterns, at most JIFL_ATTACH_MAX_LEN
 *
 * Return (ioctl): 0; EINVAL for unknown flags or when a pattern matches no
 * traceable function; EBUSY when another IPMODIFY user (livepatch) holds
 * a function, or at START when a function is attached both with and
 * without JIFL_ATTACH_SOFTIRQ.
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
#define JIFL_FILTER_ALL_BUT	3	/* every task but the listed processes */
#define JIFL_FILTER_CGROUP	4	/* the tasks in a cgroup v2 and its
					 * descendants, but the listed processes
					 */

/**
 * struct jifl_filter - which tasks run from the code cache
 * @size:	sizeof(struct jifl_filter)
 * @mode:	JIFL_FILTER_*
 * @pids:	user pointer to @nr_pids __u64 process ids (thread group ids)
 * @nr_pids:	at most JIFL_FILTER_MAX_PIDS
 * @cgroup_fd:	(since size 40) for JIFL_FILTER_CGROUP: an open file
 *		descriptor of the cgroup v2 directory; 0 otherwise
 *
 * JIFL_FILTER_CGROUP decides membership each time a task enters an
 * attached function, so tasks moved into the cgroup (or a descendant) are
 * traced from then on and tasks moved out no longer are. @pids lists
 * processes not to trace even there (the recorder itself); it may be empty.
 *
 * Return (ioctl): 0; EINVAL for an unknown mode, a pid list missing or out
 * of range, JIFL_FILTER_CGROUP with a size below 40, or @cgroup_fd set in
 * another mode; EBADF when @cgroup_fd is not open or not a cgroup v2
 * directory (the kernel's cgroup_get_from_fd()).
 */
struct jifl_filter {
	__u64 size;
	__u64 mode;
	__u64 pids;
	__u64 nr_pids;
	__u64 cgroup_fd;
};

#define JIFL_FILTER_SIZE_VER0	32
#define JIFL_FILTER_SIZE_VER1	40	/* cgroup_fd */
#define JIFL_FILTER_MAX_PIDS	4096

/* struct jifl_start.flags */
#define JIFL_START_BBCOUNT	(1ULL << 0)	/* same as plugin "bbcount" */
#define JIFL_START_FLAGS	JIFL_START_BBCOUNT

#define JIFL_PLUGIN_NAME_MAX	32	/* bytes, with the NUL */
#define JIFL_PLUGINS_MAX	8	/* plugins in one session */

/**
 * struct jifl_start - JIFL_IOC_START argument
 * @size:	sizeof(struct jifl_start)
 * @flags:	JIFL_START_* instrumentation to insert
 * @plugins:	(since size 32) user pointer to @plugins_len bytes of
 *		NUL-separated plugin names, such as "calltrace\0bbcount\0";
 *		built-in: bbcount, cover, calltrace; others are registered
 *		by modules (jifl_plugin.h)
 * @plugins_len: bytes at @plugins, at most JIFL_PLUGINS_MAX *
 *		JIFL_PLUGIN_NAME_MAX
 *
 * Return (ioctl): 0; EINVAL without a layout, with unknown flags or a
 * malformed name list; ENOENT without attached functions; ESRCH when a
 * named plugin is not registered (load its module); EBUSY when already
 * running.
 */
struct jifl_start {
	__u64 size;
	__u64 flags;
	__u64 plugins;
	__u64 plugins_len;
};

#define JIFL_START_SIZE_VER0	16
#define JIFL_START_SIZE_VER1	32	/* @plugins, @plugins_len */

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
 * @invalidated:	translations dropped because their code went away
 *			(a module unloaded); since JIFL_STATS_SIZE_VER1
 * @cache_extable:	exception-table entries made for cache copies of
 *			instructions that may fault to a fixup (uaccess,
 *			_safe MSR accesses); since JIFL_STATS_SIZE_VER1
 * @stores_removed:	coverage stores (cover plugin) turned into jumps
 *			over themselves once they ran; since
 *			JIFL_STATS_SIZE_VER2
 * @static_branches:	static branch sites translated as direct jmps that
 *			follow static key updates; since JIFL_STATS_SIZE_VER3
 * @labels_followed:	such copies repointed by a static key update;
 *			since JIFL_STATS_SIZE_VER3
 * @entries_fault:	of @entries, those at handle_mm_fault (page faults
 *			of traced tasks); since JIFL_STATS_SIZE_VER4
 * @entries_softirq:	of @entries, those at JIFL_ATTACH_SOFTIRQ functions
 *			(softirq actions); since JIFL_STATS_SIZE_VER5
 * @rejected:		calls of attached functions by tasks the filter does
 *			not trace (the ftrace handler returned at once);
 *			since JIFL_STATS_SIZE_VER5
 * @refused:		calls of attached functions in a context that never
 *			enters: NMI, hardirq, or softirq at a function
 *			attached without JIFL_ATTACH_SOFTIRQ; since
 *			JIFL_STATS_SIZE_VER5
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
	__u64 invalidated;
	__u64 cache_extable;
	__u64 stores_removed;
	__u64 static_branches;
	__u64 labels_followed;
	__u64 entries_fault;
	__u64 entries_softirq;
	__u64 rejected;
	__u64 refused;
};

#define JIFL_STATS_SIZE_VER0	168
#define JIFL_STATS_SIZE_VER1	184
#define JIFL_STATS_SIZE_VER2	192	/* @stores_removed */
#define JIFL_STATS_SIZE_VER3	208	/* @static_branches, @labels_followed */
#define JIFL_STATS_SIZE_VER4	216	/* @entries_fault */
#define JIFL_STATS_SIZE_VER5	240	/* @entries_softirq, @rejected, @refused */

/*
 * Per-CPU event rings (JIFL_IOC_RINGS, then mmap).
 *
 * Each CPU has a ring: a control page (struct jifl_ring_ctl) followed by
 * a data area of a power-of-two size. Map CPU c's ring with
 * mmap(NULL, JIFL_RING_CTL_SIZE + size, PROT_READ | PROT_WRITE,
 * MAP_SHARED, fd, c * stride), size and stride as JIFL_IOC_RINGS
 * returned them. @head is written by the kernel (release), @tail by user
 * space (release, after reading the records); both count bytes from the
 * ring's start and never wrap; the record at @tail is at data offset
 * @tail & (size - 1). Records are 8-byte aligned, start with struct
 * jifl_rec_header and never wrap around the end of the data area: a
 * JIFL_REC_PAD record fills the rest of the area instead. When a record
 * does not fit, it is dropped and @lost counts it.
 */

/**
 * struct jifl_ring_ctl - the first bytes of each ring's control page
 * @head:	bytes written by the kernel (free-running)
 * @tail:	bytes consumed by user space (free-running)
 * @size:	bytes of the data area (a power of two)
 * @lost:	records dropped because the ring was full
 * @cpu:	the CPU this ring belongs to
 * @records:	records written (pad records excluded)
 */
struct jifl_ring_ctl {
	__u64 head;
	__u64 tail;
	__u64 size;
	__u64 lost;
	__u64 cpu;
	__u64 records;
};

#define JIFL_RING_CTL_SIZE	4096	/* the control page */
#define JIFL_RING_MIN		4096	/* smallest data area */
#define JIFL_RING_MAX		(1ULL << 28)	/* largest data area (256 MiB) */

/**
 * struct jifl_rings - JIFL_IOC_RINGS: create the per-CPU rings
 * @size:	sizeof(struct jifl_rings)
 * @flags:	none defined yet, must be 0
 * @ring_size:	in: bytes of each CPU's data area, a power of two in
 *		[JIFL_RING_MIN, JIFL_RING_MAX]
 * @watermark:	in: wake poll() when a ring holds this many bytes (0:
 *		a quarter of @ring_size); at most @ring_size
 * @nr_cpus:	out: number of rings (possible CPUs, nr_cpu_ids)
 * @stride:	out: mmap offset between two CPUs' rings
 *
 * Before JIFL_IOC_START; the rings live until the session's file is
 * closed. poll() on the file says EPOLLIN when a ring reached its
 * watermark or the session stopped, EPOLLHUP after JIFL_IOC_STOP.
 *
 * Return (ioctl): 0; EINVAL for a bad size or watermark; EBUSY when the
 * rings exist already or a session runs; ENOMEM.
 */
struct jifl_rings {
	__u64 size;
	__u64 flags;
	__u64 ring_size;
	__u64 watermark;
	__u64 nr_cpus;
	__u64 stride;
};

#define JIFL_RINGS_SIZE_VER0	48

/**
 * struct jifl_rec_header - the start of every ring record
 * @size:	bytes of the record, this header included, a multiple of 8
 * @type:	JIFL_REC_*
 */
struct jifl_rec_header {
	__u32 size;
	__u32 type;
};

/* Record types (struct jifl_rec_header.type) */
#define JIFL_REC_PAD		0	/* filler up to the end of the data area */
#define JIFL_REC_CALL		1	/* struct jifl_rec_call */
#define JIFL_REC_RET		2	/* struct jifl_rec_ret */
#define JIFL_REC_PLUGIN		0x10000	/* and up: plugin-defined records */

/**
 * struct jifl_rec_call - calltrace: a call (JIFL_REC_CALL, 40 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_call), JIFL_REC_CALL }
 * @ts:		CLOCK_MONOTONIC, nanoseconds
 * @tid:	thread id (task pid) of the caller
 * @cpu:	CPU the call ran on
 * @depth:	calls open in this thread when this one was made: 0 for the
 *		entry into an attached function (a system call)
 * @site:	native address of the call instruction; for the entry into
 *		an attached function, its caller's call instruction (or the
 *		return address when that is not a direct call)
 * @callee:	native address called
 */
struct jifl_rec_call {
	struct jifl_rec_header hdr;
	__u64 ts;
	__u32 tid;
	__u16 cpu;
	__u16 depth;
	__u64 site;
	__u64 callee;
};

/**
 * struct jifl_rec_ret - calltrace: a return (JIFL_REC_RET, 40 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ret), JIFL_REC_RET }
 * @ts:		CLOCK_MONOTONIC, nanoseconds
 * @tid:	thread id of the returning thread
 * @cpu:	CPU the return ran on
 * @depth:	the @depth of the matching struct jifl_rec_call
 * @site:	native address of the return instruction; 0 when the
 *		function returned natively (it ran the rest of its body
 *		outside the cache, or called code that never runs there):
 *		then @ts is when that was noticed, at the thread's next
 *		event, an upper bound of the real return time
 * @target:	native address returned to
 *
 * Every call is matched by exactly one return in the same thread, in
 * nesting order, unless records were lost or the recording stopped
 * while the thread was inside the call.
 */
struct jifl_rec_ret {
	struct jifl_rec_header hdr;
	__u64 ts;
	__u32 tid;
	__u16 cpu;
	__u16 depth;
	__u64 site;
	__u64 target;
};

/*
 * Compact calltrace records: calltrace's inline path (kmod/jit/README
 * "Inline events"). The code cache writes a call or return as 16 bytes
 * (24 with a target) with no header: its first __u32 has JIFL_EV_MARK
 * set, which no header's size has (records are below 2^31 bytes). The
 * site id indexes the site table calltrace dumps (struct
 * jifl_rec_ct_site); the thread is the one the CPU's stream last named
 * (struct jifl_rec_ct_ctx, jifl_rec_ct_enter); the time stamp is the TSC,
 * in nanoseconds by the last struct jifl_rec_ct_ctx of the same CPU.
 * Returns pair with calls by stack pointer in the reader: a return at R
 * closes the call made at R + 8.
 */
#define JIFL_EV_MARK		0x80000000U	/* a compact event */
#define JIFL_EV_TARGET		0x40000000U	/* with a target: 24 bytes */
#define JIFL_EV_SITE_MASK	0x3fffffffU	/* the site id */
#define JIFL_EV_SIZE		16
#define JIFL_EV_SIZE_TARGET	24

/**
 * struct jifl_rec_event - a compact call or return (16 or 24 bytes)
 * @site:	JIFL_EV_MARK | [JIFL_EV_TARGET] | site id
 * @sp:		low 32 bits of the stack pointer the instruction saw
 * @tsc:	the CPU's time stamp counter
 * @target:	with JIFL_EV_TARGET only: an indirect call's callee
 */
struct jifl_rec_event {
	__u32 site;
	__u32 sp;
	__u64 tsc;
	__u64 target;
};

/* More record types of calltrace's compact stream and dump */
#define JIFL_REC_CT_SITE	6	/* dump: struct jifl_rec_ct_site */
#define JIFL_REC_CT_CTX		7	/* ring: struct jifl_rec_ct_ctx */
#define JIFL_REC_CT_ENTER	8	/* ring: struct jifl_rec_ct_enter */
#define JIFL_REC_CT_LEAVE	9	/* ring: struct jifl_rec_ct_leave */
#define JIFL_REC_CT_SUM		10	/* dump: struct jifl_rec_ct_sum */

/* struct jifl_rec_ct_site.kind */
#define JIFL_CT_SITE_CALL	1	/* direct call: @target is the callee */
#define JIFL_CT_SITE_CALL_IND	2	/* indirect: the event has the callee */
#define JIFL_CT_SITE_RET	3	/* return */

/**
 * struct jifl_rec_ct_site - calltrace's dump: one call or return site
 *	(JIFL_REC_CT_SITE, 40 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ct_site), JIFL_REC_CT_SITE }
 * @id:		the id its events carry
 * @kind:	JIFL_CT_SITE_*
 * @pc:		native address of the call or return instruction
 * @next:	native address after it (a call's return address)
 * @target:	a direct call's callee, else 0
 */
struct jifl_rec_ct_site {
	struct jifl_rec_header hdr;
	__u32 id;
	__u32 kind;
	__u64 pc;
	__u64 next;
	__u64 target;
};

/**
 * struct jifl_rec_ct_ctx - calltrace: who runs on this CPU from here on,
 *	and the clock (JIFL_REC_CT_CTX, 32 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ct_ctx), JIFL_REC_CT_CTX }
 * @tsc:	the time stamp counter...
 * @ns:		...and CLOCK_MONOTONIC (ns) at the same moment
 * @tid:	the thread the CPU runs: the next one at a context switch,
 *		the current one at the start of each chunk of the ring
 * @tsc_khz:	TSC ticks per millisecond
 */
struct jifl_rec_ct_ctx {
	struct jifl_rec_header hdr;
	__u64 tsc;
	__u64 ns;
	__u32 tid;
	__u32 tsc_khz;
};

/**
 * struct jifl_rec_ct_enter - calltrace: a thread enters the code cache at
 *	an attached function (JIFL_REC_CT_ENTER, 48 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ct_enter), JIFL_REC_CT_ENTER }
 * @tsc:	time stamp counter
 * @tid:	the thread (the CPU runs it from here on)
 * @sp:		low 32 bits of the stack pointer at the function's entry
 * @func:	the attached function
 * @site:	its caller's call instruction, or the return address when
 *		that is not a direct call
 * @ret:	the native return address
 */
struct jifl_rec_ct_enter {
	struct jifl_rec_header hdr;
	__u64 tsc;
	__u32 tid;
	__u32 sp;
	__u64 func;
	__u64 site;
	__u64 ret;
};

/**
 * struct jifl_rec_ct_leave - calltrace: a thread returns from an attached
 *	function to its native caller (JIFL_REC_CT_LEAVE, 24 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ct_leave), JIFL_REC_CT_LEAVE }
 * @tsc:	time stamp counter
 * @tid:	the thread
 * @sp:		low 32 bits of the stack pointer there
 */
struct jifl_rec_ct_leave {
	struct jifl_rec_header hdr;
	__u64 tsc;
	__u32 tid;
	__u32 sp;
};

/**
 * struct jifl_rec_ct_sum - calltrace's dump: totals (JIFL_REC_CT_SUM,
 *	24 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_ct_sum), JIFL_REC_CT_SUM }
 * @sites:	sites in the table
 * @untraced:	call and return sites left without events: the site
 *		table was full
 */
struct jifl_rec_ct_sum {
	struct jifl_rec_header hdr;
	__u64 sites;
	__u64 untraced;
};

/**
 * struct jifl_dump - JIFL_IOC_DUMP: what a plugin collected
 * @size:	sizeof(struct jifl_dump)
 * @flags:	none defined yet, must be 0
 * @plugin:	user pointer to the plugin's NUL-terminated name
 * @buf:	user pointer to @len bytes
 * @len:	in: capacity of @buf; out: bytes written
 * @needed:	out: bytes the whole dump takes (call again with a larger
 *		@buf when above @len)
 *
 * The dump is a sequence of records, each starting with struct
 * jifl_rec_header, whose types the plugin defines (the built-in ones
 * below; JIFL_REC_PLUGIN and up for the others). Best after
 * JIFL_IOC_STOP; the dump of a running session is a snapshot.
 *
 * Return (ioctl): 0; ESRCH when the session has no such plugin;
 * EOPNOTSUPP when the plugin has nothing to dump; ENOSPC when @len is
 * too small (@needed says how much); EINVAL, EFAULT.
 */
struct jifl_dump {
	__u64 size;
	__u64 flags;
	__u64 plugin;
	__u64 buf;
	__u64 len;
	__u64 needed;
};

#define JIFL_DUMP_SIZE_VER0	48
#define JIFL_DUMP_MAX		(1ULL << 30)

/**
 * struct jifl_plugins - JIFL_IOC_PLUGINS: the registered plugins
 * @size:	sizeof(struct jifl_plugins)
 * @flags:	none defined yet, must be 0
 * @buf:	user pointer to @len bytes
 * @len:	in: capacity of @buf; out: bytes of NUL-terminated names
 *		written (all of them, or ENOSPC)
 *
 * Return (ioctl): 0; ENOSPC when @buf is too small; EINVAL, EFAULT.
 */
struct jifl_plugins {
	__u64 size;
	__u64 flags;
	__u64 buf;
	__u64 len;
};

#define JIFL_PLUGINS_SIZE_VER0	32

/**
 * struct jifl_rec_cover - cover's dump: which blocks ran (JIFL_REC_COVER)
 * @hdr:	{ size, JIFL_REC_COVER }: the header, 8 bytes of fields and
 *		@nr bytes of @ran, padded to a multiple of 8
 * @first:	block number (index in the JIFL_IOC_BLOCKS table) of @ran[0]
 * @nr:		blocks described
 * @ran:	per block, 1 if it ran at least once, else 0
 */
struct jifl_rec_cover {
	struct jifl_rec_header hdr;
	__u32 first;
	__u32 nr;
	__u8 ran[];
};

#define JIFL_REC_COVER		3

/**
 * struct jifl_rec_sysstat - sysstat's dump: one attached function
 *	(JIFL_REC_SYSSTAT, 40 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_sysstat), JIFL_REC_SYSSTAT }
 * @func:	native address of the attached function (a system call)
 * @calls:	calls that returned (outermost: an attached function
 *		called inside another one counts toward the outer one)
 * @blocks:	translated blocks these calls executed
 * @insns:	instructions these calls executed
 */
struct jifl_rec_sysstat {
	struct jifl_rec_header hdr;
	__u64 func;
	__u64 calls;
	__u64 blocks;
	__u64 insns;
};

#define JIFL_REC_SYSSTAT	4

/**
 * struct jifl_rec_sysstat_sum - sysstat's dump: totals, after the
 *	functions (JIFL_REC_SYSSTAT_SUM, 72 bytes)
 * @hdr:	{ sizeof(struct jifl_rec_sysstat_sum), JIFL_REC_SYSSTAT_SUM }
 * @blocks:	blocks executed in the session, attributed or not
 * @insns:	instructions executed in the session
 * @unattr_blocks: of @blocks, those outside every returned call (calls
 *		still running or moved out of the cache at stop, calls of
 *		untracked tasks or of functions beyond the table)
 * @unattr_insns: the same for @insns
 * @unfinished:	calls entered that did not return in the cache
 * @untracked:	calls entered while the task table was full
 * @func_overflow: calls that returned while the function table was full
 * @switches:	times a task inside a call was switched out (preempted or
 *		sleeping), its interval closed and charged
 */
struct jifl_rec_sysstat_sum {
	struct jifl_rec_header hdr;
	__u64 blocks;
	__u64 insns;
	__u64 unattr_blocks;
	__u64 unattr_insns;
	__u64 unfinished;
	__u64 untracked;
	__u64 func_overflow;
	__u64 switches;
};

#define JIFL_REC_SYSSTAT_SUM	5

#define JIFL_IOC_VERSION	_IOWR(JIFL_IOC_MAGIC, 0x00, struct jifl_version)
#define JIFL_IOC_LAYOUT		_IOW(JIFL_IOC_MAGIC, 0x01, struct jifl_layout)
#define JIFL_IOC_ATTACH		_IOW(JIFL_IOC_MAGIC, 0x02, struct jifl_attach)
#define JIFL_IOC_FILTER		_IOW(JIFL_IOC_MAGIC, 0x03, struct jifl_filter)
#define JIFL_IOC_START		_IOW(JIFL_IOC_MAGIC, 0x04, struct jifl_start)
#define JIFL_IOC_STOP		_IO(JIFL_IOC_MAGIC, 0x05)
#define JIFL_IOC_STATS		_IOWR(JIFL_IOC_MAGIC, 0x06, struct jifl_stats)
#define JIFL_IOC_BLOCKS		_IOWR(JIFL_IOC_MAGIC, 0x07, struct jifl_blocks)
#define JIFL_IOC_RINGS		_IOWR(JIFL_IOC_MAGIC, 0x08, struct jifl_rings)
#define JIFL_IOC_DUMP		_IOWR(JIFL_IOC_MAGIC, 0x09, struct jifl_dump)
#define JIFL_IOC_PLUGINS	_IOWR(JIFL_IOC_MAGIC, 0x0a, struct jifl_plugins)

#endif /* _UAPI_JIFL_H */
