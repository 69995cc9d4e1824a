/*
 * histsink: a sink that draws a histogram of the values in the terminal.
 */
#include <sys/ioctl.h>

#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "stage.h"

static const char help[] =
"usage: histsink [--bins N] [--min A] [--max B] [--ascii] [--strict]\n"
"                [--rejects file]\n"
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

__extension__ typedef unsigned __int128 u128;

/*
 * The fine counts: FINE bins of 2^shift consecutive values each, the
 * first holding key base << shift.  When a value falls outside them the
 * bins are merged in pairs until the observed range fits, so memory
 * stays fixed and every count stays exact; the bars are then drawn from
 * whole fine bins.
 */
#define FINE		4096
#define DEFAULT_BINS	20
#define REDRAW_NS	100000000	/* ten redraws a second at most */

struct bar {
	uint64_t	lo, hi;		/* keys, inclusive */
	uint64_t	count;
};

struct hist {
	int64_t		bins;		/* asked for; 0: default */
	uint64_t	lo, hi;		/* keys of --min, --max or the limits */
	int		fixed;		/* both --min and --max: direct bins */
	int		ascii;
	int		tty;

	uint64_t	fine[FINE];
	int		shift;
	uint64_t	base;
	u128		width;		/* keys a direct bin; 0: not fixed */
	uint64_t	kmin, kmax;	/* observed keys */
	uint64_t	n, below, above;

	struct bar	bars[FINE];
	int		drawn;		/* lines of the drawing on the tty */
	int64_t		last_draw;
};

/* A key orders like the value it stands for, in unsigned arithmetic. */
static uint64_t
key(int64_t v)
{
	return (uint64_t)v ^ ((uint64_t)1 << 63);
}

static int64_t
unkey(uint64_t k)
{
	k ^= (uint64_t)1 << 63;
	return k > INT64_MAX ? -(int64_t)(~k) - 1 : (int64_t)k;
}

static void
widen(struct hist *h)
{
	uint64_t old[FINE], i, b;
	int s = h->shift;

	while ((h->kmax >> s) - (h->kmin >> s) >= FINE)
		s++;
	memcpy(old, h->fine, sizeof(old));
	memset(h->fine, 0, sizeof(h->fine));
	b = h->kmin >> s;
	for (i = 0; i < FINE; i++)
		if (old[i] != 0)
			h->fine[((h->base + i) >> (s - h->shift)) - b] += old[i];
	h->shift = s;
	h->base = b;
}

static int
add(struct stage *st, int64_t v)
{
	struct hist *h = st->ctx;
	uint64_t k = key(v), i;

	if (k < h->lo || k > h->hi) {
		if (k < h->lo)
			h->below++;
		else
			h->above++;
		return 0;
	}
	if (h->fixed)
		i = (uint64_t)((k - h->lo) / h->width);
	else {
		if (h->n == 0) {
			h->kmin = h->kmax = h->base = k;
		} else if (k < h->kmin)
			h->kmin = k;
		else if (k > h->kmax)
			h->kmax = k;
		if ((k >> h->shift) - h->base >= FINE)
			widen(h);
		i = (k >> h->shift) - h->base;
	}
	h->fine[i]++;
	h->n++;
	if (h->tty && st->deadline == LOOP_NEVER) {
		st->deadline = h->last_draw + REDRAW_NS;
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
term_size(const struct hist *h, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (h->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
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

/*
 * Groups the counts into at most want bars of equal width, each a whole
 * number of fine bins, and returns how many.
 */
static size_t
make_bars(struct hist *h, size_t want)
{
	uint64_t nf, per, j, i, total;
	u128 unit, lo;
	size_t nb;

	if (h->fixed) {
		nf = (uint64_t)(((u128)h->hi - h->lo) / h->width) + 1;
		unit = h->width;
		lo = h->lo;
		per = 1;
	} else {
		nf = (h->kmax >> h->shift) - h->base + 1;
		unit = (u128)1 << h->shift;
		lo = (u128)h->base << h->shift;
		per = (nf + want - 1) / want;
	}
	nb = (size_t)((nf + per - 1) / per);
	for (j = 0; j < nb; j++) {
		total = 0;
		for (i = j * per; i < (j + 1) * per && i < nf; i++)
			total += h->fine[i];
		h->bars[j].count = total;
		h->bars[j].lo = (uint64_t)(lo + (u128)j * per * unit);
		h->bars[j].hi = (uint64_t)(lo + (u128)(j + 1) * per * unit - 1);
	}
	/* labelled from what can be there, not beyond */
	if (!h->fixed) {
		h->bars[0].lo = h->kmin;
		h->bars[nb - 1].hi = h->kmax;
	} else if (h->bars[nb - 1].hi > h->hi ||
	    h->bars[nb - 1].hi < h->bars[nb - 1].lo)
		h->bars[nb - 1].hi = h->hi;
	return nb;
}

static int
ndigits(int64_t v)
{
	char buf[REC_FMT_MAX];

	return (int)rec_format_digits(buf, v);
}

static void
put_bar(struct stage *st, const struct hist *h, uint64_t count,
    uint64_t most, int room)
{
	/* in eighths of a column; a count above zero always shows */
	uint64_t e = (uint64_t)((u128)count * (unsigned)room * 8 / most);

	if (h->ascii)
		e = (e + 4) / 8 * 8;
	if (e == 0 && count > 0)
		e = h->ascii ? 8 : 1;
	for (; e >= 8; e -= 8)
		stage_write(st, h->ascii ? "#" : "\xe2\x96\x88", h->ascii ? 1 : 3);
	if (e > 0)	/* U+2589 (seven eighths) down to U+258F (one) */
		stage_printf(st, "\xe2\x96%c", (char)(0x90 - e));
}

static void
draw(struct stage *st)
{
	struct hist *h = st->ctx;
	int cols, rows, wl = 1, wh = 0, wc = 1, room, lines, k;
	size_t nb = 0, j, want;
	uint64_t most = 1;
	struct bar *b;

	term_size(h, &cols, &rows);
	want = h->bins > 0 ? (size_t)h->bins :
	    h->tty && rows > 3 && rows - 2 < DEFAULT_BINS ? (size_t)rows - 2 :
	    DEFAULT_BINS;
	if (h->n > 0 || h->fixed)
		nb = make_bars(h, want);
	for (j = 0; j < nb; j++) {
		b = &h->bars[j];
		if (ndigits(unkey(b->lo)) > wl)
			wl = ndigits(unkey(b->lo));
		if (b->hi != b->lo && ndigits(unkey(b->hi)) > wh)
			wh = ndigits(unkey(b->hi));
		if (ndigits((int64_t)b->count) > wc)
			wc = ndigits((int64_t)b->count);
		if (b->count > most)
			most = b->count;
	}
	/* a terminal may wrap a line that fills its last column */
	room = cols - wl - (wh > 0 ? wh + 4 : 0) - wc - 4 - h->tty;
	if (room < 10)
		room = 10;
	if (h->drawn > 0)	/* back to the top of the last drawing */
		stage_printf(st, "\r\033[%dA", h->drawn);
	for (j = 0; j < nb; j++) {
		b = &h->bars[j];
		stage_printf(st, "%*jd", wl, (intmax_t)unkey(b->lo));
		if (wh > 0)
			stage_printf(st, " .. %*jd", wh, (intmax_t)unkey(b->hi));
		stage_printf(st, "  %*ju  ", wc, (uintmax_t)b->count);
		put_bar(st, h, b->count, most, room);
		stage_printf(st, "%s\n", h->tty ? "\033[K" : "");
	}
	stage_printf(st, "%ju record%s", (uintmax_t)h->n, h->n == 1 ? "" : "s");
	if (h->below > 0)
		stage_printf(st, ", %ju below %jd", (uintmax_t)h->below,
		    (intmax_t)unkey(h->lo));
	if (h->above > 0)
		stage_printf(st, ", %ju above %jd", (uintmax_t)h->above,
		    (intmax_t)unkey(h->hi));
	stage_printf(st, "%s\n", h->tty ? "\033[K" : "");
	lines = (int)nb + 1;
	/*
	 * What is left of a taller drawing before is cleared line by line:
	 * clearing to the end of the screen would take what is below our
	 * rows too (pipesup's live view).
	 */
	if (h->drawn > lines) {
		for (k = lines; k < h->drawn; k++)
			stage_printf(st, "\033[K\n");
		stage_printf(st, "\033[%dA", h->drawn - lines);
	}
	st->counts.out += nb + 1;
	/* a drawing taller than the screen cannot be redrawn in place */
	h->drawn = lines < rows ? lines : 0;
	if (h->drawn == 0)
		h->tty = 0;
}

static void
redraw(struct stage *st, int64_t now)
{
	struct hist *h = st->ctx;

	draw(st);
	h->last_draw = now;
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
	static struct hist h = { .lo = 0, .hi = UINT64_MAX };
	struct stage st;
	int ch, nfixed = 0;

	prog_init(argc, argv);
	stage_init(&st, &ops, &h);
	while ((ch = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			h.bins = prog_int64("--bins", optarg, 1, FINE);
			break;
		case OPT_MIN:
		case OPT_MAX:
			if (ch == OPT_MIN)
				h.lo = key(prog_int64("--min", optarg,
				    INT64_MIN, INT64_MAX));
			else
				h.hi = key(prog_int64("--max", optarg,
				    INT64_MIN, INT64_MAX));
			nfixed |= ch == OPT_MIN ? 1 : 2;
			break;
		case OPT_ASCII:
			h.ascii = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	prog_no_operands(argc, argv);
	if (h.lo > h.hi)
		prog_usage("--min %jd is greater than --max %jd",
		    (intmax_t)unkey(h.lo), (intmax_t)unkey(h.hi));
	if (nfixed == 3) {
		h.fixed = 1;
		h.bins = h.bins > 0 ? h.bins : DEFAULT_BINS;
		h.width = (((u128)h.hi - h.lo) + h.bins) / (u128)h.bins;
	}
	/* only the character type: numbers stay in the C locale */
	setlocale(LC_CTYPE, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		h.ascii = 1;
	h.tty = isatty(STDOUT_FILENO);
	h.last_draw = loop_now() - REDRAW_NS;
	return stage_run(&st);
}
