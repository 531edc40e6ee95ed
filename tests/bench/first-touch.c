// SPDX-License-Identifier: GPL-2.0
/*
 * first-touch: one pass of many different system calls, timed per pass,
 * so that the first pass under a fresh jifl session pays for translating
 * every kernel block it reaches and the later passes run from the cache
 * (tests/bench/translate-guest.sh compares them with native passes).
 * Under QEMU icount a guest nanosecond is a guest instruction.
 *
 *   first-touch [PASSES [-v]]   prints "pass N NS" lines (default 3
 *   passes); -v adds a "parts N" line per pass, the time of each part
 *
 * A pass: a TCP exchange on 127.0.0.1 and a UNIX socket pair, a pipe, a
 * file on /tmp (tmpfs in the guest: a 9p file would wait on the host)
 * created, written, read back, stat'ed, renamed and removed, a directory
 * listing of /proc/self/fd, anonymous memory mapped, written and
 * unmapped, an epoll set, a timerfd and an eventfd, a fork and a wait.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void tcp_exchange(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char buf[512] = "ping";
	int l, c, s, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		die("tcp listen");
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("tcp connect");
	s = accept(l, NULL, NULL);
	if (s < 0 || write(c, buf, sizeof(buf)) != sizeof(buf) ||
	    read(s, buf, sizeof(buf)) <= 0 ||
	    send(s, buf, 100, 0) != 100 || recv(c, buf, sizeof(buf), 0) <= 0)
		die("tcp exchange");
	shutdown(c, SHUT_WR);
	close(c);
	close(s);
	close(l);
}

static void unix_pair_and_pipe(void)
{
	char buf[64] = "x";
	int sv[2], p[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(p))
		die("socketpair/pipe");
	if (write(sv[0], buf, 10) != 10 || read(sv[1], buf, 10) != 10 ||
	    write(p[1], buf, 10) != 10 || read(p[0], buf, 10) != 10)
		die("unix/pipe exchange");
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void tmp_file(void)
{
	char file[] = "/tmp/first-touch.XXXXXX", moved[64], buf[4096];
	struct stat st;
	int fd;

	memset(buf, 'a', sizeof(buf));
	fd = mkstemp(file);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) ||
	    lseek(fd, 0, SEEK_SET) || read(fd, buf, sizeof(buf)) != sizeof(buf) ||
	    fstat(fd, &st) || ftruncate(fd, 100))
		die("tmp file");
	close(fd);
	snprintf(moved, sizeof(moved), "%s.moved", file);
	if (stat(file, &st) || rename(file, moved) || unlink(moved))
		die("tmp file rename");
}

static void dir_and_memory(void)
{
	struct utsname u;
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	char *m;

	if (!dir)
		die("opendir");
	while ((d = readdir(dir)))
		;
	closedir(dir);
	uname(&u);
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("mmap");
	memset(m, 1, 1 << 20);
	if (mprotect(m, 4096, PROT_READ) || munmap(m, 1 << 20))
		die("mprotect/munmap");
}

static void events(void)
{
	struct itimerspec its = { .it_value = { .tv_nsec = 1000 } };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0), efd = eventfd(0, 0);
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	unsigned long long v = 1;

	if (ep < 0 || efd < 0 || tfd < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) ||
	    write(efd, &v, sizeof(v)) != sizeof(v) ||
	    epoll_wait(ep, &out, 1, 1000) != 1 ||
	    timerfd_settime(tfd, 0, &its, NULL) ||
	    read(tfd, &v, sizeof(v)) != sizeof(v))
		die("events");
	close(tfd);
	close(efd);
	close(ep);
}

static void fork_wait(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
}

int main(int argc, char **argv)
{
	int passes = argc > 1 ? atoi(argv[1]) : 3, i;
	int verbose = argc > 2 && !strcmp(argv[2], "-v");

	for (i = 1; i <= passes; i++) {
		double t0 = now_ns(), t[7];

		t[0] = t0;
		tcp_exchange();
		t[1] = now_ns();
		unix_pair_and_pipe();
		t[2] = now_ns();
		tmp_file();
		t[3] = now_ns();
		dir_and_memory();
		t[4] = now_ns();
		events();
		t[5] = now_ns();
		fork_wait();
		t[6] = now_ns();
		printf("pass %d %.0f\n", i, now_ns() - t0);
		if (verbose)
			printf("parts %d tcp %.0f unix_pipe %.0f file %.0f dir_mem %.0f events %.0f fork %.0f\n",
			       i, t[1] - t[0], t[2] - t[1], t[3] - t[2],
			       t[4] - t[3], t[5] - t[4], t[6] - t[5]);
	}
	return 0;
}
