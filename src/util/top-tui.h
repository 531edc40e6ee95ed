/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `jifl top`'s ncurses front end: the live table, help, the name filter
 * prompt and the annotation view.  The command (cmd-top.c) owns the
 * tracing session and hands in callbacks.
 */
#ifndef JIFL_TOP_TUI_H
#define JIFL_TOP_TUI_H

#include <signal.h>
#include <stddef.h>

#include "util/top-hist.h"

struct top_tui_ops {
	/* read the counters into the model (top_hist_update()); 0 or -errno */
	int (*poll)(void *ctx, char *msg, size_t len);
	/* 'P': write a snapshot, a sentence about it in @msg; 0 or -errno */
	int (*snapshot)(void *ctx, char *msg, size_t len);
	/* an event worth a status line (the command exited), else 0 */
	int (*status)(void *ctx, char *msg, size_t len);
	void *ctx;
};

/**
 * top_tui_run() - run the live view until 'q', Ctrl-C or @stop
 * @h:		the model; polled through @ops
 * @delay:	seconds between refreshes
 * @what:	what is traced, for the title ("system-wide", "pid 42")
 * @ops:	callbacks
 * @stop:	set by a signal handler to quit
 *
 * Return: 0, or 1 when the terminal cannot be used (a message printed).
 */
int top_tui_run(struct top_hist *h, double delay, const char *what,
		const struct top_tui_ops *ops,
		volatile sig_atomic_t *stop);

#endif /* JIFL_TOP_TUI_H */
