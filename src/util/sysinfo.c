// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "util/sysinfo.h"

#define NT_GNU_BUILD_ID_TYPE	3
#define NOTES_MAX		(1 << 20)

static void warn(struct jifl_sysinfo *si, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct jifl_sysinfo *si, const char *fmt, ...)
{
	size_t n = strlen(si->warnings);
	va_list ap;

	if (n && n + 2 < sizeof(si->warnings)) {
		strcpy(si->warnings + n, " ");
		n++;
	}
	va_start(ap, fmt);
	vsnprintf(si->warnings + n, sizeof(si->warnings) - n, fmt, ap);
	va_end(ap);
}

/*
 * Reads a whole file (procfs and sysfs files report size 0) and NUL-
 * terminates it; 0 or -errno.
 */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
	size_t n = 0, cap = 65536;
	char *b = malloc(cap + 1);
	int fd, e;

	if (!b)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		free(b);
		return e;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *t;

			if (cap >= max) {
				e = -EFBIG;
				goto fail;
			}
			cap *= 2;
			t = realloc(b, cap + 1);
			if (!t) {
				e = -ENOMEM;
				goto fail;
			}
			b = t;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			goto fail;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
fail:
	close(fd);
	free(b);
	return e;
}

int jifl_parse_build_id(const void *notes, size_t len,
			struct jd_build_id *id)
{
	const uint8_t *p = notes;
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz, descsz, type;
		size_t name_pad, desc_pad;

		memcpy(&namesz, p + off, 4);
		memcpy(&descsz, p + off + 4, 4);
		memcpy(&type, p + off + 8, 4);
		off += 12;
		name_pad = ((size_t)namesz + 3) & ~(size_t)3;
		desc_pad = ((size_t)descsz + 3) & ~(size_t)3;
		if (name_pad > len - off || desc_pad > len - off - name_pad)
			return -EINVAL;
		if (type == NT_GNU_BUILD_ID_TYPE && namesz == 4 &&
		    !memcmp(p + off, "GNU", 4)) {
			if (!descsz || descsz > JD_BUILD_ID_MAX)
				return -EINVAL;
			id->size = descsz;
			memcpy(id->data, p + off + name_pad, descsz);
			return 0;
		}
		off += name_pad + desc_pad;
	}
	return off == len ? -ENOENT : -EINVAL;
}

int jifl_read_build_id(const char *path, struct jd_build_id *id)
{
	size_t len;
	char *b;
	int r = slurp(path, NOTES_MAX, &b, &len);

	if (r)
		return r;
	r = jifl_parse_build_id(b, len, id);
	free(b);
	return r;
}

static void path_join(char *buf, size_t len, const char *root,
		      const char *path)
{
	snprintf(buf, len, "%s%s", root ? root : "", path);
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct jd_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* stable: the names point into the text in file order */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Parses /proc/kallsyms: "ADDR T name\t[module]" lines. */
static int parse_kallsyms(struct jifl_sysinfo *si, char *text)
{
	struct jd_kallsyms *ks = &si->kallsyms;
	size_t cap = 0, nonzero = 0;
	uint64_t last = 0;
	char *line, *next;

	for (line = text; *line; line = next) {
		char *end, *name, *mod = NULL, *q;
		uint64_t addr;
		char type;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			continue;		/* not a symbol line */
		type = end[1];
		name = end + 3;
		q = strchr(name, '\t');
		if (q) {
			*q++ = '\0';
			if (*q == '[') {
				mod = q + 1;
				q = strchr(mod, ']');
				if (q)
					*q = '\0';
			}
		}
		if (ks->count == cap) {
			struct jd_ksym *t;

			cap = cap ? 2 * cap : 65536;
			t = realloc(ks->syms, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			ks->syms = t;
		}
		ks->syms[ks->count++] = (struct jd_ksym){ addr, name,
							  mod ? mod : "", type };
		if (addr)
			nonzero++;
		if (addr > last)
			last = addr;
		if (!mod && !strcmp(name, "_text"))
			si->kernel.text = addr;
		else if (!mod && !strcmp(name, "_etext"))
			si->kernel.etext = addr;
		if (ks->count == UINT32_MAX / 32)
			break;
	}
	if (ks->count && !nonzero) {
		ks->flags |= JD_KF_ADDRS_HIDDEN;
		si->kernel.flags |= JD_KF_ADDRS_HIDDEN;
		warn(si, "kallsyms addresses are hidden (all zero), so the recording cannot be symbolized: run jifl record as root, or lower kernel.kptr_restrict.");
	}
	qsort(ks->syms, ks->count, sizeof(*ks->syms), cmp_ksym);
	ks->text = si->kernel.text;
	ks->end = nonzero ? (last | 0xfff) + 1 : 0;
	if (si->kernel.etext < si->kernel.text)
		si->kernel.etext = si->kernel.text;
	return 0;
}

/* Parses /proc/modules: "name size refs deps state 0xaddr [taints]". */
static int parse_modules(struct jifl_sysinfo *si, const char *root,
			 char *text)
{
	uint32_t cap = 0, no_id = 0;
	char *line, *next, path[4096];

	for (line = text; *line; line = next) {
		char *f[6], *save = NULL;
		struct jd_module *m;
		int n = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		for (char *t = strtok_r(line, " ", &save); t && n < 6;
		     t = strtok_r(NULL, " ", &save))
			f[n++] = t;
		if (n < 6)
			continue;
		if (si->nr_modules == cap) {
			struct jd_module *t;

			cap = cap ? 2 * cap : 256;
			t = realloc(si->modules, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			si->modules = t;
		}
		m = &si->modules[si->nr_modules++];
		memset(m, 0, sizeof(*m));
		m->name = f[0];
		m->size = strtoull(f[1], NULL, 10);
		m->base = strtoull(f[5], NULL, 16);
		snprintf(path, sizeof(path), "%s/sys/module/%s/notes/.note.gnu.build-id",
			 root ? root : "", m->name);
		if (jifl_read_build_id(path, &m->build_id))
			no_id++;
	}
	if (no_id)
		warn(si, "%u of %u modules have no readable build-id (run as root to read /sys/module/*/notes): their debug info cannot be matched.",
		     no_id, si->nr_modules);
	return 0;
}

int jifl_sysinfo_gather(struct jifl_sysinfo *si, const char *root,
			char *why, size_t why_len)
{
	char path[4096], *text;
	struct timespec ts;
	struct utsname u;
	size_t len;
	long n;
	int r;

	memset(si, 0, sizeof(*si));
	if (root) {
		path_join(path, sizeof(path), root, "/proc/sys/kernel/osrelease");
		if (!slurp(path, 4096, &text, &len)) {
			text[strcspn(text, "\n")] = '\0';
			snprintf(si->release, sizeof(si->release), "%s", text);
			free(text);
		}
	} else if (!uname(&u)) {
		snprintf(si->release, sizeof(si->release), "%s", u.release);
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	si->cpus_online = n > 0 ? n : 1;
	n = sysconf(_SC_NPROCESSORS_CONF);
	si->cpus_configured = n > 0 ? n : si->cpus_online;

	si->clock.clockid = CLOCK_MONOTONIC;
	si->clock.freq_hz = 1000000000ULL;
	if (!clock_gettime(CLOCK_MONOTONIC, &ts))
		si->clock.ref_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (!clock_gettime(CLOCK_REALTIME, &ts))
		si->clock.ref_realtime_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;

	path_join(path, sizeof(path), root, "/sys/kernel/notes");
	r = jifl_read_build_id(path, &si->build_id);
	if (r)
		warn(si, "no vmlinux build-id from %s (%s): debug info will be matched by release only.",
		     path, strerror(-r));

	path_join(path, sizeof(path), root, "/proc/kallsyms");
	r = slurp(path, 1U << 30, &si->kallsyms_text, &len);
	if (r) {
		snprintf(why, why_len,
			 "%s: %s (is /proc mounted? jifl needs kallsyms to record)",
			 path, strerror(-r));
		return r;
	}
	r = parse_kallsyms(si, si->kallsyms_text);
	if (r) {
		snprintf(why, why_len, "%s: %s", path, strerror(-r));
		return r;
	}
	if (!si->kallsyms.count)
		warn(si, "%s lists no symbols.", path);

	path_join(path, sizeof(path), root, "/proc/modules");
	r = slurp(path, 1U << 26, &si->modules_text, &len);
	if (!r)
		r = parse_modules(si, root, si->modules_text);
	else if (r == -ENOENT)
		r = 0;		/* CONFIG_MODULES=n */
	if (r) {
		snprintf(why, why_len, "%s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

void jifl_sysinfo_free(struct jifl_sysinfo *si)
{
	free(si->kallsyms.syms);
	free(si->modules);
	free(si->kallsyms_text);
	free(si->modules_text);
	memset(si, 0, sizeof(*si));
}

int jifl_sysinfo_write(struct jd_writer *w, const struct jifl_sysinfo *si,
		       int argc, const char *const *argv)
{
	int r = jd_write_uname(w, si->release);

	if (!r)
		r = jd_write_cmdline(w, argc, argv);
	if (!r)
		r = jd_write_cpus(w, si->cpus_online, si->cpus_configured);
	if (!r)
		r = jd_write_clock(w, &si->clock);
	if (!r)
		r = jd_write_build_id(w, &si->build_id);
	if (!r)
		r = jd_write_kernel(w, &si->kernel);
	if (!r)
		r = jd_write_modules(w, si->modules, si->nr_modules);
	if (!r)
		r = jd_write_kallsyms(w, &si->kallsyms);
	return r;
}
