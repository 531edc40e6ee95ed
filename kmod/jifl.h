/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jifl.ko internals shared between its files.
 */
#ifndef JIFL_JIFL_H
#define JIFL_JIFL_H

#include <linux/percpu.h>
#include <linux/types.h>

#include "uapi/jifl.h"
#include "jit/translate.h"
#include "jifl_cache.h"

/* --- cache.c: the code cache and its block table --- */

/**
 * struct jifl_block - a translated block and its pc map
 * @blk:	the translator's record
 * @map:	@blk.nr_insns pc map entries (in the map pool)
 */
struct jifl_block {
	struct jit_block blk;
	struct jit_pcmap *map;
};

/* jifl_cache.ko's section (jifl_cache.h), its alias, the return path */
extern u8 *jifl_cache_alias;
extern const u8 jifl_tramp_exit[], jifl_tramp_exit_leave[];

int jifl_cache_init(void);
void jifl_cache_exit(void);
void jifl_cache_reset(void);
u64 jifl_cache_size(void);
bool jifl_cache_contains(unsigned long addr);

/* The stub/lookup entry points of dispatch_entry.S, used by the translator */
extern const u8 jifl_exit_entry[], jifl_exit_call_entry[];
extern const u8 jifl_ibl_jmp_entry[], jifl_ibl_call_entry[];
extern const u8 jifl_ic_jmp_miss[], jifl_ic_call_miss[];
extern const u8 jifl_static_call_nop[];
extern const u8 jifl_entry_text_start[], jifl_entry_text_end[];

/* --- dispatch.c: translating and linking under the cache lock --- */

int jifl_dispatch_init(void);
void jifl_dispatch_exit_module(void);
void jifl_dispatch_reset(void);
int jifl_set_layout(const struct jifl_layout *layout, const u64 *ranges,
		    const u64 *modules);
void jifl_dispatch_set_instrumentation(const struct jit_instr_ops *ops,
				       bool leave);
int jifl_dispatch_blocks(struct jifl_block_info __user *uentries, u64 *nr,
			 u64 *total);
unsigned long jifl_entry_trampoline(unsigned long fentry_ip);
void jifl_dispatch_stats(struct jifl_stats *st);
unsigned int jifl_dispatch_forget(unsigned long start, unsigned long end);
struct jifl_block *jifl_dispatch_find_block(u64 addr);
unsigned int jifl_dispatch_read_code(u64 pc, u8 *buf, unsigned int len);
void jifl_dispatch_label_update(unsigned long site, bool taken);
void jifl_dispatch_follow_labels(bool on);

/* --- native_of.c: cache addresses back to native ones, at stop --- */

void jifl_native_of_init(void);
bool jifl_dispatch_native_of(u64 w, u64 *native, int *left);
const char *jifl_native_of_why(u64 w);

/* --- label_watch.c: static key updates --- */
void jifl_label_watch_init(void);
void jifl_label_watch_exit(void);

/* --- unpin.c: moving tasks out of the cache at stop --- */

int jifl_unpin_tasks(void);

/* C halves of dispatch_entry.S; called with all registers saved */
u64 jifl_dispatch_exit(u64 stub_ret, u64 eflags);
u64 jifl_dispatch_ind(u64 target, u64 eflags);
u64 jifl_dispatch_ic(u64 stub_ret, u64 target);

/* Tasks between a traced entry and its return, summed over CPUs */
DECLARE_PER_CPU(long, jifl_inflight);
long jifl_inflight_sum(void);

/* --- entry.c: ftrace entry and the task filter --- */

int jifl_entry_attach(const char *patterns, size_t len, u64 flags);
int jifl_entry_set_filter(u64 mode, const u64 *pids, unsigned int nr,
			  int cgroup_fd);
int jifl_entry_start(void);
void jifl_entry_stop(void);
void jifl_entry_reset(void);
void jifl_entry_exit_module(void);
u64 jifl_entry_count(void);
u64 jifl_entry_count_fault(void);
void jifl_entry_stats(struct jifl_stats *st);
u64 jifl_entry_attached(void);

/* --- extable.c: exception tables, native and for cache copies --- */

/* One native exception-table entry, absolute */
struct jifl_ex {
	unsigned long insn;
	unsigned long fixup;
	int data;
};

struct jifl_extable;
struct jifl_extable *jifl_extable_build(u64 start, u64 end, const u64 *modules,
					unsigned int nr_modules);
void jifl_extable_free(struct jifl_extable *t);
const struct jifl_ex *jifl_extable_find(const struct jifl_extable *t, u64 pc);
unsigned int jifl_extable_size(const struct jifl_extable *t);
void jifl_cache_ex_init(void);
void jifl_cache_ex_exit(void);
void jifl_cache_ex_reset(void);
bool jifl_cache_ex_room(unsigned int n);
bool jifl_cache_ex_add(u64 cache_pc, const struct jifl_ex *ex);
unsigned int jifl_cache_ex_count(void);

struct module *jifl_module_holding(unsigned long addr);

/* --- sites.c: static branch and static call sites --- */

struct jifl_sites;
struct jifl_sites *jifl_sites_build(const struct jifl_layout *layout,
				    const u64 *modules);
void jifl_sites_free(struct jifl_sites *s);
bool jifl_sites_jump(const struct jifl_sites *s, u64 pc, u64 *target);
int jifl_sites_jump_state(const struct jifl_sites *s, u64 pc);
bool jifl_sites_static_call(const struct jifl_sites *s, u64 pc, u64 *key,
			    bool *tail);
void jifl_sites_count(const struct jifl_sites *s, unsigned int *jump,
		      unsigned int *call);

/* --- module_watch.c: unloading modules drop their translations --- */

int jifl_module_watch_init(void);
void jifl_module_watch_exit(void);

/* --- plugin.c: the registry and the session's plugins --- */

int jifl_plugins_init(void);
int jifl_plugins_list(void __user *ubuf, u64 *len);
void jifl_plugins_exit(void);
int jifl_plugins_start(const char *names, size_t len, char *bad,
		       size_t bad_len);
bool jifl_plugins_same(const char *names, size_t len);
const struct jit_instr_ops *jifl_plugins_ops(void);
bool jifl_plugins_want_leave(void);
void jifl_plugins_stop(void);
void jifl_plugins_release(void);
void jifl_plugins_sweep(void);
u64 jifl_plugins_stores_removed(void);
u64 jifl_plugins_block_count(u32 id);
void jifl_plugins_enter(unsigned long func, unsigned long ret_ip,
			unsigned long sp);
void jifl_plugins_leave(unsigned long sp, unsigned long retval);
int jifl_plugins_dump(const char *name, void __user *ubuf, u64 *len,
		      u64 *needed);

/* --- ring.c: per-CPU event rings --- */

struct vm_area_struct;
struct poll_table_struct;
int jifl_rings_create(struct jifl_rings *r);
void jifl_rings_free(void);
void jifl_rings_set_hup(bool hup);
int jifl_rings_mmap(struct vm_area_struct *vma);
__poll_t jifl_rings_poll(struct file *file, struct poll_table_struct *wait);
u64 jifl_rings_lost(void);
struct jit_event_cpu;
struct jit_event_cpu __percpu *jifl_rings_event_cpu(void);
u32 jifl_rings_tsc_khz(void);
unsigned long jifl_ev_refill_c(u32 size);	/* ring_entry.S */

/* --- ring_inline.c: inline records into the rings --- */

struct jit_event_host;
const struct jit_event_host *jifl_rings_event_host(void);

#endif /* JIFL_JIFL_H */
