// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/jifl-dev.h"

static int module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/jifl", &st) == 0;
}

int jifl_dev_open(char *why, size_t why_len)
{
	int fd = open(JIFL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int err = errno;

	if (fd >= 0)
		return fd;
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		if (module_loaded())
			snprintf(why, why_len,
				 "%s is missing although jifl.ko is loaded: is devtmpfs mounted on /dev?",
				 JIFL_DEVICE_PATH);
		else
			snprintf(why, why_len,
				 "module not loaded: run `sudo modprobe jifl`");
		break;
	case EACCES:
	case EPERM:
		snprintf(why, why_len,
			 "cannot open %s: %s: jifl needs root (CAP_SYS_ADMIN); run it with sudo",
			 JIFL_DEVICE_PATH, strerror(err));
		break;
	default:
		snprintf(why, why_len, "cannot open %s: %s", JIFL_DEVICE_PATH,
			 strerror(err));
		break;
	}
	return -err;
}

int jifl_dev_version(int fd, struct jifl_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	ver->size = sizeof(*ver);
	if (ioctl(fd, JIFL_IOC_VERSION, ver) < 0)
		return -errno;
	return 0;
}
