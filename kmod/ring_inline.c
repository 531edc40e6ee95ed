// SPDX-License-Identifier: GPL-2.0
/*
 * How the code cache writes inline event records into the rings (struct
 * jit_event_host, kmod/jit/README "Inline events"): the %gs offsets of
 * the per-CPU chunk (ring.c) and of the preempt count, and the refill and
 * reschedule entries (ring_entry.S), above both so that neither calls up.
 */
#include <linux/percpu.h>
#include <linux/preempt.h>

#include "compat.h"
#include "jifl.h"
#include "jit/translate.h"

/* ring_entry.S */
void jifl_ev_refill(void);
void jifl_ev_resched(void);

static struct jit_event_host jifl_ev_host;

/* The %gs offset of this CPU's copy of per-CPU data at @this_cpu_copy */
static s64 gs_offset(const void *this_cpu_copy)
{
	return (s64)((unsigned long)this_cpu_copy -
		     raw_cpu_read(this_cpu_off));
}

/**
 * jifl_rings_event_host() - how the code cache writes inline records
 *
 * Return: the description for jit_host.events, or NULL when the per-CPU
 * data is out of disp32 reach or the TSC's rate is unknown (inline
 * records are not used then: plugins take their clean-call path).
 */
const struct jit_event_host *jifl_rings_event_host(void)
{
	s64 cpu, pc;

	preempt_disable();
	cpu = gs_offset(this_cpu_ptr(jifl_rings_event_cpu()));
	pc = gs_offset(jifl_preempt_count_ptr());
	preempt_enable();
	if (cpu != (s32)cpu || pc != (s32)pc || !jifl_rings_tsc_khz())
		return NULL;
	jifl_ev_host.cpu = cpu;
	jifl_ev_host.preempt = pc;
	jifl_ev_host.has_preempt = true;
	/* preempt_enable_notrace()'s reschedule, AC kept (ring_entry.S) */
	if (IS_ENABLED(CONFIG_PREEMPTION))
		jifl_ev_host.resched = (unsigned long)jifl_ev_resched;
	jifl_ev_host.refill = (unsigned long)jifl_ev_refill;
	return &jifl_ev_host;
}
