/* SPDX-License-Identifier: GPL-2.0 */
/* The plugins built into jifl.ko, registered at load. */
#ifndef JIFL_PLUGINS_BUILTIN_H
#define JIFL_PLUGINS_BUILTIN_H

#include "../jifl_plugin.h"

extern struct jifl_plugin jifl_bbcount_plugin;
extern struct jifl_plugin jifl_cover_plugin;
extern struct jifl_plugin jifl_calltrace_plugin;
extern struct jifl_plugin jifl_sysstat_plugin;

#endif /* JIFL_PLUGINS_BUILTIN_H */
