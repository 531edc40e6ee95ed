// SPDX-License-Identifier: GPL-2.0
/*
 * syscall-micro: time system-call microbenchmarks, printing
 * "name ns_per_op" lines (steady state: each warms up first). Run natively and under jifl by
 * tests/bench/syscalls.sh, which compares them (and by apache.sh, for
 * getppid alone: the cost of a system call entry).
 *
 *   syscall-micro [ITERATIONS [NAME]]   NAME: run only that benchmark
 */
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * A tenth of the iterations first, untimed, in every mode alike: under
 * jifl they translate the path, a one-time cost this does not measure
 * (tests/bench/translate.sh measures translation).
 */
#define BENCH(name, n, body) do {					\
	double t0;							\
	if (only && strcmp(only, name))					\
		break;							\
	for (long i = 0; i < (n) / 10; i++) { body; }			\
	t0 = now_ns();							\
	for (long i = 0; i < (n); i++) { body; }			\
	printf("%s %.1f\n", name, (now_ns() - t0) / (n));		\
} while (0)

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *only = argc > 2 ? argv[2] : NULL;
	int zero = open("/dev/zero", O_RDONLY);
	int p1[2], p2[2];
	struct stat st;
	char c = 0;
	pid_t pid;

	/*
	 * open and stat a tmpfs file: in the VM /etc is on the host's 9p
	 * share, whose opens wait on the host, and under icount a wait is
	 * not a deterministic number of guest instructions.
	 */
	char file[] = "/tmp/syscall-micro.XXXXXX";
	int fd = mkstemp(file);

	if (zero < 0 || fd < 0 || pipe(p1) || pipe(p2))
		return 1;
	close(fd);
	BENCH("getppid", n, syscall(SYS_getppid));
	BENCH("read_zero", n, if (read(zero, &c, 1) != 1) return 1);
	BENCH("open_close", n / 4, close(open(file, O_RDONLY)));
	BENCH("stat", n / 4, stat(file, &st));
	pid = only && strcmp(only, "pipe_pingpong") ? -1 : fork();
	if (pid == 0) {
		close(p1[1]);	/* so that the parent's close ends the loop */
		close(p2[0]);
		while (read(p1[0], &c, 1) == 1)
			if (write(p2[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	BENCH("pipe_pingpong", n / 4,
	      if (write(p1[1], &c, 1) != 1 || read(p2[0], &c, 1) != 1) return 1);
	close(p1[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	BENCH("fork_exit", n / 200 + 1,
	      pid = fork(); if (!pid) _exit(0); waitpid(pid, NULL, 0));
	unlink(file);
	return 0;
}
