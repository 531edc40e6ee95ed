/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jifl.data: the file written by `jifl record` and read by `jifl report`
 * and `jifl cover`.  One self-describing, versioned file: a fixed header,
 * sections (feature sections describing the recorded system, data
 * sections holding what was recorded) and, at the end, a section table.
 * The byte layout is documented field by field in man/jifl-data.5; the
 * JD_* constants below are the authoritative values.
 *
 * The writer streams: the header is a placeholder until jd_writer_close()
 * writes the section table and patches the header, so a recording stopped
 * by Ctrl-C is finalized by calling jd_writer_close() from the main loop.
 *
 * The reader validates everything (bounds, overlaps, checksums, counts
 * against sizes, string termination) before returning a decoded view; on
 * any input it fails with a sentence saying what is wrong, never reading
 * outside the file.
 */
#ifndef JIFL_DATA_FILE_H
#define JIFL_DATA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JD_MAGIC		"JIFLDATA"	/* 8 bytes, no NUL */
#define JD_VERSION_MAJOR	2	/* 2.0: compact calltrace records */
#define JD_VERSION_MINOR	0
#define JD_VERSION_MAJOR_MIN	1	/* the oldest this jifl still reads */

#define JD_HEADER_SIZE		64
#define JD_SECTION_ENTRY_SIZE	32
#define JD_ALIGN		8

/* header flags */
#define JD_F_FINALIZED		(1ULL << 0)	/* table written, header patched */

/* Section types; readers skip types they do not know. */
enum jd_section_type {
	JD_SEC_UNAME = 1,	/* feature: `uname -r` */
	JD_SEC_CMDLINE,		/* feature: the recorded command line */
	JD_SEC_CPUS,		/* feature: number of CPUs */
	JD_SEC_CLOCK,		/* feature: timestamp clock and reference */
	JD_SEC_BUILD_ID,	/* feature: vmlinux build-id */
	JD_SEC_KERNEL,		/* feature: runtime _text/_etext (KASLR) */
	JD_SEC_MODULES,		/* feature: modules, bases, build-ids */
	JD_SEC_KALLSYMS,	/* feature: kallsyms snapshot */
	JD_SEC_CHUNK,		/* data: one CPU's chunk of records (repeats) */
	JD_SEC_BLOCKS,		/* data: basic-block table */
	JD_SEC_COUNTERS,	/* data: block execution counts */
	JD_SEC_LOST,		/* data: lost records per CPU */
	JD_SEC_RECORDING,	/* feature: how it was recorded (key=value) */
	JD_SEC__MAX
};

/*
 * data: a plugin's dump (repeats, one per plugin): a 32-byte NUL-padded
 * plugin name, then its records (u32 size, u32 type) as JIFL_IOC_DUMP
 * returned them. Numbered apart from the core types; jd_open() checks
 * the records' framing (struct jd_dump), jd_sysstat() decodes sysstat's.
 */
#define JD_SEC_DUMP		0x100

#define JD_DUMP_NAME_SIZE	32

/* JD_SEC_CHUNK record_format: jifl.ko ring records (uapi/jifl.h JIFL_REC_*) */
#define JD_CHUNK_FMT_RING	1
/*
 * The same with calltrace's compact records among them (since 2.0): a
 * record whose first u32 has bit 31 set is a struct jifl_rec_event of 16
 * bytes, 24 with bit 30 (uapi/jifl.h JIFL_EV_*), and has no header
 */
#define JD_CHUNK_FMT_EVENTS	2

/* jd_block.flags */
#define JD_BLOCK_RAN		(1U << 0)	/* cover: the block ran */

#define JD_BUILD_ID_MAX		40

/* JD_SEC_KERNEL and JD_SEC_KALLSYMS flags */
#define JD_KF_ADDRS_HIDDEN	(1U << 0)	/* kptr_restrict: all zero */

/* JD_SEC_CHUNK flags */
#define JD_CHUNK_VARIABLE	(1U << 0)	/* records carry their size */
#define JD_REC_HEADER_SIZE	8		/* variable: u32 size, u32 type */
#define JD_REC_COMPACT		0x80000000U	/* JD_CHUNK_FMT_EVENTS: bit 31 */
#define JD_REC_COMPACT_LONG	0x40000000U	/* of those: 24 bytes, else 16 */

#define JD_NO_FUNC		0xffffffffU	/* jd_block.func: unknown */

struct jd_build_id {
	uint32_t size;				/* 0: unknown */
	uint8_t data[JD_BUILD_ID_MAX];
};

struct jd_clock {
	uint32_t clockid;	/* CLOCK_MONOTONIC (1) */
	uint64_t freq_hz;	/* timestamp ticks per second (1e9: ns) */
	uint64_t ref_ns;	/* the clock when recording started */
	uint64_t ref_realtime_ns; /* CLOCK_REALTIME at the same moment */
};

struct jd_kernel {
	uint64_t text;		/* runtime address of _text */
	uint64_t etext;		/* runtime address of _etext */
	uint32_t flags;		/* JD_KF_* */
};

struct jd_module {
	const char *name;
	uint64_t base;		/* 0 when hidden */
	uint64_t size;
	struct jd_build_id build_id;
};

struct jd_ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* "" for vmlinux */
	char type;		/* nm-style type character */
};

struct jd_kallsyms {
	struct jd_ksym *syms;	/* sorted by address, ties in input order */
	uint32_t count;
	uint32_t flags;		/* JD_KF_* */
	uint64_t text;		/* _text in this snapshot */
	uint64_t end;		/* lookups at or past this address fail */
};

struct jd_chunk {
	uint32_t cpu;
	uint32_t flags;		/* JD_CHUNK_* */
	uint32_t record_size;	/* fixed size, 0 when JD_CHUNK_VARIABLE */
	uint32_t record_format;	/* what the records are; 0: unspecified */
	uint64_t nr_records;
	uint64_t first_ts, last_ts;
	const void *data;
	uint64_t size;		/* bytes at @data */
	/*
	 * Writing: the caller walked the variable-size records already
	 * (nr_records is their count, every size is sound), so the writer
	 * does not walk them again. Not stored.
	 */
	bool counted;
};

struct jd_block {
	uint64_t start;		/* native address */
	uint32_t len;		/* bytes */
	uint32_t func;		/* kallsyms index or JD_NO_FUNC */
	uint32_t flags;
};

struct jd_counter {
	uint32_t block;		/* index into the block table */
	uint64_t count;
};

struct jd_lost {
	uint32_t cpu;
	uint64_t lost;
};

/* A JD_SEC_DUMP section: a plugin's records, framing checked */
struct jd_dump {
	const char *name;	/* the plugin, NUL-terminated in the file */
	const void *data;	/* records: u32 size, u32 type, ... */
	uint64_t size;		/* bytes at @data */
};

/* sysstat's dump (JD_DUMP_SYSSTAT_* records), decoded by jd_sysstat() */
#define JD_DUMP_SYSSTAT_FUNC	4	/* jifl_rec_sysstat */
#define JD_DUMP_SYSSTAT_SUM	5	/* jifl_rec_sysstat_sum */
#define JD_DUMP_SYSSTAT_FUNC_SIZE	40
#define JD_DUMP_SYSSTAT_SUM_SIZE	72

struct jd_sysstat_func {
	uint64_t func;		/* native address of the attached function */
	uint64_t calls, blocks, insns;
};

struct jd_sysstat {
	struct jd_sysstat_func *funcs;	/* malloc()ed, file order */
	uint32_t nr_funcs;
	/* the sum record */
	uint64_t blocks, insns;		/* executed in the session */
	uint64_t unattr_blocks, unattr_insns;	/* outside returned calls */
	uint64_t unfinished, untracked, func_overflow;
	uint64_t switches;	/* intervals closed by a context switch */
};

/**
 * jd_crc32c() - CRC-32C (Castagnoli), as used by the section checksums
 * @crc:	0 to start, or the result of a previous call to continue
 * @buf:	bytes
 * @len:	number of bytes
 *
 * Return: the CRC of everything fed so far.
 */
uint32_t jd_crc32c(uint32_t crc, const void *buf, size_t len);

/* The same by table lookups: what jd_crc32c() uses without SSE4.2. */
uint32_t jd_crc32c_portable(uint32_t crc, const void *buf, size_t len);

/* ---- writer ------------------------------------------------------------ */

struct jd_writer;

/**
 * jd_writer_create() - create (truncate) a jifl.data file
 * @path:	file to write
 * @why:	on failure, what went wrong and what to do
 * @why_len:	size of @why
 *
 * Writes a placeholder header; the file is valid only after
 * jd_writer_close().
 *
 * Return: a writer, or NULL (errno set).
 */
struct jd_writer *jd_writer_create(const char *path, char *why,
				   size_t why_len);

/**
 * jd_writer_splice() - append large buffers with vmsplice() and splice()
 * @w:	writer of a regular file
 *
 * From then on, appends of 64 KiB or more go through a pipe: the kernel
 * copies the pages once with memcpy (no copy_from_user), which costs the
 * recorder fewer instructions per byte of ring. A buffer is free again
 * when the append returns. Memory vmsplice() refuses is written instead.
 *
 * Return: 0, or -EINVAL when the file is not a regular one (to a pipe the
 * pages would be passed on by reference), or -errno from pipe2().
 */
int jd_writer_splice(struct jd_writer *w);

/**
 * jd_section_begin() - start streaming a section
 * @w:		writer
 * @type:	an enum jd_section_type, or any other value (readers skip it)
 * @flags:	section flags (0; reserved)
 *
 * Follow with jd_section_append() calls and one jd_section_end().
 *
 * Return: 0 or -errno.
 */
int jd_section_begin(struct jd_writer *w, uint32_t type, uint32_t flags);
int jd_section_append(struct jd_writer *w, const void *buf, size_t len);
int jd_section_end(struct jd_writer *w);

/* One whole section; 0 or -errno. */
int jd_write_section(struct jd_writer *w, uint32_t type, const void *buf,
		     size_t len);

/*
 * The typed writers below encode a section from native structs; each
 * returns 0 or -errno.  Every type but JD_SEC_CHUNK may appear once.
 */
int jd_write_uname(struct jd_writer *w, const char *release);
int jd_write_cmdline(struct jd_writer *w, int argc, const char *const *argv);
int jd_write_cpus(struct jd_writer *w, uint32_t online, uint32_t configured);
int jd_write_clock(struct jd_writer *w, const struct jd_clock *c);
int jd_write_build_id(struct jd_writer *w, const struct jd_build_id *id);
int jd_write_kernel(struct jd_writer *w, const struct jd_kernel *k);
int jd_write_modules(struct jd_writer *w, const struct jd_module *mods,
		     uint32_t n);
/* @ks->syms need not be sorted: the writer sorts a copy (stable). */
int jd_write_kallsyms(struct jd_writer *w, const struct jd_kallsyms *ks);
/* @c->data/@c->size are the records; checked against the counts. */
int jd_write_chunk(struct jd_writer *w, const struct jd_chunk *c);
int jd_write_blocks(struct jd_writer *w, const struct jd_block *b,
		    uint32_t n);
int jd_write_counters(struct jd_writer *w, const struct jd_counter *c,
		      uint32_t n);
int jd_write_lost(struct jd_writer *w, const struct jd_lost *l, uint32_t n);
/* @kv: @n "key=value" strings (keys in man/jifl-data.5: tool, plugins, ...) */
int jd_write_recording(struct jd_writer *w, uint32_t n,
		       const char *const *kv);

/**
 * jd_writer_error() - the first error met by @w
 *
 * Return: a sentence, or "" when no error happened.
 */
const char *jd_writer_error(const struct jd_writer *w);

/**
 * jd_writer_close() - write the section table, patch the header, close
 * @w:		writer (freed)
 * @why:	on failure, what went wrong (including earlier errors)
 * @why_len:	size of @why
 *
 * Safe to call after an interrupted recording: everything appended by
 * completed calls ends up in a valid file.
 *
 * Return: 0 or -errno.
 */
int jd_writer_close(struct jd_writer *w, char *why, size_t why_len);

/* ---- reader ------------------------------------------------------------ */

struct jd_file {
	uint16_t major, minor;
	uint64_t flags;
	uint64_t file_size;
	uint32_t present;	/* bit (1 << type) per known section found */
	uint32_t nr_sections;
	uint32_t nr_unknown;	/* sections skipped: unknown types */

	const char *uname;
	uint32_t argc;
	const char **argv;	/* argc entries, then NULL */
	uint32_t cpus_online, cpus_configured;
	struct jd_clock clock;
	struct jd_build_id build_id;
	struct jd_kernel kernel;
	struct jd_module *modules;
	uint32_t nr_modules;
	struct jd_kallsyms kallsyms;
	struct jd_chunk *chunks;
	uint32_t nr_chunks;
	struct jd_block *blocks;
	uint32_t nr_blocks;
	struct jd_counter *counters;
	uint32_t nr_counters;
	struct jd_lost *lost;
	uint32_t nr_lost;
	struct jd_dump *dumps;	/* JD_SEC_DUMP sections, file order */
	uint32_t nr_dumps;
	uint32_t nr_recording;
	const char **recording;	/* "key=value" strings, then NULL */

	/* private */
	void *map;
	size_t map_len;
};

/**
 * jd_open() - map and validate a jifl.data file
 * @path:	file to read
 * @why:	on failure, what is wrong and what to do
 * @why_len:	size of @why
 *
 * Strings and chunk data point into the mapping, valid until jd_close().
 *
 * Return: the decoded file, or NULL (errno set: EINVAL corrupt,
 * EPROTONOSUPPORT newer major version, or the error of open/mmap).
 */
struct jd_file *jd_open(const char *path, char *why, size_t why_len);

/**
 * jd_open_mem() - validate a jifl.data image in memory
 * @buf:	the bytes (not copied: must outlive the result)
 * @len:	number of bytes
 * @why:	on failure, what is wrong
 * @why_len:	size of @why
 *
 * Return: as jd_open().
 */
struct jd_file *jd_open_mem(const void *buf, size_t len, char *why,
			    size_t why_len);

void jd_close(struct jd_file *f);

/* The dump of plugin @name, or NULL when @f has none. */
const struct jd_dump *jd_find_dump(const struct jd_file *f,
				   const char *name);

/**
 * jd_sysstat() - decode sysstat's dump
 * @f:		an open file
 * @ss:		filled (free ->funcs); zeroed when there is no dump
 * @why:	on -EINVAL, which record is wrong
 * @why_len:	size of @why
 *
 * Record sizes are checked (a function record of 40 bytes or more, one
 * sum record of 72 or more, last); unknown record types are skipped.
 *
 * Return: 0; -ENOENT when @f has no sysstat dump; -EINVAL for a corrupt
 * dump; -ENOMEM.
 */
int jd_sysstat(const struct jd_file *f, struct jd_sysstat *ss, char *why,
	       size_t why_len);

/**
 * jd_ksym_lookup() - the symbol an address belongs to
 * @ks:		snapshot
 * @addr:	address
 * @offset:	if not NULL, set to @addr minus the symbol's address
 *
 * Finds the symbol with the greatest address at or below @addr (the
 * first of several at the same address).
 *
 * Return: the symbol, or NULL when addresses are hidden, @addr lies
 * before the first symbol or at or past @ks->end.
 */
const struct jd_ksym *jd_ksym_lookup(const struct jd_kallsyms *ks,
				     uint64_t addr, uint64_t *offset);

/* The value of @key in the RECORDING section, or NULL when not recorded. */
const char *jd_recording_get(const struct jd_file *f, const char *key);

/* A short name for a section type: "kallsyms", ..., or NULL if unknown. */
const char *jd_section_name(uint32_t type);

#endif /* JIFL_DATA_FILE_H */
