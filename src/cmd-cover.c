// SPDX-License-Identifier: GPL-2.0
/*
 * jifl cover: kernel coverage from recorded data.
 */
#include "builtin.h"

int cmd_cover(int argc, const char **argv)
{
	return cmd_not_built("cover", "Write kernel coverage (lcov tracefile, PC list, summaries).", argc, argv);
}
