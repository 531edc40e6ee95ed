/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JIFL_CACHE_SIZE_H
#define JIFL_CACHE_SIZE_H

/* Bytes of code cache (a multiple of the page size) */
#define JIFL_CACHE_SIZE	(16 << 20)

/* Exception-table entries for cache copies of faulting-allowed insns */
#define JIFL_CACHE_EX_MAX	16384

#endif /* JIFL_CACHE_SIZE_H */
