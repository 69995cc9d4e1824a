/* SPDX-License-Identifier: ISC */
/*
 * histsink: a sink that draws a histogram of the values in the terminal.
 */
#include <sys/ioctl.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hist.h"
#include "loop.h"
#include "stage.h"

static const char help[] =
"usage: histsink [--bins N] [--min A] [--max B] [--ascii] [--strict]\n"
"                [--rejects file] [file ...]\n"
"Draw a histogram of the values read: one bar a range, with its count.\n"
"\n"
"  -b, --bins N        at most N bars (default: one a value, at most 20,\n"
"                      or what fits the terminal)\n"
"      --min A         values below A are only counted\n"
"      --max B         values above B are only counted\n"
"      --ascii         draw bars with '#' (the default outside UTF-8)\n"
STAGE_HELP
"\n"
"On a terminal the histogram is redrawn in place while data flows.\n"
"Example: histsink --bins 10 <values.txt\n";

enum { OPT_MIN = OPT_PROGRAM, OPT_MAX, OPT_ASCII };

#define DEFAULT_BINS	20
#define REDRAW_NS	100000000	/* ten redraws a second at most */

struct histsink {
	struct hist	h;
	int64_t		bins;		/* asked for; 0: default */
	int		ascii;
	int		tty;
	int		drawn;		/* lines of the drawing on the tty */
	int64_t		last_draw;
};

static int
add(struct stage *st, int64_t v)
{
	struct histsink *hs = st->ctx;

	hist_add(&hs->h, v);
	if (hs->tty && st->deadline == LOOP_NEVER) {
		st->deadline = hs->last_draw + REDRAW_NS;
		if (st->deadline < loop_now())
			st->deadline = loop_now();
	}
	return 0;
}

/* The variable name as a size, or def when unset or not a size. */
static int
env_size(const char *name, int def)
{
	const char *s, *errstr;
	int v;

	if ((s = getenv(name)) == NULL)
		return def;
	v = (int)strtonum(s, 1, 10000, &errstr);
	return errstr == NULL ? v : def;
}

/*
 * On a terminal, its size, or less when LINES or COLUMNS say so: the
 * part of it we are given (pipesup's scroll region, above its live
 * view).  Elsewhere COLUMNS, or 80.
 */
static void
term_size(const struct histsink *hs, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (hs->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0) {
		*cols = env_size("COLUMNS", ws.ws_col);
		*rows = env_size("LINES", ws.ws_row);
		if (*cols > ws.ws_col)
			*cols = ws.ws_col;
		if (*rows > ws.ws_row)
			*rows = ws.ws_row;
	} else
		*cols = env_size("COLUMNS", 80);
}

static int
ndigits(int64_t v)
{
	char buf[REC_FMT_MAX];

	return (int)rec_format_digits(buf, v);
}

static void
put_bar(struct stage *st, const struct histsink *hs, uint64_t count,
    uint64_t most, int room)
{
	/* in eighths of a column; a count above zero always shows */
	uint64_t e = (uint64_t)((hist_u128)count * (unsigned)room * 8 / most);

	if (hs->ascii)
		e = (e + 4) / 8 * 8;
	if (e == 0 && count > 0)
		e = hs->ascii ? 8 : 1;
	for (; e >= 8; e -= 8)
		stage_write(st, hs->ascii ? "#" : "\xe2\x96\x88", hs->ascii ? 1 : 3);
	if (e > 0)	/* U+2589 (seven eighths) down to U+258F (one) */
		stage_printf(st, "\xe2\x96%c", (char)(0x90 - e));
}

static void
draw(struct stage *st)
{
	struct histsink *hs = st->ctx;
	struct hist *h = &hs->h;
	int cols, rows, wl = 1, wh = 0, wc = 1, room, lines, k;
	size_t nb = 0, j, want;
	uint64_t most = 1;
	struct hist_bar *b;

	term_size(hs, &cols, &rows);
	want = hs->bins > 0 ? (size_t)hs->bins :
	    hs->tty && rows > 3 && rows - 2 < DEFAULT_BINS ? (size_t)rows - 2 :
	    DEFAULT_BINS;
	if (h->n > 0 || h->fixed)
		nb = hist_bars(h, want);
	for (j = 0; j < nb; j++) {
		b = &h->bars[j];
		if (ndigits(hist_unkey(b->lo)) > wl)
			wl = ndigits(hist_unkey(b->lo));
		if (b->hi != b->lo && ndigits(hist_unkey(b->hi)) > wh)
			wh = ndigits(hist_unkey(b->hi));
		if (ndigits((int64_t)b->count) > wc)
			wc = ndigits((int64_t)b->count);
		if (b->count > most)
			most = b->count;
	}
	/* a terminal may wrap a line that fills its last column */
	room = cols - wl - (wh > 0 ? wh + 4 : 0) - wc - 4 - hs->tty;
	if (room < 10)
		room = 10;
	if (hs->drawn > 0)	/* back to the top of the last drawing */
		stage_printf(st, "\r\033[%dA", hs->drawn);
	for (j = 0; j < nb; j++) {
		b = &h->bars[j];
		stage_printf(st, "%*jd", wl, (intmax_t)hist_unkey(b->lo));
		if (wh > 0)
			stage_printf(st, " .. %*jd", wh, (intmax_t)hist_unkey(b->hi));
		stage_printf(st, "  %*ju  ", wc, (uintmax_t)b->count);
		put_bar(st, hs, b->count, most, room);
		stage_printf(st, "%s\n", hs->tty ? "\033[K" : "");
	}
	stage_printf(st, "%ju record%s", (uintmax_t)h->n, h->n == 1 ? "" : "s");
	if (h->below > 0)
		stage_printf(st, ", %ju below %jd", (uintmax_t)h->below,
		    (intmax_t)hist_unkey(h->lo));
	if (h->above > 0)
		stage_printf(st, ", %ju above %jd", (uintmax_t)h->above,
		    (intmax_t)hist_unkey(h->hi));
	stage_printf(st, "%s\n", hs->tty ? "\033[K" : "");
	lines = (int)nb + 1;
	/*
	 * What is left of a taller drawing before is cleared line by line:
	 * clearing to the end of the screen would take what is below our
	 * rows too (pipesup's live view).
	 */
	if (hs->drawn > lines) {
		for (k = lines; k < hs->drawn; k++)
			stage_printf(st, "\033[K\n");
		stage_printf(st, "\033[%dA", hs->drawn - lines);
	}
	st->counts.out += nb + 1;
	/* a drawing taller than the screen cannot be redrawn in place */
	hs->drawn = lines < rows ? lines : 0;
	if (hs->drawn == 0)
		hs->tty = 0;
}

static void
redraw(struct stage *st, int64_t now)
{
	struct histsink *hs = st->ctx;

	draw(st);
	hs->last_draw = now;
}

/*
 * Whether the character set of the locale the environment names is
 * UTF-8, as setlocale(LC_CTYPE, "") would find, from the name alone:
 * loading the locale would map its tables, half a MiB of RSS, to learn
 * one thing (a name of a locale not installed counts as installed).
 */
static int
utf8_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *name = NULL, *cs;
	size_t i, n;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((name = getenv(vars[i])) != NULL && *name != '\0')
			break;
	if (name == NULL || (cs = strchr(name, '.')) == NULL)
		return 0;
	cs++;
	n = strcspn(cs, "@");
	return (n == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	    (n == 4 && strncasecmp(cs, "utf8", 4) == 0);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bins",	required_argument,	NULL,	'b' },
		{ "min",	required_argument,	NULL,	OPT_MIN },
		{ "max",	required_argument,	NULL,	OPT_MAX },
		{ "ascii",	no_argument,		NULL,	OPT_ASCII },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = add,
		.tick = redraw,
		.finish = draw,
	};
	static struct histsink hs;	/* large: the bins and the bars */
	uint64_t lo = 0, hi = UINT64_MAX;
	struct stage st;
	int ch, nfixed = 0;

	prog_init(argc, argv);
	stage_init(&st, &ops, &hs);
	while ((ch = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			hs.bins = prog_int64("--bins", optarg, 1, HIST_FINE);
			break;
		case OPT_MIN:
		case OPT_MAX:
			if (ch == OPT_MIN)
				lo = hist_key(prog_int64("--min", optarg,
				    INT64_MIN, INT64_MAX));
			else
				hi = hist_key(prog_int64("--max", optarg,
				    INT64_MIN, INT64_MAX));
			nfixed |= ch == OPT_MIN ? 1 : 2;
			break;
		case OPT_ASCII:
			hs.ascii = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	if (lo > hi)
		prog_usage("--min %jd is greater than --max %jd",
		    (intmax_t)hist_unkey(lo), (intmax_t)hist_unkey(hi));
	if (nfixed == 3 && hs.bins == 0)
		hs.bins = DEFAULT_BINS;
	hist_init(&hs.h, lo, hi, nfixed == 3, hs.bins);
	if (!utf8_locale())
		hs.ascii = 1;
	hs.tty = isatty(STDOUT_FILENO);
	hs.last_draw = loop_now() - REDRAW_NS;
	return stage_run(&st);
}
