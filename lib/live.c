/* SPDX-License-Identifier: ISC */
#include "live.h"

#include <sys/ioctl.h>

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

/* tputs() hands its bytes to a function of one int: here, to this. */
static FILE *out;
static char *kept;		/* out's buffer, between writes too */
static size_t kept_len;

static int
put(int c)
{
	return fputc(c, out);
}

/* A capability with its padding, if the terminal has it. */
static void
emit(const char *s)
{
	if (s != NULL)
		tputs(s, 1, put);
}

static const char *
cap(const char *name)
{
	const char *s = tigetstr(name);

	return s == (char *)-1 ? NULL : s;
}

int
live_open(struct live *l, int fd)
{
	int e;

	memset(l, 0, sizeof(*l));
	l->fd = fd;
	if (!isatty(fd)) {
		errno = ENOTTY;
		return -1;
	}
	/* errret: setupterm then says nothing and leaves the rest to us */
	if (setupterm(NULL, fd, &e) != OK) {
		errno = ENOENT;
		return -1;
	}
	l->csr = cap("csr");
	l->cup = cap("cup");
	l->sc = cap("sc");
	l->rc = cap("rc");
	l->el = cap("el");
	l->ed = cap("ed");
	l->cuu = cap("cuu");
	if (l->csr == NULL || l->cup == NULL || l->sc == NULL ||
	    l->rc == NULL || l->el == NULL || l->cuu == NULL) {
		errno = ENOTSUP;
		return -1;
	}
	/* without xenl, the last cell of the last row scrolls the screen */
	l->corner = tigetflag("am") > 0 && tigetflag("xenl") <= 0;
	return 0;
}

int
live_size(const struct live *l, int *rows, int *cols)
{
	struct winsize ws;

	if (ioctl(l->fd, TIOCGWINSZ, &ws) == -1)
		return -1;
	if (ws.ws_row == 0 || ws.ws_col == 0) {
		errno = ENOTSUP;	/* a pseudo-terminal nobody sized */
		return -1;
	}
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

/* Starts the text of one write to the terminal. */
static int
start(char **buf, size_t *len)
{
	/* one buffer for every write, kept: nothing allocated a redraw */
	if (out == NULL && (out = open_memstream(&kept, &kept_len)) == NULL)
		return -1;
	rewind(out);
	*buf = NULL;
	*len = 0;
	return 0;
}

/*
 * The text in one write(2): a terminal takes it whole, so no other
 * process's output comes between its parts.
 */
static int
finish(const struct live *l, char **buf, size_t *len)
{
	struct pollfd pfd = { l->fd, POLLOUT, 0 };
	const char *p;
	size_t n;
	ssize_t w;
	int e = 0;

	/* fflush() sets the buffer and its length: what was written */
	if (fflush(out) == EOF)
		return -1;
	*buf = kept;
	*len = kept_len;
	for (p = *buf, n = *len; n > 0; p += w, n -= (size_t)w)
		if ((w = write(l->fd, p, n)) == -1) {
			w = 0;
			if (errno == EINTR)
				continue;
			/* a terminal another left non-blocking */
			if (errno == EAGAIN && poll(&pfd, 1, -1) != -1)
				continue;
			e = errno;
			break;
		}
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Saves the cursor, sets the scroll region, puts the cursor back. */
static void
region(const struct live *l, int top, int bottom)
{
	/* csr moves the cursor home, on every terminal that has it */
	emit(l->sc);
	emit(tiparm(l->csr, top, bottom));
	emit(l->rc);
}

int
live_begin(struct live *l, int height, int rows, int cols)
{
	char *buf;
	size_t len;
	int i;

	if (height < 1 || height >= rows) {
		errno = ERANGE;
		return -1;
	}
	if (start(&buf, &len) == -1)
		return -1;
	region(l, 0, rows - 1);
	/* rows kept before a resize end up below the cursor, if anywhere */
	emit(l->ed);
	/*
	 * Newlines scroll the screen only as far as the cursor needs room
	 * below it; up again, the cursor is on the line it was on.  (The
	 * terminal's onlcr takes it to the start of that line.)
	 */
	for (i = 0; i < height; i++)
		fputc('\n', out);
	emit(tiparm(l->cuu, height));
	region(l, 0, rows - height - 1);
	l->rows = rows;
	l->cols = cols;
	l->height = height;
	l->width = cols - l->corner;
	return finish(l, &buf, &len);
}

int
live_draw(struct live *l, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	char *buf;
	size_t blen, n;
	int i;

	if (l->height == 0) {
		errno = EINVAL;
		return -1;
	}
	if (start(&buf, &blen) == -1)
		return -1;
	emit(l->sc);
	for (i = 0; i < l->height; i++) {
		emit(tiparm(l->cup, l->rows - l->height + i, 0));
		/*
		 * Cleared before it is drawn: el after a line that fills
		 * the row would take its last character, where the cursor
		 * waits to wrap.
		 */
		emit(l->el);
		if (p >= end)
			continue;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		fwrite(p, 1, n < (size_t)l->width ? n : (size_t)l->width, out);
		p = nl < end ? nl + 1 : end;
	}
	emit(l->rc);
	return finish(l, &buf, &blen);
}

int
live_end(struct live *l)
{
	char *buf;
	size_t len;
	int i, rows, cols;

	if (l->height == 0)
		return 0;
	/* resized since: the bottom rows of the screen as it is now */
	if (live_size(l, &rows, &cols) == -1)
		rows = l->rows;
	if (start(&buf, &len) == -1)
		return -1;
	emit(l->sc);
	emit(tiparm(l->csr, 0, rows - 1));
	for (i = 0; i < l->height && i < rows; i++) {
		emit(tiparm(l->cup, rows - l->height + i, 0));
		emit(l->el);
	}
	emit(l->rc);
	l->height = 0;
	return finish(l, &buf, &len);
}
