// SPDX-License-Identifier: GPL-2.0
/*
 * Source-level symbols through libdwfl; see symbols.h.
 *
 * Each debug object (vmlinux, a module) gets its own offline Dwfl session,
 * so that objects never overlap in libdwfl's address space.  An address is
 * mapped from the recorded runtime address to the object's address by
 * section: vmlinux by the KASLR slide (recorded _text minus the link-time
 * _text), a module's executable sections by the recorded kallsyms (the
 * runtime address of a function minus its offset in its section), and
 * failing that .text at the module base recorded in /proc/modules.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/grow.h"
#include "util/symbols.h"

#define OBJ_VMLINUX	0	/* objs[0]; modules follow */

enum obj_state {
	OBJ_UNTRIED,
	OBJ_OK,
	OBJ_MISSING,	/* no file found */
	OBJ_UNUSABLE,	/* found, but wrong build-id or not relocatable */
};

struct obj_sec {
	uint64_t rt;		/* runtime address; 0: not loaded/unknown */
	uint64_t lib;		/* address in the object's Dwfl */
	uint64_t size;
	size_t idx;		/* ELF section index */
	struct reloc *rel;	/* sorted relocations (modules), lazily */
	size_t nrel;
	bool rel_done;
};

struct reloc {
	uint64_t off;		/* offset in the section */
	const char *sym;
	int64_t addend;
};

struct obj {
	char *name;		/* "vmlinux" or the module's name */
	const struct jd_build_id *want_id;	/* recorded, may be empty */
	enum obj_state state;
	bool asked;		/* some address needed it */
	bool has_dwarf;
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;		/* main ELF, as libdwfl laid it out */
	Elf *raw;		/* the same file unrelocated (modules) */
	int raw_fd;
	GElf_Addr bias;
	struct obj_sec *secs;
	size_t nsecs;
	struct sym_row *rows;	/* runtime addresses, sorted */
	size_t nrows;
	bool rows_done;
	int debuginfod_fd;
};

struct cache_ent {
	uint64_t addr;
	bool used, found;
	struct sym_src src;
};

struct symbols {
	const struct jd_file *f;
	struct symbols_opts o;
	const char *release;
	struct obj *objs;	/* [0] vmlinux, [1 + i] f->modules[i] */
	size_t nobjs;
	/* module name -> file, from a walk of the module directories */
	char **idx_name, **idx_path;
	size_t idx_n, idx_cap;
	bool idx_done;
	struct cache_ent *cache;
	size_t cache_cap, cache_n;
	char *hint;
	char *desc;
	bool have_lines;
};

static char *const debuginfo_path_default = NULL;

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = NULL,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = (char **)&debuginfo_path_default,
};

static void warnf(struct symbols *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct symbols *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o.warn)
		return;
	fprintf(s->o.warn, "%s: warning: ", s->o.prog ? s->o.prog : "jifl");
	va_start(ap, fmt);
	vfprintf(s->o.warn, fmt, ap);
	va_end(ap);
	fputc('\n', s->o.warn);
}

/* "jifl_target" and "jifl-target" name the same module. */
static void norm_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i] == '-' ? '_' : src[i];
	dst[i] = '\0';
}

struct symbols *symbols_new(const struct jd_file *f,
			    const struct symbols_opts *o)
{
	struct symbols *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	s->f = f;
	s->o = *o;
	s->release = (f->present & (1U << JD_SEC_UNAME)) ? f->uname : NULL;
	s->nobjs = 1 + f->nr_modules;
	s->objs = calloc(s->nobjs, sizeof(*s->objs));
	if (!s->objs) {
		free(s);
		return NULL;
	}
	s->objs[OBJ_VMLINUX].name = strdup("vmlinux");
	s->objs[OBJ_VMLINUX].want_id = &f->build_id;
	for (i = 0; i < f->nr_modules; i++) {
		s->objs[1 + i].name = strdup(f->modules[i].name);
		s->objs[1 + i].want_id = &f->modules[i].build_id;
	}
	for (i = 0; i < s->nobjs; i++) {
		s->objs[i].debuginfod_fd = -1;
		s->objs[i].raw_fd = 0;	/* 0: not opened yet */
		if (!s->objs[i].name) {
			symbols_free(s);
			return NULL;
		}
	}
	return s;
}

void symbols_free(struct symbols *s)
{
	size_t i, k;

	if (!s)
		return;
	for (i = 0; i < s->nobjs; i++) {
		struct obj *ob = &s->objs[i];

		if (ob->dwfl)
			dwfl_end(ob->dwfl);
		if (ob->raw)
			elf_end(ob->raw);
		if (ob->raw_fd > 0)
			close(ob->raw_fd);
		if (ob->debuginfod_fd >= 0)
			close(ob->debuginfod_fd);
		for (k = 0; k < ob->nsecs; k++)
			free(ob->secs[k].rel);
		free(ob->secs);
		free(ob->rows);
		free(ob->path);
		free(ob->name);
	}
	free(s->objs);
	for (i = 0; i < s->idx_n; i++) {
		free(s->idx_name[i]);
		free(s->idx_path[i]);
	}
	free(s->idx_name);
	free(s->idx_path);
	for (i = 0; i < s->cache_cap; i++)
		if (s->cache[i].used)
			free((void *)s->cache[i].src.inl);
	free(s->cache);
	free(s->hint);
	free(s->desc);
	free(s);
}

/* ---- finding files ------------------------------------------------------- */

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static void prefixed(char *buf, size_t len, const char *symfs,
		     const char *path)
{
	snprintf(buf, len, "%s%s", symfs ? symfs : "", path);
}

/* The module index being built by nftw (no user pointer in nftw). */
static struct symbols *walk_s;

static int idx_add(struct symbols *s, const char *name, const char *path)
{
	size_t i;

	for (i = 0; i < s->idx_n; i++)
		if (!strcmp(s->idx_name[i], name))
			return 0;	/* the first directory wins */
	if (s->idx_n == s->idx_cap) {
		size_t cap_name = s->idx_cap, cap_path = s->idx_cap;

		if (GROW(s->idx_name, cap_name, s->idx_n + 1, 256) ||
		    GROW(s->idx_path, cap_path, s->idx_n + 1, 256))
			return -1;
		s->idx_cap = cap_name;
	}
	s->idx_name[s->idx_n] = strdup(name);
	s->idx_path[s->idx_n] = strdup(path);
	if (!s->idx_name[s->idx_n] || !s->idx_path[s->idx_n])
		return -1;
	s->idx_n++;
	return 0;
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	static const char *const exts[] = { ".ko", ".ko.xz", ".ko.gz",
					    ".ko.zst", ".ko.debug" };
	const char *base = path + ftw->base;
	char name[256];
	size_t i, bl = strlen(base);

	(void)st;
	if (type != FTW_F)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);

		if (bl > el && !strcmp(base + bl - el, exts[i])) {
			if (bl - el >= sizeof(name))
				return 0;
			memcpy(name, base, bl - el);
			name[bl - el] = '\0';
			norm_name(name, sizeof(name), name);
			return idx_add(walk_s, name, path) ? -1 : 0;
		}
	}
	return 0;
}

static void build_index(struct symbols *s)
{
	char dir[4096];

	if (s->idx_done)
		return;
	s->idx_done = true;
	walk_s = s;
	/* --symfs DIR itself first: a build directory holding NAME.ko */
	if (s->o.symfs)
		nftw(s->o.symfs, walk_one, 16, FTW_PHYS);
	if (s->release) {
		snprintf(dir, sizeof(dir), "%s/usr/lib/debug/lib/modules/%s",
			 s->o.symfs ? s->o.symfs : "", s->release);
		nftw(dir, walk_one, 16, FTW_PHYS);
		snprintf(dir, sizeof(dir), "%s/lib/modules/%s",
			 s->o.symfs ? s->o.symfs : "", s->release);
		nftw(dir, walk_one, 16, FTW_PHYS);
	}
	walk_s = NULL;
}

static const char *find_module_file(struct symbols *s, const char *name)
{
	char n[256];
	size_t i;

	build_index(s);
	norm_name(n, sizeof(n), name);
	for (i = 0; i < s->idx_n; i++)
		if (!strcmp(s->idx_name[i], n))
			return s->idx_path[i];
	return NULL;
}

static void hex_id(char *buf, size_t len, const uint8_t *id, size_t n)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", id[i]);
}

/*
 * debuginfod, when libdebuginfod.so.1 is installed and DEBUGINFOD_URLS set:
 * loaded at run time so that jifl needs no build dependency for it.
 */
static int debuginfod_fetch(const struct jd_build_id *id, char **path)
{
	typedef void *(*begin_fn)(void);
	typedef int (*find_fn)(void *, const unsigned char *, int, char **);
	typedef void (*end_fn)(void *);
	const char *urls = getenv("DEBUGINFOD_URLS");
	void *lib, *client;
	begin_fn begin;
	find_fn find;
	end_fn end;
	int fd = -1;

	if (!urls || !*urls || !id->size)
		return -1;
	lib = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -1;
	begin = (begin_fn)dlsym(lib, "debuginfod_begin");
	find = (find_fn)dlsym(lib, "debuginfod_find_debuginfo");
	end = (end_fn)dlsym(lib, "debuginfod_end");
	if (begin && find && end) {
		client = begin();
		if (client) {
			fd = find(client, id->data, (int)id->size, path);
			end(client);
		}
	}
	/* keep the library loaded: libdw may use it too */
	return fd;
}

/* ---- opening an object --------------------------------------------------- */

static int add_sec(struct obj *ob, size_t idx, uint64_t lib, uint64_t size)
{
	struct obj_sec *t = realloc(ob->secs, (ob->nsecs + 1) * sizeof(*t));

	if (!t)
		return -1;
	ob->secs = t;
	memset(&t[ob->nsecs], 0, sizeof(*t));
	t[ob->nsecs].idx = idx;
	t[ob->nsecs].lib = lib;
	t[ob->nsecs].size = size;
	ob->nsecs++;
	return 0;
}

static int cmp_ksym_name(const void *a, const void *b)
{
	const struct jd_ksym *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/*
 * Runtime addresses of a module's executable sections: for each function
 * symbol of the .ko, its recorded kallsyms address minus its value
 * (section-relative in a relocatable object).
 */
static void place_module_sections(struct symbols *s, struct obj *ob,
				  uint64_t base)
{
	const struct jd_kallsyms *ks = &s->f->kallsyms;
	const struct jd_ksym **mine = NULL;
	size_t nmine = 0, i, k;
	Elf_Scn *scn = NULL;

	if (!(ks->flags & JD_KF_ADDRS_HIDDEN))
		mine = malloc((ks->count ? ks->count : 1) * sizeof(*mine));
	for (i = 0; mine && i < ks->count; i++)
		if (ks->syms[i].module && !strcmp(ks->syms[i].module, ob->name))
			mine[nmine++] = &ks->syms[i];
	if (nmine)
		qsort(mine, nmine, sizeof(*mine), cmp_ksym_name);

	while (nmine && (scn = elf_nextscn(ob->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && sh.sh_entsize &&
			    i < sh.sh_size / sh.sh_entsize; i++) {
			struct jd_ksym key;
			const struct jd_ksym *kp = &key, **hit;
			GElf_Sym sym;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			for (k = 0; k < ob->nsecs; k++)
				if (ob->secs[k].idx == sym.st_shndx)
					break;
			if (k == ob->nsecs || ob->secs[k].rt)
				continue;
			key.name = elf_strptr(ob->elf, sh.sh_link, sym.st_name);
			if (!key.name)
				continue;
			hit = bsearch(&kp, mine, nmine, sizeof(*mine),
				      cmp_ksym_name);
			if (hit && (*hit)->addr >= sym.st_value)
				ob->secs[k].rt = (*hit)->addr - sym.st_value;
		}
	}
	free(mine);

	/* no kallsyms: .text at the recorded base */
	for (k = 0; k < ob->nsecs; k++) {
		const char *n;
		GElf_Shdr sh;
		size_t shstr;
		Elf_Scn *sc = elf_getscn(ob->elf, ob->secs[k].idx);

		if (ob->secs[k].rt || !base || !sc || !gelf_getshdr(sc, &sh) ||
		    elf_getshdrstrndx(ob->elf, &shstr))
			continue;
		n = elf_strptr(ob->elf, shstr, sh.sh_name);
		if (n && !strcmp(n, ".text"))
			ob->secs[k].rt = base;
	}
}

/* The link-time address of a symbol of an executable's symbol table. */
static bool elf_sym_value(Elf *elf, const char *name, uint64_t *value)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			n = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (n && !strcmp(n, name)) {
				*value = sym.st_value;
				return true;
			}
		}
	}
	return false;
}

/*
 * Without a symbol table (a vmlinux extracted from vmlinuz), _text is
 * where the first executable segment starts.
 */
static bool first_exec_segment(Elf *elf, uint64_t *vaddr)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_flags & PF_X)) {
			*vaddr = ph.p_vaddr;
			return true;
		}
	}
	return false;
}

static bool report_file(struct obj *ob, const char *modname, const char *path,
			int fd)
{
	ob->dwfl = dwfl_begin(&offline_callbacks);
	if (!ob->dwfl)
		return false;
	dwfl_report_begin(ob->dwfl);
	ob->mod = fd >= 0 ? dwfl_report_offline(ob->dwfl, modname, path, fd) :
			    dwfl_report_offline(ob->dwfl, modname, path, -1);
	dwfl_report_end(ob->dwfl, NULL, NULL);
	if (!ob->mod) {
		dwfl_end(ob->dwfl);
		ob->dwfl = NULL;
		return false;
	}
	return true;
}

/* Compares the file's build-id with the recorded one; false: mismatch. */
static bool check_build_id(struct symbols *s, struct obj *ob)
{
	const unsigned char *bits;
	char got[2 * JD_BUILD_ID_MAX + 1], want[2 * JD_BUILD_ID_MAX + 1];
	GElf_Addr vaddr;
	int n;

	if (!ob->want_id || !ob->want_id->size)
		return true;	/* nothing recorded to check against */
	n = dwfl_module_build_id(ob->mod, &bits, &vaddr);
	if (n <= 0) {
		warnf(s, "%s has no build-id: cannot check that it is the recorded %s",
		      ob->path, ob->name);
		return true;
	}
	if ((size_t)n == ob->want_id->size &&
	    !memcmp(bits, ob->want_id->data, (size_t)n))
		return true;
	hex_id(got, sizeof(got), bits, (size_t)n);
	hex_id(want, sizeof(want), ob->want_id->data, ob->want_id->size);
	warnf(s, "%s: build-id %s does not match the recorded %s (%s): not using it; name the right file%s",
	      ob->path, got, ob->name, want,
	      ob - s->objs == OBJ_VMLINUX ? " with -k" : "'s directory with --symfs");
	return false;
}

static void open_vmlinux(struct symbols *s, struct obj *ob)
{
	const char *rel = s->release ? s->release : "";
	char cand[6][4096], idpath[4096], hex[2 * JD_BUILD_ID_MAX + 1];
	uint64_t link_text;
	char *dpath = NULL;
	size_t i, nc = 0;
	int fd = -1;

	if (s->o.vmlinux) {
		snprintf(cand[nc++], sizeof(cand[0]), "%s", s->o.vmlinux);
	} else if (s->release) {
		char p[4096];

		snprintf(p, sizeof(p), "/usr/lib/debug/boot/vmlinux-%s", rel);
		prefixed(cand[nc++], sizeof(cand[0]), s->o.symfs, p);
		snprintf(p, sizeof(p), "/usr/lib/debug/lib/modules/%s/vmlinux", rel);
		prefixed(cand[nc++], sizeof(cand[0]), s->o.symfs, p);
		snprintf(p, sizeof(p), "/boot/vmlinux-%s", rel);
		prefixed(cand[nc++], sizeof(cand[0]), s->o.symfs, p);
		snprintf(p, sizeof(p), "/lib/modules/%s/build/vmlinux", rel);
		prefixed(cand[nc++], sizeof(cand[0]), s->o.symfs, p);
	}
	if (!s->o.vmlinux && ob->want_id->size) {
		hex_id(hex, sizeof(hex), ob->want_id->data, ob->want_id->size);
		snprintf(idpath, sizeof(idpath),
			 "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2);
		prefixed(cand[nc++], sizeof(cand[0]), s->o.symfs, idpath);
	}
	ob->state = OBJ_MISSING;
	for (i = 0; i < nc && !ob->dwfl; i++) {
		if (!is_file(cand[i])) {
			if (s->o.vmlinux)
				warnf(s, "%s: no such file (-k)", cand[i]);
			continue;
		}
		if (report_file(ob, "kernel", cand[i], -1))
			ob->path = strdup(cand[i]);
		else
			warnf(s, "%s: not an ELF file libdwfl can read: %s",
			      cand[i], dwfl_errmsg(-1));
	}
	if (!ob->dwfl && !s->o.vmlinux) {
		fd = debuginfod_fetch(ob->want_id, &dpath);
		if (fd >= 0 && report_file(ob, "kernel", dpath, fd)) {
			ob->debuginfod_fd = -1;	/* libdwfl owns it */
			ob->path = dpath;
			dpath = NULL;
		} else if (fd >= 0) {
			close(fd);
		}
		free(dpath);
	}
	if (!ob->dwfl)
		return;
	ob->state = OBJ_UNUSABLE;
	if (!check_build_id(s, ob))
		return;
	ob->elf = dwfl_module_getelf(ob->mod, &ob->bias);
	if (!ob->elf || (!elf_sym_value(ob->elf, "_text", &link_text) &&
			 !first_exec_segment(ob->elf, &link_text))) {
		warnf(s, "%s: no _text symbol nor executable segment: cannot relocate it",
		      ob->path);
		return;
	}
	if (!s->f->kernel.text) {
		warnf(s, "the recording hides the kernel's addresses (kptr_restrict): %s cannot be relocated for KASLR",
		      ob->path);
		return;
	}
	/* one range: the whole kernel image slides together */
	if (add_sec(ob, 0, link_text + ob->bias, UINT64_MAX - s->f->kernel.text))
		return;
	ob->secs[0].rt = s->f->kernel.text;
	ob->state = OBJ_OK;
}

static void open_module(struct symbols *s, struct obj *ob, uint64_t base)
{
	const char *path = find_module_file(s, ob->name);
	Elf_Scn *scn = NULL;

	ob->state = OBJ_MISSING;
	if (!path)
		return;
	ob->path = strdup(path);
	if (!ob->path || !report_file(ob, ob->name, path, -1)) {
		warnf(s, "%s: libdwfl cannot read it: %s", path, dwfl_errmsg(-1));
		return;
	}
	ob->state = OBJ_UNUSABLE;
	if (!check_build_id(s, ob))
		return;
	ob->elf = dwfl_module_getelf(ob->mod, &ob->bias);
	if (!ob->elf)
		return;
	/* libdwfl laid out the sections of the relocatable object */
	while ((scn = elf_nextscn(ob->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		if (add_sec(ob, elf_ndxscn(scn), sh.sh_addr + ob->bias,
			    sh.sh_size))
			return;
	}
	place_module_sections(s, ob, base);
	ob->state = OBJ_OK;
}

static void open_obj(struct symbols *s, struct obj *ob)
{
	Dwarf_Addr b;

	if (ob->state != OBJ_UNTRIED)
		return;
	if (ob == &s->objs[OBJ_VMLINUX])
		open_vmlinux(s, ob);
	else
		open_module(s, ob, s->f->modules[ob - s->objs - 1].base);
	if (ob->state == OBJ_OK) {
		ob->has_dwarf = dwfl_module_getdwarf(ob->mod, &b) != NULL;
		if (ob->has_dwarf)
			s->have_lines = true;
	}
}

/* The object an address belongs to, or NULL. */
static struct obj *obj_of(struct symbols *s, uint64_t addr)
{
	const struct jd_file *f = s->f;
	const struct jd_ksym *k;
	uint32_t i;

	if (f->kernel.text && addr >= f->kernel.text && addr < f->kernel.etext)
		return &s->objs[OBJ_VMLINUX];
	k = jd_ksym_lookup(&f->kallsyms, addr, NULL);
	if (k && k->module && k->module[0]) {
		for (i = 0; i < f->nr_modules; i++)
			if (!strcmp(f->modules[i].name, k->module))
				return &s->objs[1 + i];
	} else if (k) {
		return &s->objs[OBJ_VMLINUX];
	}
	for (i = 0; i < f->nr_modules; i++)
		if (f->modules[i].base && addr >= f->modules[i].base &&
		    addr - f->modules[i].base < f->modules[i].size)
			return &s->objs[1 + i];
	return NULL;
}

static struct obj_sec *sec_rt(struct obj *ob, uint64_t addr)
{
	size_t i;

	for (i = 0; i < ob->nsecs; i++)
		if (ob->secs[i].rt && addr >= ob->secs[i].rt &&
		    addr - ob->secs[i].rt < ob->secs[i].size)
			return &ob->secs[i];
	return NULL;
}

static struct obj_sec *sec_lib(struct obj *ob, uint64_t lib)
{
	size_t i;

	for (i = 0; i < ob->nsecs; i++)
		if (ob->secs[i].rt && lib >= ob->secs[i].lib &&
		    lib - ob->secs[i].lib < ob->secs[i].size)
			return &ob->secs[i];
	return NULL;
}

/* The object (open, usable) and its address for a runtime address. */
static struct obj *locate(struct symbols *s, uint64_t addr, uint64_t *lib,
			  struct obj_sec **secp)
{
	struct obj *ob = obj_of(s, addr);
	struct obj_sec *sec;

	if (!ob)
		return NULL;
	ob->asked = true;
	open_obj(s, ob);
	if (ob->state != OBJ_OK)
		return NULL;
	sec = sec_rt(ob, addr);
	if (!sec)
		return NULL;
	*lib = sec->lib + (addr - sec->rt);
	if (secp)
		*secp = sec;
	return ob;
}

/* ---- lookups ------------------------------------------------------------- */

static const char *call_file(Dwarf_Die *cu, Dwarf_Die *die)
{
	Dwarf_Attribute at;
	Dwarf_Files *files;
	Dwarf_Word idx;
	size_t nfiles;

	if (!dwarf_attr(die, DW_AT_call_file, &at) ||
	    dwarf_formudata(&at, &idx) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static void inline_chain(struct obj *ob, uint64_t lib, struct sym_src *out)
{
	struct sym_inline *inl = NULL;
	Dwarf_Die *cu, *scopes = NULL;
	Dwarf_Addr b;
	int n, i, k = 0;

	cu = dwfl_module_addrdie(ob->mod, lib, &b);
	if (!cu)
		return;
	n = dwarf_getscopes(cu, lib - b, &scopes);
	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			k++;
	if (k)
		inl = calloc((size_t)k, sizeof(*inl));
	for (i = 0, k = 0; inl && i < n; i++) {
		Dwarf_Attribute at;
		Dwarf_Word line = 0;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		inl[k].func = dwarf_diename(&scopes[i]);
		inl[k].call_file = call_file(cu, &scopes[i]);
		if (dwarf_attr(&scopes[i], DW_AT_call_line, &at))
			dwarf_formudata(&at, &line);
		inl[k].call_line = (unsigned int)line;
		k++;
	}
	free(scopes);
	out->inl = inl;
	out->nr_inline = inl ? (unsigned int)k : 0;
}

static bool lookup_uncached(struct symbols *s, uint64_t addr,
			    struct sym_src *out)
{
	struct obj *ob;
	GElf_Off off;
	GElf_Sym sym;
	Dwfl_Line *l;
	const char *name;
	uint64_t lib;
	int line = 0;

	memset(out, 0, sizeof(*out));
	ob = locate(s, addr, &lib, NULL);
	if (!ob)
		return false;
	out->module = ob == &s->objs[OBJ_VMLINUX] ? "" : ob->name;
	name = dwfl_module_addrinfo(ob->mod, lib, &off, &sym, NULL, NULL, NULL);
	if (name) {
		out->func = name;
		out->func_start = addr - off;
		out->func_size = sym.st_size;
	}
	if (!ob->has_dwarf)
		return name != NULL;
	out->has_dwarf = true;
	l = dwfl_module_getsrc(ob->mod, lib);
	if (l) {
		out->file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
		out->line = line > 0 ? (unsigned int)line : 0;
	}
	if (!s->o.no_inline)
		inline_chain(ob, lib, out);
	return true;
}

static uint64_t hash_addr(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	return a;
}

static int cache_grow(struct symbols *s)
{
	size_t cap = s->cache_cap ? 2 * s->cache_cap : 4096, i;
	struct cache_ent *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i < s->cache_cap; i++) {
		size_t h;

		if (!s->cache[i].used)
			continue;
		h = hash_addr(s->cache[i].addr) & (cap - 1);
		while (n[h].used)
			h = (h + 1) & (cap - 1);
		n[h] = s->cache[i];
	}
	free(s->cache);
	s->cache = n;
	s->cache_cap = cap;
	return 0;
}

bool symbols_lookup(struct symbols *s, uint64_t addr, struct sym_src *out)
{
	struct cache_ent *e;
	struct obj *ob;
	size_t h;

	/* objects without debug info answer nothing: no need to cache */
	ob = obj_of(s, addr);
	if (!ob || (ob->state != OBJ_UNTRIED && ob->state != OBJ_OK)) {
		if (ob)
			ob->asked = true;
		memset(out, 0, sizeof(*out));
		return false;
	}

	if (s->cache_cap) {
		h = hash_addr(addr) & (s->cache_cap - 1);
		while (s->cache[h].used) {
			if (s->cache[h].addr == addr) {
				*out = s->cache[h].src;
				return s->cache[h].found;
			}
			h = (h + 1) & (s->cache_cap - 1);
		}
	}
	if (2 * (s->cache_n + 1) > s->cache_cap && cache_grow(s))
		return lookup_uncached(s, addr, out);	/* leaks inl: rare */
	h = hash_addr(addr) & (s->cache_cap - 1);
	while (s->cache[h].used)
		h = (h + 1) & (s->cache_cap - 1);
	e = &s->cache[h];
	e->used = true;
	e->addr = addr;
	e->found = lookup_uncached(s, addr, &e->src);
	s->cache_n++;
	*out = e->src;
	return e->found;
}

bool symbols_func_decl(struct symbols *s, uint64_t addr, const char **file,
		       unsigned int *line)
{
	Dwarf_Die *cu, *scopes = NULL;
	struct obj *ob;
	uint64_t lib;
	Dwarf_Addr b;
	int n, i, l = 0;
	bool found = false;

	ob = locate(s, addr, &lib, NULL);
	if (!ob || !ob->has_dwarf)
		return false;
	cu = dwfl_module_addrdie(ob->mod, lib, &b);
	if (!cu)
		return false;
	n = dwarf_getscopes(cu, lib - b, &scopes);
	for (i = n - 1; i >= 0; i--) {	/* the outermost function */
		if (dwarf_tag(&scopes[i]) != DW_TAG_subprogram)
			continue;
		*file = dwarf_decl_file(&scopes[i]);
		if (*file && !dwarf_decl_line(&scopes[i], &l) && l > 0) {
			*line = (unsigned int)l;
			found = true;
		}
		break;
	}
	free(scopes);
	return found;
}

/* ---- line tables --------------------------------------------------------- */

static int cmp_row(const void *a, const void *b)
{
	const struct sym_row *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->file, y->file);
}

static void build_rows(struct obj *ob)
{
	Dwarf_Die *cu = NULL;
	Dwarf_Addr b;
	size_t cap = 0;

	ob->rows_done = true;
	if (!ob->has_dwarf)
		return;
	while ((cu = dwfl_module_nextcu(ob->mod, cu, &b))) {
		Dwarf_Lines *lines;
		size_t n, i;

		if (dwarf_getsrclines(cu, &lines, &n))
			continue;
		for (i = 0; i < n; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i), *nx;
			Dwarf_Addr a, na;
			struct obj_sec *sec;
			bool end = false;
			const char *file;
			int line;

			if (!l || dwarf_lineaddr(l, &a) ||
			    dwarf_lineno(l, &line) ||
			    dwarf_lineendsequence(l, &end) || end || line <= 0)
				continue;
			file = dwarf_linesrc(l, NULL, NULL);
			nx = i + 1 < n ? dwarf_onesrcline(lines, i + 1) : NULL;
			if (!file || !nx || dwarf_lineaddr(nx, &na) || na < a)
				continue;
			a += b;
			na += b;
			sec = sec_lib(ob, a);
			if (!sec)
				continue;	/* not loaded (.init.text) */
			if (GROW(ob->rows, cap, ob->nrows + 1, 1024))
				return;
			ob->rows[ob->nrows].start = sec->rt + (a - sec->lib);
			ob->rows[ob->nrows].end = sec->rt + (na - sec->lib);
			ob->rows[ob->nrows].file = file;
			ob->rows[ob->nrows].line = (unsigned int)line;
			ob->nrows++;
		}
	}
	if (ob->nrows)
		qsort(ob->rows, ob->nrows, sizeof(*ob->rows), cmp_row);
}

size_t symbols_rows(struct symbols *s, uint64_t start, uint64_t end,
		    const struct sym_row **rows)
{
	struct obj *ob;
	uint64_t lib;
	size_t lo, hi, first;

	*rows = NULL;
	ob = locate(s, start, &lib, NULL);
	if (!ob)
		return 0;
	if (!ob->rows_done)
		build_rows(ob);
	if (!ob->nrows)
		return 0;
	/* first row ending after @start; rows are short, back up a little */
	lo = 0;
	hi = ob->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ob->rows[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (first > 0 && ob->rows[first - 1].end > start)
		first--;
	hi = lo;
	while (hi < ob->nrows && ob->rows[hi].start < end)
		hi++;
	*rows = &ob->rows[first];
	return hi - first;
}

/* ---- code ---------------------------------------------------------------- */

/*
 * A module's file as it is on disk: libdwfl applies the relocations it can
 * resolve to its own made-up layout (and drops them from the tables), so
 * code bytes and relocations come from an untouched copy.
 */
static Elf *raw_elf(struct obj *ob)
{
	if (ob->raw || ob->raw_fd != 0)
		return ob->raw;
	ob->raw_fd = open(ob->path, O_RDONLY | O_CLOEXEC);
	if (ob->raw_fd < 0) {
		ob->raw_fd = -1;
		return NULL;
	}
	elf_version(EV_CURRENT);
	ob->raw = dwelf_elf_begin(ob->raw_fd);	/* decompresses .ko.xz */
	if (ob->raw && elf_kind(ob->raw) != ELF_K_ELF) {
		elf_end(ob->raw);
		ob->raw = NULL;
	}
	return ob->raw;
}

bool symbols_code(struct symbols *s, uint64_t addr, size_t len, uint8_t *buf)
{
	struct obj_sec *sec;
	struct obj *ob;
	Elf_Scn *scn = NULL;
	uint64_t lib;

	ob = locate(s, addr, &lib, &sec);
	if (!ob || !ob->elf)
		return false;
	if (ob != &s->objs[OBJ_VMLINUX]) {
		Elf *raw = raw_elf(ob);
		uint64_t off = lib - sec->lib;
		GElf_Shdr sh;
		Elf_Data *d;

		scn = raw ? elf_getscn(raw, sec->idx) : NULL;
		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			return false;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || off + len > d->d_size)
			return false;
		memcpy(buf, (const uint8_t *)d->d_buf + off, len);
		return true;
	}
	lib -= ob->bias;
	while ((scn = elf_nextscn(ob->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type != SHT_PROGBITS || lib < sh.sh_addr ||
		    lib - sh.sh_addr >= sh.sh_size)
			continue;
		if (lib - sh.sh_addr + len > sh.sh_size)
			return false;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || lib - sh.sh_addr + len > d->d_size)
			return false;
		memcpy(buf, (const uint8_t *)d->d_buf + (lib - sh.sh_addr), len);
		return true;
	}
	return false;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static void load_relocs(struct obj *ob, struct obj_sec *sec)
{
	Elf *elf = raw_elf(ob);
	Elf_Scn *scn = NULL;

	sec->rel_done = true;
	if (!elf)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh, symsh;
		Elf_Data *d, *symd;
		Elf_Scn *symscn;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    sh.sh_info != sec->idx || !sh.sh_entsize)
			continue;
		symscn = elf_getscn(elf, sh.sh_link);
		if (!symscn || !gelf_getshdr(symscn, &symsh))
			continue;
		d = elf_getdata(scn, NULL);
		symd = elf_getdata(symscn, NULL);
		if (!d || !symd)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		sec->rel = calloc(n ? n : 1, sizeof(*sec->rel));
		if (!sec->rel)
			return;
		for (i = 0; i < n; i++) {
			GElf_Rela r;
			GElf_Sym sym;
			const char *name = NULL;
			size_t shstr;

			if (!gelf_getrela(d, (int)i, &r) ||
			    !gelf_getsym(symd, (int)GELF_R_SYM(r.r_info), &sym))
				continue;
			if (sym.st_name)
				name = elf_strptr(elf, symsh.sh_link,
						  sym.st_name);
			else if (GELF_ST_TYPE(sym.st_info) == STT_SECTION &&
				 !elf_getshdrstrndx(elf, &shstr)) {
				GElf_Shdr ts;
				Elf_Scn *t = elf_getscn(elf, sym.st_shndx);

				if (t && gelf_getshdr(t, &ts))
					name = elf_strptr(elf, shstr,
							  ts.sh_name);
			}
			if (!name)
				continue;
			sec->rel[sec->nrel].off = r.r_offset;
			sec->rel[sec->nrel].sym = name;
			sec->rel[sec->nrel].addend = r.r_addend;
			sec->nrel++;
		}
		qsort(sec->rel, sec->nrel, sizeof(*sec->rel), cmp_reloc);
		return;
	}
}

const char *symbols_reloc_name(struct symbols *s, uint64_t addr, size_t len,
			       int64_t *addend)
{
	struct obj_sec *sec;
	struct obj *ob;
	uint64_t lib, off;
	size_t lo = 0, hi;

	ob = locate(s, addr, &lib, &sec);
	if (!ob || ob == &s->objs[OBJ_VMLINUX] || !ob->elf)
		return NULL;
	if (!sec->rel_done)
		load_relocs(ob, sec);
	off = lib - sec->lib;
	hi = sec->nrel;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->rel[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sec->nrel && sec->rel[lo].off < off + len) {
		*addend = sec->rel[lo].addend;
		return sec->rel[lo].sym;
	}
	return NULL;
}

/* ---- hints --------------------------------------------------------------- */

const char *symbols_hint(struct symbols *s)
{
	const char *rel = s->release ? s->release : "$(uname -r)";
	char mods[512] = "";
	size_t i, used = 0, nmods = 0;
	bool vml;
	int n;

	free(s->hint);
	s->hint = NULL;
	vml = s->objs[OBJ_VMLINUX].asked &&
	      (s->objs[OBJ_VMLINUX].state != OBJ_OK ||
	       !s->objs[OBJ_VMLINUX].has_dwarf);
	for (i = 1; i < s->nobjs; i++) {
		struct obj *ob = &s->objs[i];

		if (!ob->asked || (ob->state == OBJ_OK && ob->has_dwarf))
			continue;
		nmods++;
		if (used < sizeof(mods) - 64) {
			n = snprintf(mods + used, sizeof(mods) - used, "%s%s",
				     used ? ", " : "", ob->name);
			used += n > 0 ? (size_t)n : 0;
		} else if (!strstr(mods, "...")) {
			strcat(mods, ", ...");
		}
	}
	if (!vml && !nmods)
		return NULL;
	if (asprintf(&s->hint,
		     "no source lines for %s%s%s%s%s: %s%s%s%s",
		     vml ? "vmlinux" : "",
		     vml && s->objs[OBJ_VMLINUX].state == OBJ_OK ?
			" (the file found has no debug info)" : "", vml && nmods ? " and " : "",
		     nmods ? (nmods == 1 ? "module " : "modules ") : "", mods,
		     vml ? "install the kernel's debug info (apt install linux-image-" : "",
		     vml ? rel : "",
		     vml ? "-dbg), name a vmlinux with -k FILE or set DEBUGINFOD_URLS" : "",
		     nmods ? (vml ? "; for modules, give the directory of their .ko with --symfs DIR"
				  : "give the directory of their .ko files (built with debug info) with --symfs DIR")
			   : "") < 0)
		s->hint = NULL;
	return s->hint;
}

const char *symbols_describe(struct symbols *s)
{
	size_t i, used = 0, len = 4096;
	char *buf;

	free(s->desc);
	s->desc = buf = calloc(1, len);
	if (!buf)
		return "";
	for (i = 0; i < s->nobjs && used + 256 < len; i++) {
		const struct obj *ob = &s->objs[i];
		const char *what;
		int n;

		if (!ob->asked)
			continue;
		switch (ob->state) {
		case OBJ_OK:
			what = ob->has_dwarf ? ob->path : NULL;
			break;
		case OBJ_UNUSABLE:
			what = "wrong build-id or not usable";
			break;
		default:
			what = "not found";
			break;
		}
		n = snprintf(buf + used, len - used, "%s%s: %s%s", used ? "; " : "",
			     ob->name, what ? what : ob->path,
			     what ? "" : " (no debug info)");
		if (n > 0)
			used += (size_t)n;
	}
	return buf;
}

bool symbols_have_lines(const struct symbols *s)
{
	return s->have_lines;
}
