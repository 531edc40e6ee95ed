// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

int workload_parse_pids(const char *tool, const char *list, __u64 *pids,
			unsigned int *n, unsigned int max)
{
	char *copy = strdup(list), *p, *save, *end;
	int ret = 0;

	if (!copy) {
		fprintf(stderr, "%s: out of memory\n", tool);
		return -1;
	}
	*n = 0;
	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		long pid = strtol(p, &end, 10);

		if (*end || pid <= 0 || *n >= max) {
			fprintf(stderr, "%s: bad pid '%s' in -p\n", tool, p);
			ret = -1;
			break;
		}
		if (kill(pid, 0) && errno == ESRCH) {
			fprintf(stderr, "%s: no process %ld\n", tool, pid);
			ret = -1;
			break;
		}
		pids[(*n)++] = pid;
	}
	free(copy);
	return ret;
}

pid_t workload_fork(struct workload *w, const char *tool,
		    const char **argv, bool quiet)
{
	char c;

	w->tool = tool;
	w->child = 0;
	if (pipe(w->go))
		return -1;
	w->child = fork();
	if (w->child < 0) {
		int err = errno;

		close(w->go[0]);
		close(w->go[1]);
		w->child = 0;
		errno = err;
		return -1;
	}
	if (w->child)
		return w->child;
	close(w->go[1]);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (quiet) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
	}
	if (read(w->go[0], &c, 1) != 1)
		_exit(127);	/* the tracer gave up */
	close(w->go[0]);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", tool, argv[0],
		strerror(errno));
	_exit(127);
}

void workload_release(struct workload *w)
{
	if (w->child <= 0)
		return;
	if (write(w->go[1], "g", 1) != 1)
		fprintf(stderr, "%s: starting the command: %s\n", w->tool,
			strerror(errno));
	close(w->go[1]);
	close(w->go[0]);
}

void workload_abandon(struct workload *w)
{
	if (w->child <= 0)
		return;
	close(w->go[1]);
	close(w->go[0]);
	waitpid(w->child, NULL, 0);
	w->child = 0;
}
