// SPDX-License-Identifier: GPL-2.0
/*
 * jifl top: a live view of the hottest kernel code.
 */
#include "builtin.h"

int cmd_top(int argc, const char **argv)
{
	return cmd_not_built("top", "Live view of the hottest kernel functions and blocks.", argc, argv);
}
