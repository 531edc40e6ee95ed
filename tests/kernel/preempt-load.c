// SPDX-License-Identifier: GPL-2.0
/*
 * Load for tests/kernel/preempt-uaccess.t: system calls that spend their
 * time inside user-access regions (long path names through
 * strncpy_from_user, big pipe and file copies, getdents64's
 * unsafe_put_user runs), and a real-time waker that preempts them.
 *
 *   preempt-load waker CPU USEC SECONDS
 *	a SCHED_FIFO task on CPU that sleeps USEC microseconds in a loop for
 *	SECONDS: each wakeup preempts whatever runs on CPU, and when the
 *	timer fired while interrupts were off (the dispatcher translating
 *	inside a user-access region) the preemption happens at the next
 *	preempt_enable(), in the middle of that region
 *   preempt-load work CPU THREADS ITERS
 *	THREADS threads on CPU, each running ITERS rounds of the system
 *	calls above; prints a summary that does not depend on timing (the
 *	same under jifl as natively) on stdout, and the involuntary context
 *	switches of the process on stderr ("preempted N")
 *
 * Exit status: 0, 1 if a system call gave a wrong result, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PIPE_BYTES	(256 * 1024)
#define CHUNK		(64 * 1024)

static int cpu;
static long iters;
static char long_name[4000];

struct result {
	long stats, dents, pipe_bytes, failures;
	uint64_t sum;
};

static void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* a guest with one CPU: stay where we are */
	sched_setaffinity(0, sizeof(set), &set);
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* "/./././.../usr" of nearly PATH_MAX bytes: one long strncpy_from_user */
static void long_path(char *buf, size_t size, const char *tail)
{
	size_t n = 0, tl = strlen(tail);

	while (n + 2 + tl + 1 < size) {
		buf[n++] = '/';
		buf[n++] = '.';
	}
	memcpy(buf + n, tail, tl + 1);
}

static void do_stat(struct result *r, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		r->stats++;
	else
		r->failures++;
}

static void do_dents(struct result *r)
{
	char buf[32768];
	long n, total = 0;
	int fd = open("/usr/bin", O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		r->failures++;
		return;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0 || total == 0)
		r->failures++;
	else
		r->dents++;
	close(fd);
}

/* PIPE_BYTES through a pipe to ourselves, in CHUNK writes and reads */
static void do_pipe(struct result *r, unsigned char *out, unsigned char *in)
{
	long done = 0;
	int p[2];

	if (pipe(p)) {
		r->failures++;
		return;
	}
	fcntl(p[1], F_SETPIPE_SZ, CHUNK);
	while (done < PIPE_BYTES) {
		ssize_t w = write(p[1], out, CHUNK), got = 0;

		if (w != CHUNK)
			break;
		while (got < w) {
			ssize_t n = read(p[0], in + got, w - got);

			if (n <= 0)
				break;
			got += n;
		}
		if (got != w || memcmp(in, out, w))
			break;
		r->sum = fnv(r->sum, in, w);
		done += w;
	}
	if (done != PIPE_BYTES)
		r->failures++;
	r->pipe_bytes += done;
	close(p[0]);
	close(p[1]);
}

static void *worker(void *arg)
{
	struct result *r = arg;
	unsigned char *out = malloc(CHUNK), *in = malloc(CHUNK);
	long i;

	if (!out || !in) {
		r->failures++;
		return NULL;
	}
	for (i = 0; i < CHUNK; i++)
		out[i] = (unsigned char)(i * 131 + 7);
	r->sum = 0xcbf29ce484222325ULL;
	for (i = 0; i < iters; i++) {
		do_stat(r, long_name);
		do_pipe(r, out, in);
		do_dents(r);
	}
	free(out);
	free(in);
	return NULL;
}

static int work(int threads)
{
	pthread_t tid[16];
	struct result res[16] = { 0 };
	struct rusage ru;
	int i, bad = 0;

	pin();
	long_path(long_name, sizeof(long_name), "/usr");
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, &res[i]))
			return 1;
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		printf("thread %d: stat %ld, getdents %ld, pipe %ld bytes, sum %016llx, failures %ld\n",
		       i, res[i].stats, res[i].dents, res[i].pipe_bytes,
		       (unsigned long long)res[i].sum, res[i].failures);
		bad |= res[i].failures != 0;
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "preempted %ld\n", ru.ru_nivcsw);
	return bad;
}

static int waker(long usec, long seconds)
{
	struct sched_param sp = { .sched_priority = 50 };
	struct timespec end, now, nap = { 0, usec * 1000 };

	pin();
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		perror("preempt-load: SCHED_FIFO (waking as a normal task)");
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds;
	do {
		clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "waker")) {
		cpu = atoi(argv[2]);
		return waker(atol(argv[3]), atol(argv[4]));
	}
	if (argc == 5 && !strcmp(argv[1], "work")) {
		int threads = atoi(argv[3]);

		cpu = atoi(argv[2]);
		iters = atol(argv[4]);
		if (threads < 1 || threads > 16 || iters < 1)
			goto usage;
		return work(threads);
	}
usage:
	fprintf(stderr,
		"usage: preempt-load waker CPU USEC SECONDS\n"
		"       preempt-load work CPU THREADS(1-16) ITERS\n");
	return 2;
}
