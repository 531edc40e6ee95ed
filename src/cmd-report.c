// SPDX-License-Identifier: GPL-2.0
/*
 * jifl report: hot blocks, functions and call graphs from jifl.data.
 */
#include "builtin.h"

int cmd_report(int argc, const char **argv)
{
	return cmd_not_built("report", "Show hot basic blocks, functions and call graphs from jifl.data.", argc, argv);
}
