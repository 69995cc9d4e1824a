/* SPDX-License-Identifier: ISC */
/*
 * unit_relay: table tests of lib/relay.c, which cuts a stage's stderr
 * into whole lines for pipesup.  Each row is fed in one piece, one byte
 * at a time, and in pieces of 1000 bytes; the lines that come out must
 * be the same every way.  Prints one line per failure and "N failures".
 */
#include <stdio.h>
#include <string.h>

#include "relay.h"

struct got {
	char	text[3 * RELAY_LINE_MAX];
	size_t	len;
};

/* Each line as "[line]"; a long run of x as "x*N". */
static void
collect(void *arg, const char *line, size_t n)
{
	struct got *g = arg;
	size_t x = 0;

	while (x < n && line[x] == 'x')
		x++;
	if (x > 8)
		g->len += (size_t)snprintf(g->text + g->len,
		    sizeof(g->text) - g->len, "[x*%zu%.*s]", x, (int)(n - x),
		    line + x);
	else
		g->len += (size_t)snprintf(g->text + g->len,
		    sizeof(g->text) - g->len, "[%.*s]", (int)n, line);
}

static int
feed(const char *in, size_t len, size_t piece, const char *want)
{
	struct relay r;
	struct got g = { "", 0 };
	size_t off = 0, room, n;
	char *dst;

	relay_init(&r);
	while (off < len) {
		dst = relay_space(&r, &room);
		if (room == 0) {
			printf("%.20s...: a full buffer, no room to read\n", in);
			return 1;
		}
		n = len - off < piece ? len - off : piece;
		if (n > room)
			n = room;
		memcpy(dst, in + off, n);
		relay_took(&r, n, collect, &g);
		off += n;
	}
	relay_end(&r, collect, &g);
	if (strcmp(g.text, want) != 0) {
		printf("%.20s... in pieces of %zu:\n  got  %s\n  want %s\n",
		    in, piece, g.text, want);
		return 1;
	}
	return 0;
}

int
main(void)
{
	static char x4095[RELAY_LINE_MAX + 1], x4096[RELAY_LINE_MAX + 1],
	    x5000[5002];
	static const struct {
		const char	*in;
		const char	*want;
	} rows[] = {
		{ "", "" },
		{ "\n", "[\n]" },
		{ "one\n", "[one\n]" },
		{ "one\ntwo\n", "[one\n][two\n]" },
		{ "one\n\ntwo\n", "[one\n][\n][two\n]" },
		{ "last without newline", "[last without newline]" },
		{ "one\nlast", "[one\n][last]" },
	};
	size_t i, k, pieces[] = { 100000, 1, 1000 };
	int failures = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (k = 0; k < 3; k++)
			failures += feed(rows[i].in, strlen(rows[i].in),
			    pieces[k], rows[i].want);

	/* a line that just fits, newline included, comes out whole */
	memset(x4095, 'x', RELAY_LINE_MAX - 1);
	x4095[RELAY_LINE_MAX - 1] = '\n';
	/* one byte more and it comes in two pieces */
	memset(x4096, 'x', RELAY_LINE_MAX);
	x4096[RELAY_LINE_MAX] = '\n';
	/* a long line, then a short one; and a long last line */
	memset(x5000, 'x', 5000);
	x5000[5000] = '\n';
	for (k = 0; k < 3; k++) {
		failures += feed(x4095, RELAY_LINE_MAX, pieces[k],
		    "[x*4095\n]");
		failures += feed(x4096, RELAY_LINE_MAX + 1, pieces[k],
		    "[x*4096][\n]");
		failures += feed(x5000, 5001, pieces[k], "[x*4096][x*904\n]");
		failures += feed(x5000, 5000, pieces[k], "[x*4096][x*904]");
	}
	printf("%d failures\n", failures);
	return failures > 0;
}
