/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * jifl ioctl ABI: the interface between jifl.ko and the jifl tool.
 *
 * Every argument struct holds only __u64 fields (no padding, no pointers
 * whose size differs between 32- and 64-bit callers) and starts with a
 * @size field that the caller sets to sizeof() of the struct it knows.
 * The module accepts any size from the struct's first published size up
 * to PAGE_SIZE: a shorter struct from an older tool gets the fields it
 * knows, a longer one from a newer tool must have the fields the module
 * does not know set to zero (else E2BIG), like copy_struct_from_user().
 * Commands are matched on type and number only; the size bits encoded in
 * the command number are those of the first version of the struct.
 */
#ifndef _UAPI_JIFL_H
#define _UAPI_JIFL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define JIFL_DEVICE_NAME	"jifl"
#define JIFL_DEVICE_PATH	"/dev/jifl"

/* Bumped on incompatible changes only; additions extend structs instead. */
#define JIFL_ABI_VERSION	1

#define JIFL_IOC_MAGIC		0xB7

/**
 * struct jifl_version - JIFL_IOC_VERSION result
 * @size:		in: sizeof(struct jifl_version) as the caller knows it
 * @abi_version:	out: JIFL_ABI_VERSION of the module
 * @module_version:	out: module version as (major << 32 | minor << 16 |
 *			patch)
 * @features:		out: JIFL_FEAT_* bits the module supports
 */
struct jifl_version {
	__u64 size;
	__u64 abi_version;
	__u64 module_version;
	__u64 features;
};

#define JIFL_VERSION_SIZE_VER0	32	/* sizeof first published version */

#define JIFL_VERSION_PACK(maj, min, pat) \
	(((__u64)(maj) << 32) | ((__u64)(min) << 16) | (__u64)(pat))
#define JIFL_VERSION_MAJOR(v)	((unsigned int)((v) >> 32))
#define JIFL_VERSION_MINOR(v)	((unsigned int)(((v) >> 16) & 0xffff))
#define JIFL_VERSION_PATCH(v)	((unsigned int)((v) & 0xffff))

/* No features beyond the version query yet. */
#define JIFL_FEAT_MASK		0ULL

#define JIFL_IOC_VERSION	_IOWR(JIFL_IOC_MAGIC, 0x00, struct jifl_version)

#endif /* _UAPI_JIFL_H */
