// SPDX-License-Identifier: GPL-2.0
/*
 * The RECORDING section's entries from jifl record's settings; see
 * recording.h.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/kernel-session.h"
#include "util/recording.h"

#define MAX_ENTRIES	(32 + JIFL_FB_NR)

struct entries {
	char *kv[MAX_ENTRIES];
	uint32_t n;
	bool nomem;
};

static void add(struct entries *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(struct entries *e, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (e->n == MAX_ENTRIES) {
		e->nomem = true;
		return;
	}
	va_start(ap, fmt);
	r = vasprintf(&e->kv[e->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		e->nomem = true;
	else
		e->n++;
}

/* "a,b,c" from a list of words */
static void add_list(struct entries *e, const char *key,
		     const char *const *words, unsigned int n)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = calloc(1, len);
	if (!s) {
		e->nomem = true;
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, words[i]);
	}
	add(e, "%s=%s", key, s);
	free(s);
}

/* "fallback.cache_full=3": the reason as a key, words joined by '_' */
static void add_fallback(struct entries *e, const char *reason,
			 unsigned long long n)
{
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "%s", reason);
	for (i = 0; key[i]; i++)
		if (key[i] == ' ' || key[i] == '-' || key[i] == '=')
			key[i] = '_';
	add(e, "fallback.%s=%llu", key, n);
}

int recording_write(struct jd_writer *w, const struct recording *r)
{
	struct entries e = { .n = 0 };
	unsigned int i;
	int ret;

	add(&e, "tool=jifl %s", PACKAGE_VERSION);
	add(&e, "abi=%d", JIFL_ABI_VERSION);
	add(&e, "plugins=%s", r->plugins);
	if (r->ring_size)
		add(&e, "ring_size=%" PRIu64, r->ring_size);
	if (r->cgroup)
		add(&e, "tasks=cgroup:%s", r->cgroup);
	else
		add(&e, "tasks=%s%s", r->all_tasks ? "all" : r->pids ? "pids:" :
		    r->command ? "command" : "none",
		    r->pids && !r->all_tasks ? r->pids : "");
	add(&e, "inherit=%s", r->inherit ? "yes" : "no");
	add(&e, "syscalls=%s", r->syscalls ? r->syscalls :
	    r->nr_functions ? "none" : "all");
	if (r->nr_functions)
		add_list(&e, "functions", r->functions, r->nr_functions);
	if (r->nr_modules)
		add_list(&e, "modules", r->modules, r->nr_modules);
	add(&e, "start_ns=%" PRIu64, r->start_ns);
	add(&e, "stop_ns=%" PRIu64, r->stop_ns);
	if (r->stats) {
		const struct jifl_stats *st = r->stats;
		uint64_t fb = 0;

		add(&e, "blocks=%llu", (unsigned long long)st->blocks);
		add(&e, "native_bytes=%llu", (unsigned long long)st->native_bytes);
		add(&e, "cache_bytes=%llu", (unsigned long long)st->cache_bytes);
		add(&e, "cache_size=%llu", (unsigned long long)st->cache_size);
		add(&e, "entries=%llu", (unsigned long long)st->entries);
		add(&e, "entries_fault=%llu",
		    (unsigned long long)st->entries_fault);
		for (i = 0; i < JIFL_FB_NR; i++)
			fb += st->fallbacks[i];
		add(&e, "fallbacks=%" PRIu64, fb);
		for (i = 0; i < JIFL_FB_NR; i++)
			if (st->fallbacks[i])
				add_fallback(&e, ks_fallback_name(i),
					     st->fallbacks[i]);
	}
	ret = e.nomem ? -ENOMEM :
	      jd_write_recording(w, e.n, (const char *const *)e.kv);
	for (i = 0; i < e.n; i++)
		free(e.kv[i]);
	return ret;
}
