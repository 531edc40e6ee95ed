// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU event rings, mapped by user space (uapi/jifl.h: struct
 * jifl_ring_ctl and the record layout).
 *
 * A writer reserves a record with preemption disabled and commits it;
 * it never blocks, waits or sleeps: a record that does not fit is dropped
 * and counted in the ring's lost count. Records never wrap around the end
 * of the data area (a pad record fills the rest). The kernel keeps its
 * own head and only reads the user-written tail, so nothing user space
 * writes can make it write outside the ring. Readers are woken through an
 * irq_work when a ring crosses its watermark (once per crossing), so a
 * wakeup never happens inside the writer's context, whatever locks the
 * instrumented code holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "jifl.h"
#include "jifl_plugin.h"

struct jifl_ring {
	struct jifl_ring_ctl *ctl;	/* control page, then the data */
	u8 *data;
	u64 size;
	u64 head;			/* the kernel's copy */
	u64 reserved;			/* head after the open record */
	u64 lost;
	u64 records;
	unsigned int nest;		/* an open record on this CPU */
	bool mapped;
	struct irq_work work;
};

static struct jifl_ring **jifl_rings;	/* nr_cpu_ids entries or NULL */
static u64 jifl_ring_size, jifl_ring_wmark;
static bool jifl_rings_hup;
static DECLARE_WAIT_QUEUE_HEAD(jifl_ring_wait);

static void jifl_ring_wake(struct irq_work *work)
{
	wake_up_all(&jifl_ring_wait);
}

static u64 ring_stride(void)
{
	return JIFL_RING_CTL_SIZE + jifl_ring_size;
}

/* Only without writers: no session runs and no task is in the cache. */
void jifl_rings_free(void)
{
	struct jifl_ring **rings = jifl_rings;
	unsigned int cpu;

	if (!rings)
		return;
	WRITE_ONCE(jifl_rings, NULL);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!rings[cpu])
			continue;
		irq_work_sync(&rings[cpu]->work);
		vfree(rings[cpu]->ctl);
		kfree(rings[cpu]);
	}
	kfree(rings);
	jifl_ring_size = 0;
}

/**
 * jifl_rings_create() - JIFL_IOC_RINGS
 * @r:	the validated-by-size argument; @r->nr_cpus, @r->stride set
 *
 * Return: 0, -EINVAL, -EBUSY or -ENOMEM.
 */
int jifl_rings_create(struct jifl_rings *r)
{
	struct jifl_ring **rings;
	unsigned int cpu;

	if (r->flags || r->ring_size < JIFL_RING_MIN ||
	    r->ring_size > JIFL_RING_MAX || !is_power_of_2(r->ring_size) ||
	    r->watermark > r->ring_size)
		return -EINVAL;
	if (jifl_rings)
		return -EBUSY;
	rings = kcalloc(nr_cpu_ids, sizeof(*rings), GFP_KERNEL);
	if (!rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct jifl_ring *ring = kzalloc(sizeof(*ring), GFP_KERNEL);

		if (!ring)
			goto err;
		rings[cpu] = ring;
		ring->ctl = vmalloc_user(JIFL_RING_CTL_SIZE + r->ring_size);
		if (!ring->ctl)
			goto err;
		ring->data = (u8 *)ring->ctl + JIFL_RING_CTL_SIZE;
		ring->size = r->ring_size;
		ring->ctl->size = r->ring_size;
		ring->ctl->cpu = cpu;
		init_irq_work(&ring->work, jifl_ring_wake);
	}
	jifl_ring_size = r->ring_size;
	jifl_ring_wmark = r->watermark ?: r->ring_size / 4;
	jifl_rings_hup = false;
	/* the rings before the pointer, for lockless writers */
	smp_store_release(&jifl_rings, rings);
	r->nr_cpus = nr_cpu_ids;
	r->stride = ring_stride();
	return 0;

err:
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (rings[cpu])
			vfree(rings[cpu]->ctl);
		kfree(rings[cpu]);
	}
	kfree(rings);
	return -ENOMEM;
}

/* The session started (@hup false) or stopped: tell pollers. */
void jifl_rings_set_hup(bool hup)
{
	WRITE_ONCE(jifl_rings_hup, hup);
	if (hup)
		wake_up_all(&jifl_ring_wait);
}

int jifl_rings_mmap(struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct jifl_ring *ring;
	u64 cpu;
	int ret;

	if (!jifl_rings)
		return -ENODEV;		/* JIFL_IOC_RINGS first */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;		/* user space writes the tail */
	if (off % ring_stride() || len != ring_stride())
		return -EINVAL;
	cpu = off / ring_stride();
	if (cpu >= nr_cpu_ids || !jifl_rings[cpu])
		return -EINVAL;
	ring = jifl_rings[cpu];
	if (ring->mapped)
		return -EBUSY;
	ret = remap_vmalloc_range(vma, ring->ctl, 0);
	if (!ret)
		ring->mapped = true;
	return ret;
}

__poll_t jifl_rings_poll(struct file *file, poll_table *wait)
{
	struct jifl_ring **rings = jifl_rings;
	__poll_t mask = 0;
	unsigned int cpu;

	poll_wait(file, &jifl_ring_wait, wait);
	if (!rings)
		return EPOLLERR;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct jifl_ring *r = rings[cpu];

		/* the kernel's own copy: nothing user space wrote */
		if (r && r->head - READ_ONCE(r->ctl->tail) >= jifl_ring_wmark)
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	if (READ_ONCE(jifl_rings_hup))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	return mask;
}

/* Sum of the rings' lost records (for statistics). */
u64 jifl_rings_lost(void)
{
	struct jifl_ring **rings = jifl_rings;
	unsigned int cpu;
	u64 sum = 0;

	for (cpu = 0; rings && cpu < nr_cpu_ids; cpu++)
		if (rings[cpu])
			sum += READ_ONCE(rings[cpu]->lost);
	return sum;
}

notrace void *jifl_event_reserve(u32 size, u32 type)
{
	struct jifl_ring **rings;
	struct jifl_rec_header *h;
	struct jifl_ring *r;
	u64 head, tail, off, pad;

	if (size < sizeof(*h) || size % 8)
		return NULL;
	preempt_disable_notrace();
	/* pairs with the release in jifl_rings_create() */
	rings = smp_load_acquire(&jifl_rings);
	if (!rings)
		goto out;
	r = rings[raw_smp_processor_id()];
	if (!r)
		goto out;
	if (r->nest++ || size > r->size / 4)
		goto lost;
	/* user space's reads of the records happen before its tail store */
	tail = smp_load_acquire(&r->ctl->tail);
	head = r->head;
	off = head & (r->size - 1);
	pad = off + size > r->size ? r->size - off : 0;
	/* a tail past the head (user error) reads as a full ring */
	if (head + pad + size - tail > r->size)
		goto lost;
	if (pad) {
		h = (struct jifl_rec_header *)(r->data + off);
		h->size = pad;
		h->type = JIFL_REC_PAD;
		head += pad;
		off = 0;
	}
	r->head = head;
	r->reserved = head + size;
	h = (struct jifl_rec_header *)(r->data + off);
	h->size = size;
	h->type = type;
	return h;

lost:
	r->lost++;
	WRITE_ONCE(r->ctl->lost, r->lost);
	r->nest--;
out:
	preempt_enable_notrace();
	return NULL;
}
EXPORT_SYMBOL_GPL(jifl_event_reserve);

void notrace jifl_event_commit(void *rec)
{
	struct jifl_ring *r = jifl_rings[raw_smp_processor_id()];
	u64 before = r->head - READ_ONCE(r->ctl->tail);

	r->head = r->reserved;
	r->records++;
	WRITE_ONCE(r->ctl->records, r->records);
	/* the record before the head that publishes it */
	smp_store_release(&r->ctl->head, r->head);
	if (before < jifl_ring_wmark &&
	    r->head - READ_ONCE(r->ctl->tail) >= jifl_ring_wmark)
		irq_work_queue(&r->work);
	r->nest--;
	preempt_enable_notrace();
}
EXPORT_SYMBOL_GPL(jifl_event_commit);
