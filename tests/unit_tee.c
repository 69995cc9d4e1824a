/* SPDX-License-Identifier: ISC */
/*
 * unit_tee: lib/tee.c against real pipes of one page whose reader reads
 * only when the test says: a branch goes full exactly when a write that
 * would make its room blocks, counts every record it drops, never tears
 * one, and a branch found gone by such a write is gone and not full
 * (else a proctee that waits for full branches waits for ever).  Prints
 * one line per failure and "N failures".
 */
#define _GNU_SOURCE		/* F_SETPIPE_SZ, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tee.h"

static int failures;

#define EXPECT(c) do { if (!(c)) { printf("%s:%d: %s\n", __FILE__, \
	__LINE__, #c); failures++; } } while (0)

/* A pipe of one page; its write end non-blocking, as proctee's are. */
static void
small_pipe(int fd[2])
{
	if (pipe2(fd, O_CLOEXEC) == -1 ||
	    fcntl(fd[0], F_SETPIPE_SZ, 4096) == -1 ||
	    fcntl(fd[1], F_SETFL, O_NONBLOCK) == -1) {
		perror("pipe");
		exit(2);
	}
}

/* Reads what the pipe holds into buf at *len. */
static void
drain(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		exit(2);
	while (*len < cap && (n = read(fd, buf + *len, cap - *len)) > 0)
		*len += (size_t)n;
}

/* A run of n records "1234\n" ... as canon_span() would hand it over. */
static char *
run_of(size_t n)
{
	static const char rec[5] = { '1', '2', '3', '4', '\n' };
	char *p = malloc(sizeof(rec) * n);
	size_t i;

	if (p == NULL)
		exit(2);
	for (i = 0; i < n; i++)
		memcpy(p + sizeof(rec) * i, rec, sizeof(rec));
	return p;
}

/* Every byte read is a whole record of the run. */
static int
whole(const char *p, size_t len)
{
	size_t i;

	if (len % 5 != 0)
		return 0;
	for (i = 0; i < len; i += 5)
		if (memcmp(p + i, "1234\n", 5) != 0)
			return 0;
	return 1;
}

static void
drops_counted_and_whole(void)
{
	struct tee t;
	char *run = run_of(1000), got[65536];
	size_t len = 0, k;
	int fd[2];

	small_pipe(fd);
	if (tee_init(&t, 1, 4096) == -1 || tee_add(&t, "b", fd[1], 1) == -1)
		exit(2);
	/* the pipe takes one page, the buffer the rest that fits */
	EXPECT(tee_put_lines(&t, run, 5000, 1000) == 0);
	EXPECT(t.b[0].queued == 1000 && t.b[0].dropped == 0);
	/* now neither takes all of the next run */
	EXPECT(tee_put_lines(&t, run, 5000, 1000) == 1);
	EXPECT(t.b[0].full);
	EXPECT(t.b[0].queued + t.b[0].dropped == 2000);
	EXPECT(t.b[0].dropped > 0);
	/* full: the whole of the next one is dropped */
	EXPECT(tee_put_lines(&t, run, 5000, 1000) == 1);
	EXPECT(t.b[0].queued + t.b[0].dropped == 3000);
	/* the reader takes it all, whole records, as many as queued */
	for (k = 0; k < 8 && tee_pending(&t, 0) > 0; k++) {
		drain(fd[0], got, sizeof(got), &len);
		(void)tee_flush(&t, 0);
	}
	drain(fd[0], got, sizeof(got), &len);
	EXPECT(tee_pending(&t, 0) == 0);
	EXPECT(!t.b[0].full && t.full == 0);
	EXPECT(whole(got, len));
	EXPECT(len / 5 == t.b[0].queued);
	(void)tee_close(&t, 0);
	(void)close(fd[0]);
	tee_free(&t);
	free(run);
}

static void
gone_is_not_full(void)
{
	struct tee t;
	size_t i;
	int fd[2];

	small_pipe(fd);
	if (tee_init(&t, 1, 4096) == -1 || tee_add(&t, "b", fd[1], 1) == -1)
		exit(2);
	/* 4070 bytes queued, room 26: no write yet */
	for (i = 0; i < 407; i++)
		EXPECT(tee_put(&t, "123456789\n", 10) == 0);
	EXPECT(tee_pending(&t, 0) == 4070);
	/* the reader goes; the record that leaves room 16 makes a write */
	(void)close(fd[0]);
	EXPECT(tee_put(&t, "123456789\n", 10) == 0);
	EXPECT(t.b[0].gone && t.b[0].error == EPIPE);
	EXPECT(!t.b[0].full && t.full == 0);
	EXPECT(t.live == 0);
	EXPECT(t.b[0].queued == 408 && t.b[0].lost == 408);
	tee_free(&t);
}

static void
room_for_all(void)
{
	struct tee t;
	char *run = run_of(1000), got[65536];
	size_t len = 0;
	int a[2], b[2];

	small_pipe(a);
	small_pipe(b);
	if (tee_init(&t, 2, 8192) == -1 || tee_add(&t, "a", a[1], 1) == -1 ||
	    tee_add(&t, "b", b[1], 1) == -1)
		exit(2);
	/* a waiting caller gives what every branch takes whole */
	EXPECT(tee_room(&t, 5000) == 5000);
	EXPECT(tee_put_lines(&t, run, 5000, 1000) == 0);
	EXPECT(tee_put_lines(&t, run, 5000, 1000) == 0);
	/* each pipe holds a page, each buffer the rest: 10000 - 4095 */
	EXPECT(tee_room(&t, 5000) == 8192 - (10000 - 4095));
	drain(a[0], got, sizeof(got), &len);
	/* a writes out and has room again; b still has none to give */
	EXPECT(tee_room(&t, 5000) == 8192 - (10000 - 4095));
	EXPECT(t.b[0].queued == 2000 && t.b[1].queued == 2000);
	EXPECT(t.b[0].dropped == 0 && t.b[1].dropped == 0);
	(void)tee_close(&t, 0);
	(void)tee_close(&t, 1);
	(void)close(a[0]);
	(void)close(b[0]);
	tee_free(&t);
	free(run);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	drops_counted_and_whole();
	gone_is_not_full();
	room_for_all();
	printf("%d failures\n", failures);
	return failures != 0;
}
