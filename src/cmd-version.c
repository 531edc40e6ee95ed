// SPDX-License-Identifier: GPL-2.0
/*
 * jifl version: the tool's version and, when /dev/jifl exists, the
 * loaded module's version and ABI.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "builtin.h"
#include "util/jifl-dev.h"
#include "util/parse-options.h"

static void print_module_version(void)
{
	struct jifl_version ver;
	char why[256];
	struct stat st;
	int fd, err;

	if (stat(JIFL_DEVICE_PATH, &st) < 0) {
		printf("jifl.ko not loaded\n");
		return;
	}
	fd = jifl_dev_open(why, sizeof(why));
	if (fd < 0) {
		printf("jifl.ko loaded, version unknown (%s)\n", why);
		return;
	}
	err = jifl_dev_version(fd, &ver);
	close(fd);
	if (err) {
		printf("jifl.ko loaded, version unknown (version ioctl: %s)\n",
		       strerror(-err));
		return;
	}
	printf("jifl.ko %u.%u.%u (ABI %llu)\n",
	       JIFL_VERSION_MAJOR(ver.module_version),
	       JIFL_VERSION_MINOR(ver.module_version),
	       JIFL_VERSION_PATCH(ver.module_version),
	       (unsigned long long)ver.abi_version);
	if (ver.abi_version != JIFL_ABI_VERSION)
		printf("warning: this jifl speaks ABI %d; install matching jifl and jifl.ko versions\n",
		       JIFL_ABI_VERSION);
}

int cmd_version(int argc, const char **argv)
{
	static const char *const usage[] = {
		"jifl version [<options>]",
		"",
		"Print the version of jifl and of the loaded jifl.ko module.",
		NULL
	};
	const struct option options[] = {
		OPT_END()
	};

	argc = parse_options(argc, argv, options, usage, 0);
	if (argc > 0) {
		fprintf(stderr, "jifl version: unexpected argument '%s'\n",
			argv[0]);
		return EXIT_USAGE;
	}
	printf("jifl %s\n", PACKAGE_VERSION);
	print_module_version();
	return 0;
}
