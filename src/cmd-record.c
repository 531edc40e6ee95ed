// SPDX-License-Identifier: GPL-2.0
/*
 * jifl record: record the kernel execution of a workload.
 */
#include "builtin.h"

int cmd_record(int argc, const char **argv)
{
	return cmd_not_built("record", "Run a command and record its kernel execution into jifl.data.", argc, argv);
}
