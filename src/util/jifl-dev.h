/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to jifl.ko through /dev/jifl. */
#ifndef JIFL_DEV_H
#define JIFL_DEV_H

#include <stddef.h>

#include "uapi/jifl.h"

/**
 * jifl_dev_open() - open /dev/jifl
 * @why:	on failure, a sentence telling the user what to do
 * @why_len:	size of @why
 *
 * Return: a file descriptor, or -errno.
 */
int jifl_dev_open(char *why, size_t why_len);

/* JIFL_IOC_VERSION; returns 0 or -errno. */
int jifl_dev_version(int fd, struct jifl_version *ver);

#endif /* JIFL_DEV_H */
