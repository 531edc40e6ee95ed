// SPDX-License-Identifier: GPL-2.0
/*
 * cover: which translated blocks ran at all.
 *
 * Each block starts with a flag-free "movb $1" into its byte of a static
 * array (jifl_insert_store_byte with JIFL_STORE_ONCE): once a block's
 * byte is set, jifl turns its store into a jump over it, so covered code
 * runs at nearly full speed. The dump is JIFL_REC_COVER records. Uses
 * only jifl_plugin.h.
 */
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../jifl_plugin.h"
#include "builtin.h"

/*
 * Static, so that the code cache reaches it with a 32-bit address; one
 * session at a time uses it.
 */
static u8 cover_ran[JIFL_PLUGIN_MAX_BLOCKS];

static int cover_start(void **priv)
{
	memset(cover_ran, 0, sizeof(cover_ran));
	*priv = cover_ran;
	return 0;
}

static void cover_block(void *priv, struct jifl_xlate *x)
{
	jifl_insert_store_byte(x, &cover_ran[jifl_xlate_block_id(x)],
			       JIFL_STORE_ONCE);
}

#define COVER_REC_BLOCKS	4096

static int cover_dump(void *priv, struct jifl_dump_buf *d)
{
	struct {
		u32 first;
		u32 nr;
		u8 ran[COVER_REC_BLOCKS];
	} *rec;
	u32 first, last = 0, i;
	int ret = 0;

	for (i = 0; i < JIFL_PLUGIN_MAX_BLOCKS; i++)
		if (READ_ONCE(cover_ran[i]))
			last = i + 1;
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	for (first = 0; first < last && !ret; first += COVER_REC_BLOCKS) {
		rec->first = first;
		rec->nr = min_t(u32, COVER_REC_BLOCKS, last - first);
		memcpy(rec->ran, cover_ran + first, rec->nr);
		ret = jifl_dump_write(d, JIFL_REC_COVER, rec, 8 + rec->nr);
	}
	kfree(rec);
	return ret;
}

struct jifl_plugin jifl_cover_plugin = {
	.name = "cover",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = cover_start,
	.dump = cover_dump,
	.block = cover_block,
};
