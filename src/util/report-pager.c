// SPDX-License-Identifier: GPL-2.0
/*
 * The pager of `jifl report`; see report-pager.h.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/report-pager.h"

static pid_t pager_pid;

void report_pager_start(bool no_pager)
{
	const char *pager = getenv("JIFL_PAGER");
	int fd[2];
	pid_t pid;

	if (no_pager || !isatty(STDOUT_FILENO))
		return;
	if (!pager)
		pager = getenv("PAGER");
	if (!pager || !*pager)
		pager = "less";
	if (!strcmp(pager, "cat"))
		return;
	if (pipe(fd))
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (!pid) {
		dup2(fd[0], STDIN_FILENO);
		close(fd[0]);
		close(fd[1]);
		setenv("LESS", "FRSX", 0);
		execlp("sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	dup2(fd[1], STDOUT_FILENO);
	close(fd[0]);
	close(fd[1]);
	signal(SIGPIPE, SIG_IGN);	/* the user quit the pager early */
	pager_pid = pid;
}

void report_pager_end(void)
{
	int st;

	if (!pager_pid)
		return;
	fflush(stdout);
	fclose(stdout);
	waitpid(pager_pid, &st, 0);
	pager_pid = 0;
}
