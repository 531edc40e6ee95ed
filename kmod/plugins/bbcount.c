// SPDX-License-Identifier: GPL-2.0
/*
 * bbcount: exact execution counts of every translated block.
 *
 * Each block starts with one per-CPU counter increment (jifl_insert_counter:
 * a single "incq %gs:", exact even if the task migrates); the counts are
 * summed over the CPUs when read. Uses only jifl_plugin.h.
 */
#include <linux/percpu.h>
#include <linux/slab.h>

#include "../jifl_plugin.h"
#include "builtin.h"

/* The per-CPU allocator's largest unit is 32 KiB: counters in chunks */
#define BB_CHUNK	4096
#define BB_NR_CHUNKS	(JIFL_PLUGIN_MAX_BLOCKS / BB_CHUNK)

struct bbcount {
	u64 __percpu *chunk[BB_NR_CHUNKS];
};

static u64 __percpu *bb_counter(struct bbcount *bb, u32 id)
{
	return bb->chunk[id / BB_CHUNK] + id % BB_CHUNK;
}

static void bb_release(void *priv)
{
	struct bbcount *bb = priv;
	unsigned int i;

	for (i = 0; i < BB_NR_CHUNKS; i++)
		free_percpu(bb->chunk[i]);
	kfree(bb);
}

static int bb_start(void **priv)
{
	struct bbcount *bb = kzalloc(sizeof(*bb), GFP_KERNEL);
	unsigned int i;

	if (!bb)
		return -ENOMEM;
	for (i = 0; i < BB_NR_CHUNKS; i++) {
		bb->chunk[i] = __alloc_percpu(BB_CHUNK * sizeof(u64),
					      sizeof(u64));
		if (!bb->chunk[i]) {
			bb_release(bb);
			return -ENOMEM;
		}
	}
	*priv = bb;
	return 0;
}

static void bb_block(void *priv, struct jifl_xlate *x)
{
	jifl_insert_counter(x, bb_counter(priv, jifl_xlate_block_id(x)));
}

static u64 bb_block_count(void *priv, u32 id)
{
	u64 sum = 0;
	int cpu;

	if (id >= JIFL_PLUGIN_MAX_BLOCKS)
		return 0;
	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(bb_counter(priv, id), cpu);
	return sum;
}

struct jifl_plugin jifl_bbcount_plugin = {
	.name = "bbcount",
	.owner = THIS_MODULE,
	.api_version = JIFL_PLUGIN_API_VERSION,
	.start = bb_start,
	.release = bb_release,
	.block = bb_block,
	.block_count = bb_block_count,
};
