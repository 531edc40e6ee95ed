// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/jifl ioctl ABI, run inside the VM as root with jifl.ko loaded:
 * the version query, size-prefixed struct rules, bad pointers, unknown
 * commands and who may open the device.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "config.h"
#include "uapi/jifl.h"
#include "tap.h"

/* The record layouts other code (jifl report) relies on */
_Static_assert(sizeof(struct jifl_rec_header) == 8, "record header");
_Static_assert(sizeof(struct jifl_rec_call) == 40, "call record");
_Static_assert(sizeof(struct jifl_rec_ret) == 40, "ret record");
_Static_assert(sizeof(struct jifl_ring_ctl) == 48, "ring control");
_Static_assert(sizeof(struct jifl_start) == JIFL_START_SIZE_VER1, "start");
_Static_assert(sizeof(struct jifl_rings) == JIFL_RINGS_SIZE_VER0, "rings");
_Static_assert(sizeof(struct jifl_dump) == JIFL_DUMP_SIZE_VER0, "dump");

/* ioctl() result as 0 or errno */
static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static int version_with_size(int fd, uint64_t size, uint64_t *buf)
{
	buf[0] = size;
	return ioctl_errno(fd, JIFL_IOC_VERSION, buf);
}

/* In a child: drop privileges with @drop, then open; returns its errno. */
static int open_errno_as(void (*drop)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		drop();
		fd = open(JIFL_DEVICE_PATH, O_RDWR);
		_exit(fd >= 0 ? 0 : errno);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void become_nobody(void)
{
	if (setgid(65534) || setuid(65534))
		_exit(100);
}

static void drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		_exit(100);
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &hdr, data))
		_exit(101);
}

/* The session ioctls' argument checks; each a clear errno, no warning. */
static void session_errors(void)
{
	struct jifl_attach at = { .size = sizeof(at) };
	struct jifl_filter fl = { .size = sizeof(fl) };
	struct jifl_start st = { .size = sizeof(st) };
	struct jifl_blocks bl = { .size = sizeof(bl) };
	struct jifl_layout lay = { .size = sizeof(lay) };
	char nomatch[] = "jifl_no_such_function_anywhere";
	char good[] = "__x64_sys_getcwd";
	int fd = open(JIFL_DEVICE_PATH, O_RDWR), fd2;
	__u64 pid = 1;

	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EINVAL,
	   "START without a layout: EINVAL");
	ok(ioctl_errno(fd, JIFL_IOC_STOP, NULL) == EINVAL,
	   "STOP when not running: EINVAL");
	lay.text_start = 0x1000;
	lay.text_end = 0x2000;
	ok(ioctl_errno(fd, JIFL_IOC_LAYOUT, &lay) == EINVAL,
	   "LAYOUT with bounds that are not kernel text: EINVAL");
	lay.nr_ranges = JIFL_LAYOUT_MAX_RANGES + 1;
	ok(ioctl_errno(fd, JIFL_IOC_LAYOUT, &lay) == EINVAL,
	   "LAYOUT with too many ranges: EINVAL");
	ok(ioctl_errno(fd, JIFL_IOC_LAYOUT, (void *)8) == EFAULT,
	   "LAYOUT with a bad pointer: EFAULT");

	at.patterns = (unsigned long)nomatch;
	at.len = sizeof(nomatch);
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == EINVAL,
	   "ATTACH of a pattern matching nothing: EINVAL");
	at.patterns = 8;
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == EFAULT,
	   "ATTACH with a bad patterns pointer: EFAULT");
	at.patterns = (unsigned long)good;
	at.len = 0;
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == EINVAL,
	   "ATTACH of zero bytes: EINVAL");
	at.len = sizeof(good);
	at.flags = JIFL_ATTACH_FLAGS + 1;
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == EINVAL,
	   "ATTACH with unknown flags: EINVAL");
	at.flags = JIFL_ATTACH_SOFTIRQ;
	at.patterns = (unsigned long)nomatch;
	at.len = sizeof(nomatch);
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == EINVAL,
	   "ATTACH of softirq actions matching nothing: EINVAL");
	at.flags = 0;
	at.patterns = (unsigned long)good;
	at.len = sizeof(good);

	fl.mode = 7;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EINVAL,
	   "FILTER with an unknown mode: EINVAL");
	fl.mode = JIFL_FILTER_PIDS;
	fl.nr_pids = 0;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EINVAL,
	   "FILTER of no pids: EINVAL");
	fl.mode = JIFL_FILTER_ALL_BUT;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EINVAL,
	   "FILTER of all but no pids: EINVAL");
	fl.mode = JIFL_FILTER_PIDS;
	fl.nr_pids = 1;
	fl.pids = 8;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EFAULT,
	   "FILTER with a bad pids pointer: EFAULT");
	fl.pids = (unsigned long)&pid;
	fl.cgroup_fd = 3;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EINVAL,
	   "FILTER of pids with a cgroup fd: EINVAL");
	fl.mode = JIFL_FILTER_CGROUP;
	fl.size = JIFL_FILTER_SIZE_VER0;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EINVAL,
	   "FILTER of a cgroup in a size-32 struct (no cgroup_fd): EINVAL");
	fl.size = sizeof(fl);
	fl.cgroup_fd = 1000000;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EBADF,
	   "FILTER of a cgroup with a bad fd: EBADF");
	{
		int dir = open("/", O_RDONLY | O_DIRECTORY);

		fl.cgroup_fd = dir;
		ok(dir >= 0 && ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == EBADF,
		   "FILTER of a cgroup with a directory that is not cgroup v2: EBADF");
		close(dir);
	}
	fl.mode = JIFL_FILTER_PIDS;
	fl.cgroup_fd = 0;
	ok(ioctl_errno(fd, JIFL_IOC_FILTER, &fl) == 0, "FILTER of pid 1");

	st.flags = 1ULL << 40;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EINVAL,
	   "START with unknown flags: EINVAL");
	bl.flags = 1;
	ok(ioctl_errno(fd, JIFL_IOC_BLOCKS, &bl) == EINVAL,
	   "BLOCKS with unknown flags: EINVAL");
	bl.flags = 0;
	bl.nr = JIFL_BLOCKS_MAX + 1;
	ok(ioctl_errno(fd, JIFL_IOC_BLOCKS, &bl) == EINVAL,
	   "BLOCKS asking for too many entries: EINVAL");

	/* the first file configured a session: a second one is refused */
	fd2 = open(JIFL_DEVICE_PATH, O_RDWR);
	ok(ioctl_errno(fd2, JIFL_IOC_FILTER, &fl) == EBUSY,
	   "a second concurrent session: EBUSY");
	close(fd);
	ok(ioctl_errno(fd2, JIFL_IOC_FILTER, &fl) == 0,
	   "once the first session's file is closed, a new session starts");
	close(fd2);
}

/* LAYOUT (text bounds from /proc/kallsyms), ATTACH getcwd, FILTER pid 1 */
static int configure(int fd)
{
	struct jifl_layout lay = { .size = sizeof(lay) };
	struct jifl_attach at = { .size = sizeof(at) };
	struct jifl_filter fl = { .size = sizeof(fl), .mode = JIFL_FILTER_PIDS };
	char line[512], name[256], good[] = "__x64_sys_getcwd";
	unsigned long long addr;
	__u64 pid = 1;
	FILE *fp = fopen("/proc/kallsyms", "r");
	char type;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "_stext"))
			lay.text_start = addr;
		else if (!strcmp(name, "_etext"))
			lay.text_end = addr;
	}
	fclose(fp);
	at.patterns = (unsigned long)good;
	at.len = sizeof(good);
	fl.pids = (unsigned long)&pid;
	fl.nr_pids = 1;
	return !ioctl_errno(fd, JIFL_IOC_LAYOUT, &lay) &&
	       !ioctl_errno(fd, JIFL_IOC_ATTACH, &at) &&
	       !ioctl_errno(fd, JIFL_IOC_FILTER, &fl);
}

/*
 * JIFL_ATTACH_SOFTIRQ: a softirq action attached; the same function for
 * both contexts refused at START; STATS of size 240 with the new counts
 */
static void softirq_attach(void)
{
	struct jifl_attach at = { .size = sizeof(at) };
	struct jifl_start st = { .size = sizeof(st) };
	struct jifl_stats sts = { .size = sizeof(sts) };
	char good[] = "__x64_sys_getcwd", action[] = "tasklet_action";
	int fd = open(JIFL_DEVICE_PATH, O_RDWR);

	if (!configure(fd)) {
		ok(0, "a layout, an attachment and a filter to start with");
		ok(0, "(skipped)");
		ok(0, "(skipped)");
		close(fd);
		return;
	}
	at.flags = JIFL_ATTACH_SOFTIRQ;
	at.patterns = (unsigned long)action;
	at.len = sizeof(action);
	ok(ioctl_errno(fd, JIFL_IOC_ATTACH, &at) == 0,
	   "ATTACH of a softirq action (tasklet_action)");
	at.patterns = (unsigned long)good;
	at.len = sizeof(good);
	ok(!ioctl_errno(fd, JIFL_IOC_ATTACH, &at) &&
	   ioctl_errno(fd, JIFL_IOC_START, &st) == EBUSY,
	   "START with one function attached for both contexts: EBUSY");
	ok(!ioctl_errno(fd, JIFL_IOC_STATS, &sts) &&
	   sts.size == JIFL_STATS_SIZE_VER5 && sts.attached == 3 &&
	   !sts.running,
	   "STATS: size %llu, 3 functions attached, not running",
	   (unsigned long long)sts.size);
	close(fd);
}

static void *map_ring(int fd, uint64_t len, uint64_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)off);
}

/* RINGS, mmap, PLUGINS, DUMP and START's plugin names: argument checks */
static void ring_errors(void)
{
	struct jifl_rings rg = { .size = sizeof(rg) };
	struct jifl_start st = { .size = sizeof(st) };
	struct jifl_dump d = { .size = sizeof(d) };
	struct jifl_plugins pl = { .size = sizeof(pl) };
	char names[512], frob[] = "frob\0", noterm[] = "bbcount";
	char twice[] = "cover\0cover\0";
	int fd = open(JIFL_DEVICE_PATH, O_RDWR), fd2;
	struct jifl_ring_ctl *ctl;
	uint64_t stride, len = JIFL_RING_CTL_SIZE + 8192;
	void *m;
	int err;

	m = map_ring(fd, len, 0);
	ok(m == MAP_FAILED && errno == ENODEV,
	   "mmap before RINGS: ENODEV (errno %d)", errno);
	rg.ring_size = 12345;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EINVAL,
	   "RINGS of a size that is not a power of two: EINVAL");
	rg.ring_size = 1024;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EINVAL,
	   "RINGS below the minimum size: EINVAL");
	rg.ring_size = JIFL_RING_MAX * 2;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EINVAL,
	   "RINGS above the maximum size: EINVAL");
	rg.ring_size = 8192;
	rg.watermark = 8193;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EINVAL,
	   "RINGS with a watermark above the size: EINVAL");
	rg.watermark = 0;
	rg.flags = 1;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EINVAL,
	   "RINGS with unknown flags: EINVAL");
	rg.flags = 0;
	err = ioctl_errno(fd, JIFL_IOC_RINGS, &rg);
	ok(!err && rg.nr_cpus > 0 && rg.stride == len,
	   "RINGS of 8 KiB: %llu rings, stride %llu (errno %d)",
	   (unsigned long long)rg.nr_cpus, (unsigned long long)rg.stride,
	   err);
	stride = rg.stride;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EBUSY,
	   "RINGS twice: EBUSY");
	fd2 = open(JIFL_DEVICE_PATH, O_RDWR);
	m = map_ring(fd2, len, 0);
	ok(m == MAP_FAILED && errno == ENODEV,
	   "mmap by another file than the session's: ENODEV");
	close(fd2);
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	ok(m == MAP_FAILED && errno == EINVAL, "private mapping: EINVAL");
	m = map_ring(fd, len - 4096, 0);
	ok(m == MAP_FAILED && errno == EINVAL, "mapping of a wrong size: EINVAL");
	m = map_ring(fd, len, 4096);
	ok(m == MAP_FAILED && errno == EINVAL,
	   "mapping at an offset inside a ring: EINVAL");
	m = map_ring(fd, len, stride * 100000);
	ok(m == MAP_FAILED && errno == EINVAL,
	   "mapping of a CPU that does not exist: EINVAL");
	ctl = map_ring(fd, len, 0);
	ok(ctl != MAP_FAILED && ctl->size == 8192 && ctl->head == 0 &&
	   ctl->cpu == 0, "CPU 0's ring maps, its control page filled in");
	m = map_ring(fd, len, 0);
	ok(m == MAP_FAILED && errno == EBUSY, "mapping a ring twice: EBUSY");
	if (ctl != MAP_FAILED)
		munmap(ctl, len);

	pl.buf = (unsigned long)names;
	pl.len = 1;
	ok(ioctl_errno(fd, JIFL_IOC_PLUGINS, &pl) == ENOSPC && pl.len > 1,
	   "PLUGINS into a short buffer: ENOSPC and the size needed");
	pl.len = sizeof(names);
	ok(ioctl_errno(fd, JIFL_IOC_PLUGINS, &pl) == 0 &&
	   !strcmp(names, "bbcount") &&
	   !strcmp(names + 8, "cover") && !strcmp(names + 14, "calltrace"),
	   "PLUGINS lists the built-in bbcount, cover, calltrace");

	d.plugin = (unsigned long)"cover";
	ok(ioctl_errno(fd, JIFL_IOC_DUMP, &d) == ESRCH,
	   "DUMP without a session's plugins: ESRCH");
	d.plugin = 8;
	ok(ioctl_errno(fd, JIFL_IOC_DUMP, &d) == EFAULT,
	   "DUMP with a bad name pointer: EFAULT");

	st.plugins = (unsigned long)frob;
	st.plugins_len = sizeof(frob) - 1;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EINVAL,
	   "START without a layout: EINVAL, plugins or not");
	if (!configure(fd)) {
		ok(0, "a layout, an attachment and a filter to start with");
		close(fd);
		return;
	}
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == ESRCH,
	   "START with an unknown plugin name: ESRCH");
	st.plugins = (unsigned long)noterm;
	st.plugins_len = sizeof(noterm) - 1;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EINVAL,
	   "START with a name list not ending in NUL: EINVAL");
	st.plugins_len = 4096;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EINVAL,
	   "START with an overlong name list: EINVAL");
	st.plugins = 8;
	st.plugins_len = 8;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == EFAULT,
	   "START with a bad name pointer: EFAULT");
	st.plugins = (unsigned long)twice;
	st.plugins_len = sizeof(twice) - 1;
	ok(ioctl_errno(fd, JIFL_IOC_START, &st) == 0,
	   "START with a plugin named twice: once");
	rg.ring_size = 8192;
	ok(ioctl_errno(fd, JIFL_IOC_RINGS, &rg) == EBUSY,
	   "RINGS while running: EBUSY");
	ok(ioctl_errno(fd, JIFL_IOC_STOP, NULL) == 0, "STOP");
	d.plugin = (unsigned long)"cover";
	d.buf = (unsigned long)names;
	d.len = sizeof(names);
	ok(ioctl_errno(fd, JIFL_IOC_DUMP, &d) == 0 && d.len == d.needed,
	   "DUMP of cover after STOP: %llu bytes",
	   (unsigned long long)d.needed);
	d.plugin = (unsigned long)"bbcount";
	ok(ioctl_errno(fd, JIFL_IOC_DUMP, &d) == ESRCH,
	   "DUMP of a plugin the session does not use: ESRCH");
	close(fd);
}

int main(void)
{
	struct jifl_version ver;
	uint64_t buf[512];
	unsigned int maj, min, pat;
	void *unmapped;
	char *straddle;
	int fd, err;

	plan(74);

	fd = open(JIFL_DEVICE_PATH, O_RDWR);
	if (!ok(fd >= 0, "root opens %s", JIFL_DEVICE_PATH)) {
		diag("open: %s", strerror(errno));
		return done_testing();
	}

	memset(&ver, 0, sizeof(ver));
	ver.size = sizeof(ver);
	err = ioctl_errno(fd, JIFL_IOC_VERSION, &ver);
	ok(err == 0 && ver.abi_version == JIFL_ABI_VERSION,
	   "VERSION returns ABI %d (err %d, abi %llu)", JIFL_ABI_VERSION, err,
	   (unsigned long long)ver.abi_version);
	sscanf(PACKAGE_VERSION, "%u.%u.%u", &maj, &min, &pat);
	ok(ver.module_version == JIFL_VERSION_PACK(maj, min, pat),
	   "module version equals the tool's (%s)", PACKAGE_VERSION);
	ok(ver.size == sizeof(ver), "module reports its struct size");
	ok(ver.features & JIFL_FEAT_SOFTIRQ,
	   "features include JIFL_FEAT_SOFTIRQ (%#llx)",
	   (unsigned long long)ver.features);

	ok(ioctl_errno(fd, JIFL_IOC_VERSION, NULL) == EFAULT,
	   "NULL argument: EFAULT");
	ok(ioctl_errno(fd, JIFL_IOC_VERSION, (void *)1) == EFAULT,
	   "wild pointer: EFAULT");
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ok(ioctl_errno(fd, JIFL_IOC_VERSION, unmapped) == EFAULT,
	   "PROT_NONE page: EFAULT");
	/* a struct whose size field is readable but the rest is not */
	straddle = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(straddle + 4096, 4096, PROT_NONE);
	*(uint64_t *)(straddle + 4096 - 8) = sizeof(ver);
	ok(ioctl_errno(fd, JIFL_IOC_VERSION, straddle + 4096 - 8) == EFAULT,
	   "struct running into a PROT_NONE page: EFAULT");

	memset(buf, 0, sizeof(buf));
	ok(version_with_size(fd, 0, buf) == EINVAL, "size 0: EINVAL");
	ok(version_with_size(fd, JIFL_VERSION_SIZE_VER0 - 8, buf) == EINVAL,
	   "size below the first version: EINVAL");
	ok(version_with_size(fd, 4097, buf) == EINVAL,
	   "size above a page: EINVAL");
	memset(buf, 0, sizeof(buf));
	ok(version_with_size(fd, 64, buf) == 0 && buf[0] == sizeof(ver) &&
	   buf[1] == JIFL_ABI_VERSION,
	   "longer struct from a newer tool, zero tail: accepted");
	memset(buf, 0, sizeof(buf));
	buf[6] = 1;
	ok(version_with_size(fd, 64, buf) == E2BIG,
	   "longer struct with unknown non-zero fields: E2BIG");

	ok(ioctl_errno(fd, _IOR(JIFL_IOC_MAGIC, 0x7f, struct jifl_version),
		       buf) == ENOTTY, "unknown jifl command: ENOTTY");
	ok(ioctl_errno(fd, TCGETS, buf) == ENOTTY,
	   "foreign command (TCGETS): ENOTTY");
	close(fd);

	session_errors();
	softirq_attach();
	ring_errors();

	err = open_errno_as(become_nobody);
	ok(err == EACCES || err == EPERM,
	   "unprivileged user cannot open (errno %d: %s)", err,
	   err > 0 ? strerror(err) : "?");
	err = open_errno_as(drop_sys_admin);
	ok(err == EPERM, "root without CAP_SYS_ADMIN gets EPERM (errno %d)",
	   err);
	return done_testing();
}
