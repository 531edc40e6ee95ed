/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types for the freestanding translator core.
 *
 * The core (decoder, block builder, emitter) is compiled into jifl.ko and
 * into the userspace tests from the same sources, so it may only use these
 * types and nothing from libc or the kernel beyond them.
 */
#ifndef JIFL_JIT_TYPES_H
#define JIFL_JIT_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/barrier.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* JIFL_JIT_TYPES_H */
