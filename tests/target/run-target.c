// SPDX-License-Identifier: GPL-2.0
/*
 * run-target: run jifl_target.ko's scenarios through /dev/jifl_target.
 *
 *   run-target SCENARIO ARG...   one scenario
 *   run-target all               the fixed list the guest test checks
 *   run-target list              the scenario names and their arguments
 *
 * Prints one line per ioctl, "scenario=NAME arg=ARGS result=VALUE", where
 * VALUE is the result in decimal or, for a failed ioctl, -ENAME (-EFAULT,
 * -EINVAL, ...).  The output depends only on the arguments.  The copy
 * scenario takes "good" (8 readable bytes), "unmapped" (an address just
 * unmapped) or "kernel" (a kernel address) instead of a number.  The
 * fault scenario is no ioctl: it maps the device and reads N pages, each
 * first touch a page fault that runs jt_fault().
 *
 * Exit 0 when every ioctl succeeded or, with "all", failed exactly where
 * the list says it must; 1 otherwise; 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jifl_target.h"

#define DEVICE "/dev/jifl_target"
/* The bytes the copy scenario reads from a good pointer. */
#define COPY_BYTES "jifl_tgt"

struct scenario {
	const char *name;
	unsigned long cmd;
	int nargs;		/* 1 or 2; 0: the copy scenario's pointer kind */
	const char *usage;
};

static const struct scenario scenarios[] = {
	{ "loop",     JT_IOC_LOOP,     1, "N" },
	{ "nested",   JT_IOC_NESTED,   2, "N M" },
	{ "switch",   JT_IOC_SWITCH,   1, "N" },
	{ "indirect", JT_IOC_INDIRECT, 1, "N" },
	{ "recurse",  JT_IOC_RECURSE,  1, "N" },
	{ "copy",     JT_IOC_COPY,     0, "good|unmapped|kernel" },
	{ "sleep",    JT_IOC_SLEEP,    1, "N" },
	{ "spin",     JT_IOC_SPIN,     1, "N" },
	{ "warn",     JT_IOC_WARN,     1, "N" },
	{ "patch",    JT_IOC_PATCH,    2, "KEY CALL" },
	{ "static",   JT_IOC_STATIC,   1, "N" },
	{ "fault",    0,               1, "N" },
	{ "tasklet",  JT_IOC_TASKLET,  2, "N M" },
};

/* "all": scenario, arguments, and the errno the ioctl must fail with. */
struct run {
	const char *name;
	const char *a;
	const char *b;
	int err;
};

#define RUN(s, x)		{ .name = s, .a = x }
#define RUN2(s, x, y)		{ .name = s, .a = x, .b = y }
#define FAIL(s, x, e)		{ .name = s, .a = x, .err = e }
#define FAIL2(s, x, y, e)	{ .name = s, .a = x, .b = y, .err = e }
#define STR(x)			#x
#define XSTR(x)			STR(x)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static const struct run all_runs[] = {
	RUN("loop", "0"), RUN("loop", "1"), RUN("loop", "10"),
	RUN("loop", "1000"), RUN("loop", XSTR(JT_LOOP_MAX)),
	FAIL("loop", "1000001", EINVAL),
	RUN2("nested", "0", "5"), RUN2("nested", "3", "0"),
	RUN2("nested", "1", "1"), RUN2("nested", "3", "4"),
	RUN2("nested", "20", "30"), RUN2("nested", "1000", "1000"),
	FAIL2("nested", "1001", "1", EINVAL),
	FAIL2("nested", "1", "1001", EINVAL),
	RUN("switch", "0"), RUN("switch", "1"), RUN("switch", "2"),
	RUN("switch", "3"), RUN("switch", "4"), RUN("switch", "5"),
	RUN("switch", "6"), RUN("switch", "7"), RUN("switch", "8"),
	RUN("switch", "9"), RUN("switch", "10"), RUN("switch", "12345"),
	RUN("indirect", "0"), RUN("indirect", "1"), RUN("indirect", "2"),
	RUN("indirect", "3"), RUN("indirect", "4"), RUN("indirect", "7"),
	RUN("indirect", "1000"),
	RUN("recurse", "0"), RUN("recurse", "1"), RUN("recurse", "10"),
	RUN("recurse", XSTR(JT_RECURSE_MAX)),
	FAIL("recurse", "101", EINVAL),
	RUN("copy", "good"),
	FAIL("copy", "unmapped", EFAULT),
	FAIL("copy", "kernel", EFAULT),
	RUN("sleep", "1"), RUN("sleep", "5"),
	RUN("spin", "0"), RUN("spin", "1"), RUN("spin", "100"),
	RUN("spin", XSTR(JT_SPIN_MAX)),
	RUN("warn", "0"), RUN("warn", "7"),
	FAIL("warn", XSTR(JT_WARN_MAGIC), EINVAL),
	RUN("fault", "1"), RUN("fault", XSTR(JT_FAULT_PAGES)),
	FAIL("fault", "65", EINVAL),
	RUN2("tasklet", "0", "5"), RUN2("tasklet", "3", "0"),
	RUN2("tasklet", "4", "7"), RUN2("tasklet", "100", "100"),
	FAIL2("tasklet", "10001", "1", EINVAL),
};

static const char *errname(int err)
{
	static char buf[16];

	switch (err) {
	case EFAULT:
		return "-EFAULT";
	case EINVAL:
		return "-EINVAL";
	case ENOTTY:
		return "-ENOTTY";
	}
	snprintf(buf, sizeof(buf), "-%d", err);
	return buf;
}

static const struct scenario *find_scenario(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

static int parse_u64(const char *s, __u64 *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* The user address for the copy scenario's KIND, or 0 if KIND is bad. */
static __u64 copy_address(const char *kind)
{
	static char good[8];
	void *p;

	if (!strcmp(kind, "good")) {
		memcpy(good, COPY_BYTES, sizeof(good));
		return (uintptr_t)good;
	}
	if (!strcmp(kind, "unmapped")) {
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED || munmap(p, 4096))
			return 0;
		return (uintptr_t)p;
	}
	if (!strcmp(kind, "kernel"))
		return 0xffffffff81000000ULL;
	return 0;
}

/*
 * The fault scenario: map the device's pages and read a word of each of
 * the first @req->n; 0 or an errno (EINVAL above JT_FAULT_PAGES).
 */
static int run_fault(int fd, struct jifl_target_req *req)
{
	size_t len = (size_t)JT_FAULT_PAGES * 4096, i;
	volatile const __u64 *p;

	if (req->n > JT_FAULT_PAGES)
		return EINVAL;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	req->result = 0;
	for (i = 0; i < req->n; i++)
		req->result += p[i * 4096 / sizeof(*p)];
	munmap((void *)p, len);
	return 0;
}

/*
 * Run one scenario and print its line.  Returns 0 or the errno of the
 * ioctl; -1 on a usage error (message printed).
 */
static int run_one(int fd, const char *name, const char *a, const char *b)
{
	const struct scenario *s = find_scenario(name);
	struct jifl_target_req req = { 0 };
	int err = 0;

	if (!s || !a || (s->nargs == 2) != !!b) {
		fprintf(stderr, "run-target: bad scenario or arguments: %s %s %s\n",
			name, a ? a : "", b ? b : "");
		return -1;
	}
	if (s->nargs == 0)
		req.n = copy_address(a);
	if (s->nargs ? parse_u64(a, &req.n) || (b && parse_u64(b, &req.m))
		     : !req.n) {
		fprintf(stderr, "run-target: %s: bad argument (want %s)\n",
			name, s->usage);
		return -1;
	}
	if (!s->cmd)
		err = run_fault(fd, &req);
	else if (ioctl(fd, s->cmd, &req))
		err = errno;
	printf("scenario=%s arg=%s%s%s result=", name, a, b ? "," : "",
	       b ? b : "");
	if (err)
		printf("%s\n", errname(err));
	else
		printf("%" PRIu64 "\n", (uint64_t)req.result);
	fflush(stdout);
	return err;
}

static int print_usage(void)
{
	size_t i;

	fprintf(stderr, "usage: run-target SCENARIO ARG... | all | list\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(stderr, "  %s %s\n", scenarios[i].name,
			scenarios[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	int fd, ret = 0, err;
	size_t i;

	if (argc < 2)
		return print_usage();
	if (!strcmp(argv[1], "list")) {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			printf("%s %s\n", scenarios[i].name,
			       scenarios[i].usage);
		return 0;
	}
	if (strcmp(argv[1], "all") && (argc < 3 || argc > 4))
		return print_usage();

	fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "run-target: %s: %s\n", DEVICE,
			strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "all")) {
		err = run_one(fd, argv[1], argv[2], argc > 3 ? argv[3] : NULL);
		close(fd);
		return err < 0 ? 2 : !!err;
	}
	for (i = 0; i < ARRAY_SIZE(all_runs); i++) {
		const struct run *r = &all_runs[i];

		err = run_one(fd, r->name, r->a, r->b);
		if (err != r->err) {
			fprintf(stderr, "run-target: %s %s: %s, expected %s\n",
				r->name, r->a, err ? errname(err) : "success",
				r->err ? errname(r->err) : "success");
			ret = 1;
		}
	}
	close(fd);
	return ret;
}
