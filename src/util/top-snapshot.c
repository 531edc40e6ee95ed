// SPDX-License-Identifier: GPL-2.0
/*
 * `jifl top` snapshots as jifl.data; see top-snapshot.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/top-snapshot.h"

int top_snapshot_write(const char *path, const struct jifl_sysinfo *si,
		       const struct top_hist *h, int argc,
		       const char *const *argv, char *why, size_t why_len)
{
	struct jd_counter *jc;
	struct jd_block *jb;
	struct jd_writer *w;
	char old[4096];
	struct stat st;
	size_t i;

	jb = calloc(h->nr ? h->nr : 1, sizeof(*jb));
	jc = calloc(h->nr ? h->nr : 1, sizeof(*jc));
	if (!jb || !jc) {
		free(jb);
		free(jc);
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	if (!stat(path, &st) && S_ISREG(st.st_mode)) {
		snprintf(old, sizeof(old), "%s.old", path);
		rename(path, old);
	}
	w = jd_writer_create(path, why, why_len);
	if (!w) {
		free(jb);
		free(jc);
		return -EIO;
	}
	jifl_sysinfo_write(w, si, argc, argv);
	for (i = 0; i < h->nr; i++) {
		jb[i].start = h->b[i].addr;
		jb[i].len = h->b[i].len;
		jb[i].func = JD_NO_FUNC;
		jc[i].block = (uint32_t)i;
		jc[i].count = h->b[i].count - h->b[i].base;
	}
	jd_write_blocks(w, jb, (uint32_t)h->nr);
	jd_write_counters(w, jc, (uint32_t)h->nr);
	free(jb);
	free(jc);
	return jd_writer_close(w, why, why_len);
}
