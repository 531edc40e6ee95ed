// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/kernel-layout.h"

/* Linker-defined sections whose code must run at its own address. */
static const char *const section_pairs[][2] = {
	{ "__noinstr_text_start", "__noinstr_text_end" },
	{ "__entry_text_start", "__entry_text_end" },
	{ "__irqentry_text_start", "__irqentry_text_end" },
	{ "__softirqentry_text_start", "__softirqentry_text_end" },
	{ "__kprobes_text_start", "__kprobes_text_end" },
	{ "__sched_text_start", "__sched_text_end" },
	{ "__lock_text_start", "__lock_text_end" },
	{ "__cpuidle_text_start", "__cpuidle_text_end" },
	{ "__indirect_thunk_start", "__indirect_thunk_end" },
	{ "ftrace_caller", "ftrace_caller_end" },
	{ "ftrace_regs_caller", "ftrace_regs_caller_end" },
	/* static call trampolines: patched jmps, kept current natively */
	{ "__static_call_text_start", "__static_call_text_end" },
	/* 6.2+: the thunks lie between these, without markers of their own */
	{ "__x86_indirect_thunk_array", "__x86_return_thunk" },
};

/*
 * Code that juggles return addresses or is entered by ftrace: a symbol and
 * a small span after it (the span may reach into the next function, which
 * then merely runs natively).
 */
#define SYMBOL_SPAN	64
static const char *const native_symbols[] = {
	"__x86_return_thunk", "srso_alias_untrain_ret",
	"srso_alias_return_thunk", "srso_alias_safe_ret", "ftrace_stub",
	"ftrace_stub_graph", "__fentry__", "return_to_handler",
	"ftrace_stub_direct_tramp", "arch_rethook_trampoline",
	"__kretprobe_trampoline", "kretprobe_trampoline",
};

#define NR_PAIRS (sizeof(section_pairs) / sizeof(section_pairs[0]))
#define NR_SYMBOLS (sizeof(native_symbols) / sizeof(native_symbols[0]))

struct wanted {
	unsigned long long pair[NR_PAIRS][2];
	unsigned long long sym[NR_SYMBOLS];
	unsigned long long stext, etext, ex_start, ex_stop;
	unsigned long long jt_start, jt_stop;
	unsigned long long sc_start, sc_stop;
};

static void note_symbol(struct wanted *w, const char *name,
			unsigned long long addr)
{
	size_t i;

	if (!strcmp(name, "_stext"))
		w->stext = addr;
	else if (!strcmp(name, "_etext"))
		w->etext = addr;
	else if (!strcmp(name, "__start___ex_table"))
		w->ex_start = addr;
	else if (!strcmp(name, "__stop___ex_table"))
		w->ex_stop = addr;
	else if (!strcmp(name, "__start___jump_table"))
		w->jt_start = addr;
	else if (!strcmp(name, "__stop___jump_table"))
		w->jt_stop = addr;
	else if (!strcmp(name, "__start_static_call_sites"))
		w->sc_start = addr;
	else if (!strcmp(name, "__stop_static_call_sites"))
		w->sc_stop = addr;
	for (i = 0; i < NR_PAIRS; i++) {
		if (!strcmp(name, section_pairs[i][0]))
			w->pair[i][0] = addr;
		if (!strcmp(name, section_pairs[i][1]))
			w->pair[i][1] = addr;
	}
	for (i = 0; i < NR_SYMBOLS; i++)
		if (!strcmp(name, native_symbols[i]))
			w->sym[i] = addr;
}

static void add_range(struct kernel_layout *kl, const char *name,
		      unsigned long long start, unsigned long long end)
{
	unsigned int n = kl->layout.nr_ranges;

	if (!start || end <= start || n >= JIFL_LAYOUT_MAX_RANGES)
		return;
	kl->ranges[2 * n] = start;
	kl->ranges[2 * n + 1] = end;
	kl->range_names[n] = name;
	kl->layout.nr_ranges = n + 1;
}

int kernel_layout_read(struct kernel_layout *kl, const char *kallsyms,
		       char *why, size_t why_len)
{
	const char *path = kallsyms ? kallsyms : "/proc/kallsyms";
	struct wanted w;
	char line[512];
	FILE *fp;
	size_t i;

	memset(kl, 0, sizeof(*kl));
	memset(&w, 0, sizeof(w));
	fp = fopen(path, "re");
	if (!fp) {
		int err = errno;

		snprintf(why, why_len, "cannot read %s: %s", path,
			 strerror(err));
		return -err;
	}
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long addr;
		char type, name[256];

		/* module symbols ("name [mod]") are not ours to look at */
		if (strchr(line, '['))
			continue;
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3)
			note_symbol(&w, name, addr);
	}
	fclose(fp);
	if (!w.stext || !w.etext) {
		snprintf(why, why_len,
			 "%s shows no kernel text addresses: run as root, or set kernel.kptr_restrict=0",
			 path);
		return -EPERM;
	}
	kl->layout.size = sizeof(kl->layout);
	kl->layout.text_start = w.stext;
	kl->layout.text_end = w.etext;
	kl->layout.extable_start = w.ex_start;
	kl->layout.extable_end = w.ex_stop;
	/* test knob: the control run of tests/kernel/textpatch.t */
	if (!getenv("JIFL_DEBUG_COPY_STATIC_BRANCHES")) {
		kl->layout.jump_table_start = w.jt_start;
		kl->layout.jump_table_end = w.jt_stop;
	}
	/* likewise: tests/kernel/textpatch.t's control of static calls */
	if (!getenv("JIFL_DEBUG_COPY_STATIC_CALLS")) {
		kl->layout.static_call_sites_start = w.sc_start;
		kl->layout.static_call_sites_end = w.sc_stop;
	}
	for (i = 0; i < NR_PAIRS; i++)
		add_range(kl, section_pairs[i][0], w.pair[i][0],
			  w.pair[i][1]);
	for (i = 0; i < NR_SYMBOLS; i++)
		add_range(kl, native_symbols[i], w.sym[i],
			  w.sym[i] + SYMBOL_SPAN);
	kl->layout.ranges = (unsigned long)kl->ranges;
	return 0;
}
