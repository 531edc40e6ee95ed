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
 *
 * Writers take their space from the CPU's chunk: a per-CPU struct
 * jit_event_cpu { pos, end } that both the C writers here and the code
 * cache's inline records (jit_insert_event(), kmod/jit/README "Inline
 * events") advance, with the preempt count held, by a cmpxchg of pos:
 * an interrupt on the same CPU (a softirq running cache code, a C
 * writer in an irq) can reserve between any two instructions of another
 * record and takes the space after it. A record that does not fit below
 * end starts a new chunk (jifl_ev_new_chunk()): the head is published,
 * room is found after the user's tail, and a context record (struct
 * jifl_rec_ct_ctx: the current thread and the TSC-to-ns pair) opens the
 * chunk; the chunk is one writer's at a time (ring.nest: a nested C
 * writer or refill finds it taken and counts its record lost). C writers
 * publish the head at each commit; inline records become visible at the
 * next commit or chunk on their CPU, and all of them when the session
 * stops (jifl_rings_set_hup()). Only task context publishes: an
 * interrupt may have come between another record's reservation and its
 * write, so what it reserved is not written yet; the head an interrupt
 * would publish waits for the next task-context one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/cpu.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/preempt.h>
#include <asm/tsc.h>

#include "jifl.h"
#include "jifl_plugin.h"
#include "jit/translate.h"

/* Bytes of a chunk at most: how long inline records stay unpublished */
#define JIFL_CHUNK_MAX	(64U << 10)

struct jifl_ring {
	struct jifl_ring_ctl *ctl;	/* control page, then the data */
	u8 *data;
	u64 size;
	u64 head;			/* the kernel's copy, published */
	u64 chunk_head;			/* head at the current chunk's start */
	u8 *chunk;			/* where it starts */
	u64 lost;
	u64 records;
	unsigned int nest;		/* an open record on this CPU */
	bool mapped;
	struct irq_work work;
};

/* This CPU's chunk: what the inline records address at a %gs offset */
static DEFINE_PER_CPU_ALIGNED(struct jit_event_cpu, jifl_ev_cpu);

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
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&jifl_ev_cpu, cpu)->pos = 0;
		per_cpu_ptr(&jifl_ev_cpu, cpu)->end = 0;
	}
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
		ring->chunk = ring->data;
		init_irq_work(&ring->work, jifl_ring_wake);
		/* no chunk yet: the first record starts one */
		per_cpu_ptr(&jifl_ev_cpu, cpu)->pos = 0;
		per_cpu_ptr(&jifl_ev_cpu, cpu)->end = 0;
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

static u64 ring_written(struct jifl_ring *r, struct jit_event_cpu *ec);
static void ring_publish(struct jifl_ring *r, u64 head);
static DEFINE_PER_CPU(struct work_struct, jifl_flush_work);

/*
 * Publish what this CPU's inline records wrote. In a kworker: no inline
 * record can be half written on this CPU then (the writer holds the
 * preempt count until it is done).
 */
static void jifl_rings_flush_cpu(struct work_struct *work)
{
	struct jifl_ring **rings;
	struct jifl_ring *r;

	preempt_disable_notrace();
	rings = smp_load_acquire(&jifl_rings);
	r = rings ? rings[raw_smp_processor_id()] : NULL;
	if (r && !r->nest)
		ring_publish(r, ring_written(r, this_cpu_ptr(&jifl_ev_cpu)));
	preempt_enable_notrace();
}

/*
 * The session started (@hup false) or stopped: tell pollers, after
 * publishing every CPU's records (process context, may sleep).
 */
void jifl_rings_set_hup(bool hup)
{
	struct work_struct *w;
	unsigned int cpu;

	if (hup && READ_ONCE(jifl_rings)) {
		cpus_read_lock();
		for_each_online_cpu(cpu) {
			w = per_cpu_ptr(&jifl_flush_work, cpu);
			INIT_WORK(w, jifl_rings_flush_cpu);
			queue_work_on(cpu, system_highpri_wq, w);
		}
		for_each_online_cpu(cpu)
			flush_work(per_cpu_ptr(&jifl_flush_work, cpu));
		cpus_read_unlock();
	}
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

/* Bytes written to @r so far: its chunk's start plus what is in it */
static u64 notrace ring_written(struct jifl_ring *r, struct jit_event_cpu *ec)
{
	if (!ec->pos)
		return r->head;
	return r->chunk_head + (ec->pos - (unsigned long)r->chunk);
}

/*
 * Make the records up to @head visible; wake readers at the watermark.
 * Not in an interrupt: one may have come between another record's
 * reservation and its write (the next task-context publish shows them).
 */
static void notrace ring_publish(struct jifl_ring *r, u64 head)
{
	u64 tail = READ_ONCE(r->ctl->tail);
	u64 before = r->head - tail;

	if (!in_task())
		return;
	r->head = head;
	/* the records before the head that publishes them */
	smp_store_release(&r->ctl->head, head);
	if (before < jifl_ring_wmark && head - tail >= jifl_ring_wmark)
		irq_work_queue(&r->work);
}

static void notrace ring_count_lost(struct jifl_ring *r)
{
	r->lost++;
	WRITE_ONCE(r->ctl->lost, r->lost);
}

static u32 jifl_tsc_khz(void)
{
	return tsc_khz;
}

/*
 * A new chunk for a record of @size bytes: publish what this CPU wrote,
 * find room after the user's tail (a pad record skips the end of the data
 * area), open the chunk with a context record of the current thread and
 * reserve the record after it. Preemption disabled, on @r's CPU, @r->nest
 * held. The chunk looks full (end 0) until it is ready: an interrupt's
 * inline record meanwhile goes to the refill, finds the nest held, and
 * is counted lost. Return: where to write the record, or NULL when the
 * ring is full (the record is lost: the caller counts it); the chunk then
 * stays empty, so that the next record tries again.
 */
static void *notrace jifl_ev_new_chunk(struct jifl_ring *r,
				       struct jit_event_cpu *ec, u32 size)
{
	u32 need = size + sizeof(struct jifl_rec_ct_ctx);
	u64 head, tail, off, len;
	struct jifl_rec_ct_ctx *ctx;
	struct jifl_rec_header *h;

	WRITE_ONCE(ec->end, 0);
	barrier();
	/* no record is reserved past pos from here on */
	head = ring_written(r, ec);
	ring_publish(r, head);
	/* user space's reads of the records happen before its tail store */
	tail = smp_load_acquire(&r->ctl->tail);
	off = head & (r->size - 1);
	/* a tail past the head (user error) reads as a full ring */
	if (head - tail > r->size || need > r->size / 4)
		goto full;
	if (off + need > r->size) {
		if (head + (r->size - off) - tail > r->size)
			goto full;
		h = (struct jifl_rec_header *)(r->data + off);
		h->size = r->size - off;
		h->type = JIFL_REC_PAD;
		head += r->size - off;
		off = 0;
		ring_publish(r, head);
	}
	len = min3(r->size - (head - tail), r->size - off, (u64)JIFL_CHUNK_MAX);
	if (len < need)
		goto full;
	r->chunk_head = head;
	r->chunk = r->data + off;
	ctx = (struct jifl_rec_ct_ctx *)r->chunk;
	ctx->hdr.size = sizeof(*ctx);
	ctx->hdr.type = JIFL_REC_CT_CTX;
	ctx->tsc = rdtsc();
	ctx->ns = ktime_get_mono_fast_ns();
	ctx->tid = current->pid;
	ctx->tsc_khz = jifl_tsc_khz();
	r->records++;
	WRITE_ONCE(ec->pos, (unsigned long)r->chunk + sizeof(*ctx) + size);
	barrier();
	WRITE_ONCE(ec->end, (unsigned long)r->chunk + len);
	return r->chunk + sizeof(*ctx);

full:
	r->chunk_head = head;
	r->chunk = r->data + off;
	WRITE_ONCE(ec->pos, (unsigned long)r->chunk);
	barrier();
	WRITE_ONCE(ec->end, ec->pos);
	return NULL;
}

/*
 * jit_event_host.refill, through jifl_ev_refill (ring_entry.S): an
 * inline record of @size bytes does not fit in this CPU's chunk. The
 * inline code holds the preempt count. Return: where to write it
 * (reserved), or 0.
 */
unsigned long notrace jifl_ev_refill_c(u32 size)
{
	struct jit_event_cpu *ec = this_cpu_ptr(&jifl_ev_cpu);
	struct jifl_ring **rings = smp_load_acquire(&jifl_rings);
	struct jifl_ring *r = rings ? rings[raw_smp_processor_id()] : NULL;
	void *rec = NULL;

	if (!r)
		return 0;
	/* the chunk's writer, unless this interrupts another */
	if (!r->nest++)
		rec = jifl_ev_new_chunk(r, ec, size);
	r->nest--;
	if (!rec)
		ring_count_lost(r);
	return (unsigned long)rec;
}

/**
 * jifl_rings_event_cpu() - the per-CPU chunk positions
 *
 * Return: what inline records address (ring_inline.c).
 */
struct jit_event_cpu __percpu *jifl_rings_event_cpu(void)
{
	return &jifl_ev_cpu;
}

/**
 * jifl_rings_tsc_khz() - the TSC rate the context records give
 *
 * Return: kHz, 0 when unknown.
 */
u32 jifl_rings_tsc_khz(void)
{
	return jifl_tsc_khz();
}

notrace void *jifl_event_reserve(u32 size, u32 type)
{
	struct jit_event_cpu *ec;
	struct jifl_ring **rings;
	struct jifl_rec_header *h;
	struct jifl_ring *r;

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
	ec = this_cpu_ptr(&jifl_ev_cpu);
	/* against interrupts' inline records; nothing else moves the chunk */
	for (;;) {
		unsigned long pos = READ_ONCE(ec->pos);

		if (!pos || pos + size > READ_ONCE(ec->end)) {
			h = jifl_ev_new_chunk(r, ec, size);
			if (!h)
				goto lost;
			break;
		}
		if (this_cpu_cmpxchg(jifl_ev_cpu.pos, pos, pos + size) == pos) {
			h = (struct jifl_rec_header *)pos;
			break;
		}
	}
	h->size = size;
	h->type = type;
	return h;

lost:
	ring_count_lost(r);
	r->nest--;
out:
	preempt_enable_notrace();
	return NULL;
}
EXPORT_SYMBOL_GPL(jifl_event_reserve);

void notrace jifl_event_commit(void *rec)
{
	struct jifl_ring *r = jifl_rings[raw_smp_processor_id()];

	r->records++;
	WRITE_ONCE(r->ctl->records, r->records);
	ring_publish(r, ring_written(r, this_cpu_ptr(&jifl_ev_cpu)));
	r->nest--;
	preempt_enable_notrace();
}
EXPORT_SYMBOL_GPL(jifl_event_commit);

/**
 * jifl_event_context() - name the thread this CPU runs from here on
 * @tid:	the thread (at a context switch, the next one)
 *
 * Writes a struct jifl_rec_ct_ctx, which also pairs the TSC with
 * CLOCK_MONOTONIC for the compact records around it.
 */
void notrace jifl_event_context(u32 tid)
{
	struct jifl_rec_ct_ctx *c = jifl_event_reserve(sizeof(*c),
						       JIFL_REC_CT_CTX);

	if (!c)
		return;
	c->tsc = rdtsc();
	c->ns = ktime_get_mono_fast_ns();
	c->tid = tid;
	c->tsc_khz = jifl_tsc_khz();
	jifl_event_commit(c);
}
EXPORT_SYMBOL_GPL(jifl_event_context);
