/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source-level symbols for recorded kernel addresses, through libdwfl.
 *
 * A recording (jifl.data) holds runtime addresses of the recorded kernel:
 * vmlinux slid by KASLR (the file records the runtime _text) and modules
 * loaded at the bases the file records.  This resolver finds the debug
 * information of vmlinux and of each module the standard ways, checks it
 * against the recorded build-ids, maps runtime addresses back to the
 * objects' own addresses and answers: function, offset, source file and
 * line, and the chain of inlined functions.  Answers are cached by
 * address: a report asks about the same blocks many times.
 *
 * Where debug information comes from, for a kernel release REL recorded
 * in the file (each path below is also tried under --symfs DIR):
 *   vmlinux  -k FILE; /usr/lib/debug/boot/vmlinux-REL;
 *            /usr/lib/debug/lib/modules/REL/vmlinux; /boot/vmlinux-REL;
 *            /lib/modules/REL/build/vmlinux; by build-id in
 *            /usr/lib/debug/.build-id/; then debuginfod (DEBUGINFOD_URLS,
 *            through libdebuginfod.so.1 when it is installed)
 *   modules  NAME.ko (also with '-' for '_', compressed or not) under
 *            DIR itself, /usr/lib/debug/lib/modules/REL and
 *            /lib/modules/REL; a stripped .ko's debug file is looked up
 *            by build-id and .gnu_debuglink (libdwfl, with debuginfod)
 *
 * An object whose build-id differs from the recorded one is not used:
 * the warning names the file.  Objects are opened lazily, on the first
 * address that needs them.
 */
#ifndef JIFL_SYMBOLS_H
#define JIFL_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/data-file.h"

struct symbols_opts {
	const char *vmlinux;	/* -k FILE, or NULL */
	const char *symfs;	/* --symfs DIR, or NULL */
	bool no_inline;		/* do not resolve inline chains */
	FILE *warn;		/* warnings and hints (stderr); NULL: silent */
	const char *prog;	/* "jifl report", prefix of the messages */
};

/* One inlined call: @func was inlined, called from @file:@line. */
struct sym_inline {
	const char *func;
	const char *call_file;
	unsigned int call_line;
};

struct sym_src {
	const char *module;	/* "" for vmlinux */
	const char *func;	/* containing (outermost) function, or NULL */
	uint64_t func_start;	/* its runtime address */
	uint64_t func_size;	/* 0 when unknown */
	const char *file;	/* source file of the address, or NULL */
	unsigned int line;	/* its line (0: unknown) */
	unsigned int nr_inline;	/* inlined calls, innermost first */
	const struct sym_inline *inl;
	bool has_dwarf;		/* the object had debug info (->file may
				 * still be NULL: code without lines) */
};

/* A line-table row, in runtime addresses: [start, end) is @file:@line. */
struct sym_row {
	uint64_t start, end;
	const char *file;
	unsigned int line;
};

struct symbols;

/**
 * symbols_new() - a resolver for the kernel a file was recorded on
 * @f:		the recording; must outlive the resolver
 * @o:		options (copied)
 *
 * Opens nothing yet.  Return: the resolver, or NULL when out of memory.
 */
struct symbols *symbols_new(const struct jd_file *f,
			    const struct symbols_opts *o);
void symbols_free(struct symbols *s);

/**
 * symbols_lookup() - source information for a runtime address
 * @s:		resolver
 * @addr:	runtime address
 * @out:	filled; strings stay valid until symbols_free()
 *
 * Return: true when debug information covers @addr (->file may still be
 * NULL for code without line information).
 */
bool symbols_lookup(struct symbols *s, uint64_t addr, struct sym_src *out);

/**
 * symbols_rows() - the line table of a runtime address range
 * @s:		resolver
 * @start:	first address
 * @end:	one past the last
 * @rows:	set to an array of rows overlapping [@start, @end), sorted by
 *		address (valid until symbols_free(); do not free)
 *
 * Return: the number of rows, 0 when there are none or no debug info.
 */
size_t symbols_rows(struct symbols *s, uint64_t start, uint64_t end,
		    const struct sym_row **rows);

/**
 * symbols_func_decl() - where the function containing @addr is declared
 * @s:		resolver
 * @addr:	runtime address
 * @file:	set to its source file
 * @line:	set to the line of its declaration
 *
 * Return: false without debug information.
 */
bool symbols_func_decl(struct symbols *s, uint64_t addr, const char **file,
		       unsigned int *line);

/**
 * symbols_code() - the bytes of an object's code at a runtime address
 * @s:		resolver
 * @addr:	runtime address
 * @len:	bytes wanted
 * @buf:	filled with the object file's bytes (relocations not applied)
 *
 * Return: true if the object file holds all @len bytes at @addr.
 */
bool symbols_code(struct symbols *s, uint64_t addr, size_t len, uint8_t *buf);

/**
 * symbols_reloc_name() - a relocation target within [@addr, @addr + @len)
 *
 * For relocatable objects (modules), whose call and jump targets are only
 * known once relocated: the symbol a relocation in the range refers to.
 *
 * Return: the symbol name (set *@addend) or NULL.
 */
const char *symbols_reloc_name(struct symbols *s, uint64_t addr, size_t len,
			       int64_t *addend);

/*
 * The objects missing debug information among those asked about, as one
 * hint line ("...: install linux-image-REL-dbg ..."), or NULL when every
 * object asked about had it.
 */
const char *symbols_hint(struct symbols *s);

/*
 * The objects asked about and where their debug information came from,
 * for a report header: "vmlinux: none; jifl_target: /path/jifl_target.ko".
 * Valid until the next call or symbols_free(); "" when none was asked.
 */
const char *symbols_describe(struct symbols *s);

/* Whether any object asked about had line information. */
bool symbols_have_lines(const struct symbols *s);

#endif /* JIFL_SYMBOLS_H */
