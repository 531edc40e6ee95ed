// SPDX-License-Identifier: GPL-2.0
/*
 * fault-micro: page-fault-heavy work timed from inside, for
 * tests/bench/contexts.sh (what the fault context costs).
 *
 *   fault-micro mmap N       N rounds of mmap 64 anonymous pages, write
 *                            each (64 faults), munmap; prints ns per page
 *   fault-micro forkexec N   N rounds of fork, exec of itself (which
 *                            exits at once), wait; prints ns per round
 *
 * Linked statically and run from tmpfs (contexts.sh copies it to /tmp):
 * an exec that reads a binary or libc from the guest's 9p root waits on
 * the host, and under icount that wait is guest time (1.5 s per fork+exec
 * of /bin/true in a first try).
 *
 * A tenth of N (at least 5) rounds run first, untimed, so the figure is
 * the warm cost, not the translation of the code a session meets first
 * (under jifl record); the session's own start and stop are outside too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGES	64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void mmap_round(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, PAGES * psz, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED) {
		perror("fault-micro: mmap");
		exit(1);
	}
	for (i = 0; i < PAGES; i++)
		p[i * psz] = 1;
	munmap((void *)p, PAGES * psz);
}

static void forkexec_round(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("fault-micro: fork");
		exit(1);
	}
	if (!pid) {
		execl("/proc/self/exe", "fault-micro", "exit", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || status) {
		fprintf(stderr, "fault-micro: the exec failed\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	void (*round)(void);
	long n, warm, i;
	double t0;

	if (argc == 2 && !strcmp(argv[1], "exit"))
		return 0;	/* forkexec's child */
	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: fault-micro mmap|forkexec N\n");
		return 2;
	}
	if (!strcmp(argv[1], "mmap"))
		round = mmap_round;
	else if (!strcmp(argv[1], "forkexec"))
		round = forkexec_round;
	else {
		fprintf(stderr, "fault-micro: unknown benchmark '%s'\n", argv[1]);
		return 2;
	}
	warm = n / 10 > 5 ? n / 10 : 5;
	for (i = 0; i < warm; i++)
		round();
	t0 = now();
	for (i = 0; i < n; i++)
		round();
	printf("%.0f\n", (now() - t0) / n / (round == mmap_round ? PAGES : 1));
	return 0;
}
