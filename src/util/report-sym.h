/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbol resolution for `jifl report`: native kernel address -> symbol,
 * offset and module.
 *
 * A resolver is a small object with a resolve() method; resolvers chain,
 * the first to answer wins.  The first implementation resolves through the
 * kallsyms snapshot in jifl.data (KASLR-safe: the snapshot was taken on the
 * recording machine, with the recording's addresses).  Later ones (DWARF
 * through libdw for source lines, vmlinux ELF symbols with sizes) fill the
 * optional fields of struct report_sym and go in front of it in the chain.
 */
#ifndef JIFL_REPORT_SYM_H
#define JIFL_REPORT_SYM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/data-file.h"
#include "util/symbols.h"

struct report_sym {
	const char *name;	/* symbol name */
	const char *module;	/* "" for vmlinux */
	uint64_t start;		/* the symbol's address */
	uint64_t offset;	/* address - start */
	/* filled by the DWARF resolver; NULL/0 when unknown */
	const char *srcfile;
	unsigned int srcline;
	unsigned int nr_inline;		/* inlined calls, innermost first */
	const struct sym_inline *inl;
	/*
	 * Why @srcfile is NULL for a known address, for the marks of the
	 * function+offset fallback: "no debuginfo" (none found for its
	 * object) or "no line info" (debug info without lines for it).
	 */
	const char *no_src;
};

struct report_resolver {
	const char *name;	/* "kallsyms", for messages */
	/*
	 * Fills @out and returns true when @addr is known; @out's strings
	 * stay valid until destroy().
	 */
	bool (*resolve)(struct report_resolver *r, uint64_t addr,
			struct report_sym *out);
	void (*destroy)(struct report_resolver *r);
	void *priv;
	struct report_resolver *next;	/* asked when this one fails */
	/* why this resolver cannot resolve anything, or NULL */
	const char *unusable;
};

/**
 * report_resolver_kallsyms() - a resolver over jifl.data's kallsyms snapshot
 * @f:	the open file; must outlive the resolver
 *
 * Always returns a resolver (NULL only when out of memory); when the file
 * has no snapshot, or one taken with addresses hidden, it resolves nothing
 * and ->unusable says why.
 */
struct report_resolver *report_resolver_kallsyms(const struct jd_file *f);

/**
 * report_resolver_dwarf() - source lines through debug info (symbols.h)
 * @f:		the open file
 * @syms:	debug information (owned by the caller, outlives the resolver)
 *
 * Names functions as kallsyms does (the recorded snapshot first, the
 * object's symbol table when kallsyms does not know the address) and adds
 * the source file, line and inline chain.  Put it in front of nothing
 * else: it answers whenever kallsyms or the debug info knows the address.
 */
struct report_resolver *report_resolver_dwarf(const struct jd_file *f,
					      struct symbols *syms);

/**
 * report_resolver_new() - the names a command shows for a recording
 * @f:		the open file; must outlive the resolver
 * @dwarf:	through debug information (-k, --symfs, source keys), else
 *		the recorded kallsyms snapshot alone
 * @so:		where to look for debug information (used when @dwarf)
 * @syms:	set to the debug information opened for @dwarf (free it with
 *		symbols_free() after the resolver), NULL otherwise
 *
 * Return: the resolver, or NULL when out of memory.
 */
struct report_resolver *report_resolver_new(const struct jd_file *f,
					    bool dwarf,
					    const struct symbols_opts *so,
					    struct symbols **syms);

/* Asks @chain in order; false (and @out cleared) when none knows @addr. */
bool report_resolve(struct report_resolver *chain, uint64_t addr,
		    struct report_sym *out);

/* Destroys every resolver of @chain. */
void report_resolver_free(struct report_resolver *chain);

#endif /* JIFL_REPORT_SYM_H */
