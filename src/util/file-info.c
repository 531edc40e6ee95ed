// SPDX-License-Identifier: GPL-2.0
/*
 * A recording's header as text or JSON; see file-info.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/file-info.h"
#include "util/json-write.h"

void file_info_shell_word(FILE *fp, const char *s)
{
	const char *p;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_=+./:,@%") == strlen(s)) {
		fputs(s, fp);
		return;
	}
	fputc('\'', fp);
	for (p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/* What was recorded on one CPU: its chunks and its losses. */
struct cpu_info {
	uint32_t cpu;
	uint32_t chunks;
	uint64_t records, bytes, lost;
};

/* The figures the text and the JSON share, gathered once. */
struct info {
	struct cpu_info *cpus;	/* by CPU number */
	uint32_t nr_cpus;
	uint64_t records, bytes, lost;
	uint64_t first_ts, last_ts;	/* of the chunks; none: first > last */
	uint64_t executions;	/* summed counters */
	uint32_t blocks_ran;	/* blocks flagged JD_BLOCK_RAN (cover) */
};

static struct cpu_info *cpu_slot(struct info *in, uint32_t cpu)
{
	struct cpu_info *n;
	uint32_t i;

	for (i = 0; i < in->nr_cpus; i++)
		if (in->cpus[i].cpu == cpu)
			return &in->cpus[i];
	n = realloc(in->cpus, (in->nr_cpus + 1) * sizeof(*n));
	if (!n)
		return NULL;
	in->cpus = n;
	for (i = in->nr_cpus; i > 0 && n[i - 1].cpu > cpu; i--)
		n[i] = n[i - 1];
	memset(&n[i], 0, sizeof(n[i]));
	n[i].cpu = cpu;
	in->nr_cpus++;
	return &n[i];
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static int gather(struct info *in, const struct jd_file *f)
{
	struct cpu_info *c;
	uint32_t i;

	memset(in, 0, sizeof(*in));
	in->first_ts = UINT64_MAX;
	for (i = 0; i < f->nr_chunks; i++) {
		const struct jd_chunk *ch = &f->chunks[i];

		c = cpu_slot(in, ch->cpu);
		if (!c)
			return -ENOMEM;
		c->chunks++;
		c->records += ch->nr_records;
		c->bytes += ch->size;
		in->records += ch->nr_records;
		in->bytes += ch->size;
		if (ch->nr_records && ch->first_ts < in->first_ts)
			in->first_ts = ch->first_ts;
		if (ch->nr_records && ch->last_ts > in->last_ts)
			in->last_ts = ch->last_ts;
	}
	for (i = 0; i < f->nr_lost; i++) {
		c = cpu_slot(in, f->lost[i].cpu);
		if (!c)
			return -ENOMEM;
		c->lost = sat_add(c->lost, f->lost[i].lost);
		in->lost = sat_add(in->lost, f->lost[i].lost);
	}
	for (i = 0; i < f->nr_counters; i++)
		in->executions = sat_add(in->executions, f->counters[i].count);
	for (i = 0; i < f->nr_blocks; i++)
		in->blocks_ran += !!(f->blocks[i].flags & JD_BLOCK_RAN);
	return 0;
}

static bool has(const struct jd_file *f, enum jd_section_type t)
{
	return f->present & (1U << t);
}

static void fmt_build_id(char *buf, size_t len, const struct jd_build_id *id)
{
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < id->size && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, len - 2 * i, "%02x", id->data[i]);
}

static const char *clock_name(uint32_t id)
{
	switch (id) {
	case 0:
		return "CLOCK_REALTIME";
	case 1:
		return "CLOCK_MONOTONIC";
	case 4:
		return "CLOCK_MONOTONIC_RAW";
	case 7:
		return "CLOCK_BOOTTIME";
	default:
		return "clock";
	}
}

/* Seconds with nanoseconds, "5.000001000" */
static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / UINT64_C(1000000000),
		 ns % UINT64_C(1000000000));
}

#define KEY "# %-16s: "

/* The RECORDING entries (util/recording.h) people read, in words. */
static void print_recording(FILE *fp, const struct jd_file *f)
{
	static const char *const shown[] = {
		"tool", "abi", "plugins", "ring_size", "tasks", "inherit",
		"syscalls", "functions", "modules", "start_ns", "stop_ns",
		"blocks", "native_bytes", "cache_bytes", "cache_size",
		"entries", "fallbacks",
	};
	const char *v, *tasks = jd_recording_get(f, "tasks");
	const char *start = jd_recording_get(f, "start_ns");
	const char *stop = jd_recording_get(f, "stop_ns");
	char a[32], b[32], c[32];
	uint32_t i;
	size_t k;

	if ((v = jd_recording_get(f, "tool"))) {
		const char *abi = jd_recording_get(f, "abi");

		fprintf(fp, KEY "%s (ioctl ABI %s)\n", "recorded by", v,
			abi ? abi : "?");
	}
	if ((v = jd_recording_get(f, "plugins")))
		fprintf(fp, KEY "%s\n", "plugins", *v ? v : "none");
	if ((v = jd_recording_get(f, "ring_size")))
		fprintf(fp, KEY "%s bytes per CPU (%.0f KiB)\n", "ring size", v,
			strtod(v, NULL) / 1024);
	if (tasks) {
		bool inherit = (v = jd_recording_get(f, "inherit")) &&
			       !strcmp(v, "yes");

		if (!strcmp(tasks, "all"))
			fprintf(fp, KEY "every task but jifl's own\n", "tasks");
		else if (!strncmp(tasks, "cgroup:", 7))
			/* -G -- CMD: CMD is traced only if in the cgroup */
			fprintf(fp, KEY "the tasks in cgroup %s and its descendants, while there%s\n",
				"tasks", tasks + 7,
				has(f, JD_SEC_CMDLINE) && f->argc ?
				"; the command only set the duration" : "");
		else if (!strncmp(tasks, "pids:", 5))
			fprintf(fp, KEY "processes %s%s\n", "tasks", tasks + 5,
				inherit ? " and their children" : "");
		else
			fprintf(fp, KEY "the command%s\n", "tasks",
				inherit ? " and its children" : "");
	}
	if ((v = jd_recording_get(f, "syscalls"))) {
		fprintf(fp, KEY "system calls: %s", "attached at", v);
		if ((v = jd_recording_get(f, "functions")))
			fprintf(fp, "; functions: %s", v);
		if ((v = jd_recording_get(f, "modules")))
			fprintf(fp, "; modules translated: %s", v);
		fputc('\n', fp);
	}
	if (start && stop &&
	    strtoull(stop, NULL, 10) >= strtoull(start, NULL, 10)) {
		uint64_t t0 = strtoull(start, NULL, 10);
		uint64_t t1 = strtoull(stop, NULL, 10);

		fmt_ns(a, sizeof(a), t1 - t0);
		fmt_ns(b, sizeof(b), t0);
		fmt_ns(c, sizeof(c), t1);
		fprintf(fp, KEY "%s s (traced from %s s to %s s)\n", "duration",
			a, b, c);
	}
	if ((v = jd_recording_get(f, "blocks"))) {
		const char *nb = jd_recording_get(f, "native_bytes");
		const char *cb = jd_recording_get(f, "cache_bytes");
		const char *fb = jd_recording_get(f, "fallbacks");
		const char *en = jd_recording_get(f, "entries");

		fprintf(fp, KEY "%s blocks, %s native bytes -> %s cache bytes, %s %s into the cache, %s native fallbacks",
			"translated", v, nb ? nb : "?", cb ? cb : "?",
			en ? en : "?", en && !strcmp(en, "1") ? "entry" : "entries",
			fb ? fb : "?");
		for (i = 0, k = 0; i < f->nr_recording; i++)
			if (!strncmp(f->recording[i], "fallback.", 9))
				fprintf(fp, "%s%s", k++ ? ", " : " (",
					f->recording[i] + 9);
		fputs(k ? ")\n" : "\n", fp);
	}
	/* entries of a newer jifl, as they are */
	for (i = 0; i < f->nr_recording; i++) {
		const char *kv = f->recording[i];
		size_t len = strcspn(kv, "=");

		for (k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
			if (strlen(shown[k]) == len &&
			    !strncmp(kv, shown[k], len))
				break;
		if (k < sizeof(shown) / sizeof(shown[0]) ||
		    !strncmp(kv, "fallback.", 9))
			continue;
		fprintf(fp, "# %-16.*s: %s\n", (int)len, kv, kv + len + 1);
	}
}

static void print_text(FILE *fp, const struct jd_file *f, const char *path,
		       const struct info *in)
{
	char id[2 * JD_BUILD_ID_MAX + 1], a[32], b[32];
	uint32_t i;

	fprintf(fp, "# jifl info\n");
	fprintf(fp, KEY "%s (%" PRIu64 " bytes, format %u.%u, %u sections%s)\n",
		"file", path, f->file_size, f->major, f->minor, f->nr_sections,
		f->nr_unknown ? ", some of types this jifl does not know" : "");
	if (has(f, JD_SEC_CMDLINE)) {
		fprintf(fp, KEY, "command");
		for (i = 0; i < f->argc; i++) {
			if (i)
				fputc(' ', fp);
			file_info_shell_word(fp, f->argv[i]);
		}
		fputc('\n', fp);
	}
	if (has(f, JD_SEC_RECORDING))
		print_recording(fp, f);
	if (has(f, JD_SEC_UNAME))
		fprintf(fp, KEY "%s\n", "kernel", f->uname);
	if (has(f, JD_SEC_CLOCK) && f->clock.ref_realtime_ns) {
		time_t t = (time_t)(f->clock.ref_realtime_ns / 1000000000ULL);
		struct tm tm;
		char date[64];

		if (localtime_r(&t, &tm) &&
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", &tm))
			fprintf(fp, KEY "%s\n", "date", date);
	}
	if (has(f, JD_SEC_CPUS))
		fprintf(fp, KEY "%u online, %u configured\n", "cpus",
			f->cpus_online, f->cpus_configured);
	if (has(f, JD_SEC_CLOCK)) {
		fmt_ns(a, sizeof(a), f->clock.ref_ns);
		fprintf(fp, KEY "%s, %" PRIu64 " ticks/s, recording started at %s s\n",
			"clock", clock_name(f->clock.clockid), f->clock.freq_hz, a);
	}
	if (has(f, JD_SEC_BUILD_ID)) {
		fmt_build_id(id, sizeof(id), &f->build_id);
		fprintf(fp, KEY "%s\n", "vmlinux build-id",
			f->build_id.size ? id : "unknown (not readable when recording)");
	}
	if (has(f, JD_SEC_KERNEL)) {
		if (f->kernel.flags & JD_KF_ADDRS_HIDDEN)
			fprintf(fp, KEY "addresses hidden (kernel.kptr_restrict)\n",
				"kernel text");
		else
			fprintf(fp, KEY "0x%016" PRIx64 "-0x%016" PRIx64 "\n",
				"kernel text", f->kernel.text, f->kernel.etext);
	}
	if (has(f, JD_SEC_MODULES)) {
		fprintf(fp, KEY "%u\n", "modules", f->nr_modules);
		for (i = 0; i < f->nr_modules; i++) {
			const struct jd_module *m = &f->modules[i];

			fmt_build_id(id, sizeof(id), &m->build_id);
			fprintf(fp, "#   %-20s 0x%016" PRIx64 " %8" PRIu64 " bytes  build-id %s\n",
				m->name, m->base, m->size,
				m->build_id.size ? id : "unknown");
		}
	}
	if (has(f, JD_SEC_KALLSYMS))
		fprintf(fp, KEY "%u symbols%s\n", "kallsyms", f->kallsyms.count,
			f->kallsyms.flags & JD_KF_ADDRS_HIDDEN ?
			", addresses hidden (kernel.kptr_restrict)" : "");
	if (has(f, JD_SEC_BLOCKS)) {
		fprintf(fp, KEY "%u translated", "blocks", f->nr_blocks);
		if (in->blocks_ran)
			fprintf(fp, ", %u ran (cover)", in->blocks_ran);
		if (has(f, JD_SEC_COUNTERS))
			fprintf(fp, ", %" PRIu64 " executions in %u counters (bbcount)",
				in->executions, f->nr_counters);
		fputc('\n', fp);
	}
	if (f->nr_chunks) {
		fprintf(fp, KEY "%" PRIu64 " records, %" PRIu64 " bytes in %u chunk%s",
			"events", in->records, in->bytes, f->nr_chunks,
			f->nr_chunks == 1 ? "" : "s");
		if (in->first_ts <= in->last_ts) {
			fmt_ns(a, sizeof(a), in->first_ts);
			fmt_ns(b, sizeof(b), in->last_ts);
			fprintf(fp, ", %s s to %s s", a, b);
			fmt_ns(a, sizeof(a), in->last_ts - in->first_ts);
			fprintf(fp, " (%s s)", a);
		}
		fputc('\n', fp);
	}
	if (has(f, JD_SEC_LOST) || f->nr_chunks) {
		if (in->lost)
			fprintf(fp, KEY "%" PRIu64 " records lost in the kernel (rings full): record again with larger rings (-m)\n",
				"lost", in->lost);
		else
			fprintf(fp, KEY "none\n", "lost");
	}
	if (in->nr_cpus) {
		fprintf(fp, "# per cpu\n");
		for (i = 0; i < in->nr_cpus; i++) {
			const struct cpu_info *c = &in->cpus[i];

			fprintf(fp, "#   cpu %-4u %10" PRIu64 " records %12" PRIu64 " bytes %4u chunk%s %10" PRIu64 " lost\n",
				c->cpu, c->records, c->bytes, c->chunks,
				c->chunks == 1 ? " " : "s", c->lost);
		}
	}
	for (i = 0; i < f->nr_dumps; i++)
		fprintf(fp, KEY "%s, %" PRIu64 " bytes\n", "plugin dump",
			f->dumps[i].name, f->dumps[i].size);
}

static void json_hex(FILE *fp, const char *name, uint64_t v)
{
	fprintf(fp, ", \"%s\": \"0x%016" PRIx64 "\"", name, v);
}

static void json_build_id(FILE *fp, const struct jd_build_id *id)
{
	char hex[2 * JD_BUILD_ID_MAX + 1];

	fmt_build_id(hex, sizeof(hex), id);
	json_write_str(fp, id->size ? hex : NULL);
}

/* {"tool": "jifl 0.1.0", "ring_size": 4194304, ...}: numbers as numbers */
static void json_recording(FILE *fp, const struct jd_file *f)
{
	uint32_t i;

	if (!has(f, JD_SEC_RECORDING)) {
		fputs("null", fp);
		return;
	}
	fputc('{', fp);
	for (i = 0; i < f->nr_recording; i++) {
		const char *kv = f->recording[i], *v;
		size_t len = strcspn(kv, "=");
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)len, kv);
		v = kv + len + 1;
		fputs(i ? ", " : "", fp);
		json_write_str(fp, key);
		fputs(": ", fp);
		if (*v && strspn(v, "0123456789") == strlen(v) &&
		    (v[0] != '0' || !v[1]) && strlen(v) < 20)
			fputs(v, fp);
		else
			json_write_str(fp, v);
	}
	fputc('}', fp);
}

static void print_json(FILE *fp, const struct jd_file *f, const char *path,
		       const struct info *in)
{
	bool kernel = has(f, JD_SEC_KERNEL) &&
		      !(f->kernel.flags & JD_KF_ADDRS_HIDDEN);
	uint32_t i;

	fputs("{\"file\": ", fp);
	json_write_str(fp, path);
	fprintf(fp, ", \"size\": %" PRIu64 ", \"format\": \"%u.%u\", \"sections\": %u, \"unknown_sections\": %u",
		f->file_size, f->major, f->minor, f->nr_sections,
		f->nr_unknown);
	fputs(",\n \"command\": ", fp);
	if (has(f, JD_SEC_CMDLINE)) {
		fputc('[', fp);
		for (i = 0; i < f->argc; i++) {
			if (i)
				fputs(", ", fp);
			json_write_str(fp, f->argv[i]);
		}
		fputc(']', fp);
	} else {
		fputs("null", fp);
	}
	fputs(",\n \"recording\": ", fp);
	json_recording(fp, f);
	fputs(",\n \"kernel\": ", fp);
	json_write_str(fp, has(f, JD_SEC_UNAME) ? f->uname : NULL);
	if (has(f, JD_SEC_CPUS))
		fprintf(fp, ", \"cpus_online\": %u, \"cpus_configured\": %u",
			f->cpus_online, f->cpus_configured);
	else
		fputs(", \"cpus_online\": null, \"cpus_configured\": null", fp);
	if (has(f, JD_SEC_CLOCK))
		fprintf(fp, ",\n \"clock\": {\"clockid\": %u, \"freq_hz\": %" PRIu64 ", \"start_ns\": %" PRIu64 ", \"start_realtime_ns\": %" PRIu64 "}",
			f->clock.clockid, f->clock.freq_hz, f->clock.ref_ns,
			f->clock.ref_realtime_ns);
	else
		fputs(",\n \"clock\": null", fp);
	fputs(",\n \"vmlinux_build_id\": ", fp);
	json_build_id(fp, &f->build_id);
	fprintf(fp, ", \"addresses_hidden\": %s",
		(f->kernel.flags | f->kallsyms.flags) & JD_KF_ADDRS_HIDDEN ?
		"true" : "false");
	if (kernel) {
		json_hex(fp, "kernel_text", f->kernel.text);
		json_hex(fp, "kernel_etext", f->kernel.etext);
	} else {
		fputs(", \"kernel_text\": null, \"kernel_etext\": null", fp);
	}
	fputs(",\n \"modules\": [", fp);
	for (i = 0; i < f->nr_modules; i++) {
		const struct jd_module *m = &f->modules[i];

		fputs(i ? ", {\"name\": " : "{\"name\": ", fp);
		json_write_str(fp, m->name);
		json_hex(fp, "base", m->base);
		fprintf(fp, ", \"size\": %" PRIu64 ", \"build_id\": ", m->size);
		json_build_id(fp, &m->build_id);
		fputc('}', fp);
	}
	fprintf(fp, "],\n \"kallsyms\": %u, \"blocks\": %u, \"blocks_ran\": %u, \"counters\": %u, \"executions\": %" PRIu64,
		f->kallsyms.count, f->nr_blocks, in->blocks_ran,
		f->nr_counters, in->executions);
	fprintf(fp, ",\n \"chunks\": %u, \"records\": %" PRIu64 ", \"record_bytes\": %" PRIu64,
		f->nr_chunks, in->records, in->bytes);
	if (in->first_ts <= in->last_ts)
		fprintf(fp, ", \"first_ns\": %" PRIu64 ", \"last_ns\": %" PRIu64 ", \"duration_ns\": %" PRIu64,
			in->first_ts, in->last_ts, in->last_ts - in->first_ts);
	else
		fputs(", \"first_ns\": null, \"last_ns\": null, \"duration_ns\": null", fp);
	fprintf(fp, ", \"records_lost\": %" PRIu64 ",\n \"per_cpu\": [", in->lost);
	for (i = 0; i < in->nr_cpus; i++) {
		const struct cpu_info *c = &in->cpus[i];

		fprintf(fp, "%s{\"cpu\": %u, \"chunks\": %u, \"records\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"lost\": %" PRIu64 "}",
			i ? ", " : "", c->cpu, c->chunks, c->records, c->bytes,
			c->lost);
	}
	fputs("],\n \"dumps\": [", fp);
	for (i = 0; i < f->nr_dumps; i++) {
		fputs(i ? ", {\"plugin\": " : "{\"plugin\": ", fp);
		json_write_str(fp, f->dumps[i].name);
		fprintf(fp, ", \"bytes\": %" PRIu64 "}", f->dumps[i].size);
	}
	fputs("]}\n", fp);
}

int file_info_print(FILE *fp, const struct jd_file *f, const char *path,
		    bool json)
{
	struct info in;

	if (gather(&in, f)) {
		free(in.cpus);
		return -ENOMEM;
	}
	if (json)
		print_json(fp, f, path, &in);
	else
		print_text(fp, f, path, &in);
	free(in.cpus);
	return 0;
}
