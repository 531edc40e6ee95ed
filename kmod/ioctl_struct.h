/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copying the size-prefixed, extensible ioctl argument structs of
 * uapi/jifl.h between user and kernel space.
 */
#ifndef JIFL_IOCTL_STRUCT_H
#define JIFL_IOCTL_STRUCT_H

#include <linux/minmax.h>
#include <linux/uaccess.h>

/* Largest struct size a caller may announce. */
#define JIFL_STRUCT_SIZE_MAX	PAGE_SIZE

/**
 * jifl_struct_from_user() - read a size-prefixed ioctl argument
 * @usize:	out: the size the caller announced in the struct's first field
 * @dst:	kernel copy of the struct, or NULL for output-only structs
 * @ksize:	size of the module's version of the struct
 * @src:	user pointer to the struct
 * @min_size:	size of the struct's first published version
 *
 * Return: 0; -EFAULT for a bad pointer; -EINVAL for a size below
 * @min_size or above JIFL_STRUCT_SIZE_MAX; -E2BIG when the caller's struct
 * is longer than the module's and the extra bytes are not zero.
 */
static inline int jifl_struct_from_user(u64 *usize, void *dst, size_t ksize,
					const void __user *src, size_t min_size)
{
	u64 size;
	int ret;

	if (get_user(size, (const u64 __user *)src))
		return -EFAULT;
	if (size < min_size || size > JIFL_STRUCT_SIZE_MAX)
		return -EINVAL;
	*usize = size;
	if (!dst) {
		/* Output-only: a newer caller's extra fields must be zero. */
		if (size > ksize) {
			ret = check_zeroed_user(src + ksize, size - ksize);
			if (ret <= 0)
				return ret ? ret : -E2BIG;
		}
		return 0;
	}
	return copy_struct_from_user(dst, ksize, src, size);
}

/**
 * jifl_struct_to_user() - write an ioctl result back
 * @dst:	user pointer to the caller's struct
 * @usize:	the size the caller announced
 * @src:	kernel struct, whose first field is its own size
 * @ksize:	sizeof(*@src)
 *
 * Writes as much of the result as the caller's struct holds; the size
 * field returns the module's size so a newer tool can tell what is filled.
 *
 * Return: 0 or -EFAULT.
 */
static inline int jifl_struct_to_user(void __user *dst, u64 usize,
				      const void *src, size_t ksize)
{
	if (copy_to_user(dst, src, min_t(u64, usize, ksize)))
		return -EFAULT;
	return 0;
}

#endif /* JIFL_IOCTL_STRUCT_H */
