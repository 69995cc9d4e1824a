/* SPDX-License-Identifier: ISC */
/*
 * randsrc: a source of uniform random integers in [min, max], at a rate.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prog.h"
#include "record.h"
#include "rng.h"
#include "source.h"

static const char help[] =
"usage: randsrc [-n count] [-r rate] [-s seed] [--min A] [--max B]\n"
"Write uniform random integers in [A, B], one a line, at a steady rate.\n"
"\n"
"  -n, --count N   stop after N records (default: never)\n"
"  -r, --rate R    records a second, decimal; 0: as fast as the reader\n"
"                  takes them (default 1)\n"
"      --min A     smallest value, any int64 (default 1)\n"
"      --max B     largest value, any int64 (default 100)\n"
"  -s, --seed S    the same seed gives the same stream everywhere\n"
"  -h, --help      show this help\n"
"      --version   show the version\n"
"\n"
"Example: randsrc --rate 0 --count 1000 --seed 7 | procprint\n";

enum { OPT_MIN = OPT_PROGRAM, OPT_MAX };

/*
 * A range of at most TABLE_MAX values whose records are 8 bytes or less
 * ("-999999\n") is drawn as an index into their preformatted forms: one
 * 8-byte copy a record instead of formatting it.  The stream is the same.
 */
#define TABLE_MAX	1024
/*
 * A range of at most PAIR_RANGE values whose records are 4 bytes or less
 * ("100\n") also has the preformatted forms of every two records in a
 * row, 8 bytes or less: two draws of a batch are one draw from n^2 values
 * (the base-n^2 digits of a number are its base-n digits two by two),
 * and one copy.  90 KiB, for twice the speed of the default 1..100.
 */
#define PAIR_RANGE	100

struct gen {
	struct rng	 rng;
	struct rng_batch batch;
	int64_t		 min;
	int64_t		 max;
	/* the draws of the last batch, from draw[next], for the next call */
	uint64_t	 draw[RNG_BATCH_MAX];
	unsigned	 next;
	int		 table;
	char		 text[TABLE_MAX][8];
	unsigned char	 len[TABLE_MAX];
	int		 pairs;
	char		 pair[PAIR_RANGE * PAIR_RANGE][8];
	unsigned char	 pairlen[PAIR_RANGE * PAIR_RANGE];
};

static void
make_table(struct gen *g)
{
	char buf[REC_FMT_MAX];
	uint64_t i, width = (uint64_t)g->max - (uint64_t)g->min + 1;
	size_t n;

	if (width == 0 || width > TABLE_MAX)
		return;
	for (i = 0; i < width; i++) {
		n = rec_format(buf, (int64_t)((uint64_t)g->min + i));
		if (n > sizeof(g->text[i]))
			return;
		memcpy(g->text[i], buf, n);
		g->len[i] = (unsigned char)n;
	}
	g->table = 1;
	if (width > PAIR_RANGE)
		return;
	for (i = 0; i < width * width; i++) {
		size_t a = g->len[i / width], b = g->len[i % width];

		if (a + b > sizeof(g->pair[i]))
			return;
		memcpy(g->pair[i], g->text[i / width], a);
		memcpy(g->pair[i] + a, g->text[i % width], b);
		g->pairlen[i] = (unsigned char)(a + b);
	}
	g->pairs = 1;
}

/* Writes the record of draw v at p; returns where the next one goes. */
static inline char *
put(const char (*text)[8], const unsigned char *len, uint64_t min, char *p,
    uint64_t v)
{
	if (text != NULL) {
		/* 8 bytes whatever the length: maxout leaves room */
		memcpy(p, text[v], 8);
		return p + len[v];
	}
	return p + rec_format(p, (int64_t)(min + v));
}

/*
 * Whole batches of k draws at p, each written as it is drawn, for the
 * ranges with a table; returns where the next record goes.  A batch
 * drawn again is written again.  With pairs, draws 2i and 2i + 1 are
 * draw i of the batch of n^2 values that the same output gives.
 */
static inline char *
batches(struct rng *rng, const struct rng_batch *b, unsigned k,
    const struct gen *g, char *p, size_t n)
{
	__extension__ typedef unsigned __int128 u128;
	const uint64_t n2 = b->n * b->n;
	uint64_t x, v;
	unsigned j;
	char *q;

	for (; n > 0; n--, p = q)
		do {
			x = rng_next(rng);
			q = p;
			j = 0;
			/* 8 bytes whatever the length: maxout leaves room */
			if (g->pairs)
#pragma GCC unroll 8
				for (; j + 1 < k; j += 2) {
					v = (uint64_t)((u128)(x * b->pow[j]) *
					    n2 >> 64);
					memcpy(q, g->pair[v], 8);
					q += g->pairlen[v];
				}
#pragma GCC unroll 16
			for (; j < k; j++) {
				v = rng_draw(b, x, j);
				memcpy(q, g->text[v], 8);
				q += g->len[v];
			}
		} while (rng_rejected(b, x));
	return p;
}

/*
 * Batches are drawn in turn whatever the calls ask for, so the stream
 * does not depend on how it is cut: a call ends with the rest of its last
 * batch kept for the next.
 */
static size_t
fill(struct source *src, char *dst, size_t n)
{
	struct gen *g = src->ctx;
	/* local copies: stores through p could alias them, forcing reloads */
	struct rng rng = g->rng;
	const struct rng_batch b = g->batch;
	const char (*text)[8] = g->table ? g->text : NULL;
	const unsigned char *len = g->len;
	const uint64_t min = (uint64_t)g->min;
	uint64_t d[RNG_BATCH_MAX];
	unsigned i = g->next;
	char *p = dst;

	memcpy(d, g->draw, sizeof(d));
	for (; n > 0 && i < b.k; n--, i++)
		p = put(text, len, min, p, d[i]);
	/* whole batches straight into the output, the common case; 64 to
	 * 101 values (the default 1..100) make batches of 9, unrolled */
	if (text != NULL && b.n != 0) {
		if (b.k == 9)
			p = batches(&rng, &b, 9, g, p, n / 9);
		else
			p = batches(&rng, &b, b.k, g, p, n / b.k);
		n %= b.k;
	}
	for (; n > 0; n--, i++) {
		if (i == b.k) {
			rng_batch(&rng, &b, d);
			i = 0;
		}
		p = put(text, len, min, p, d[i]);
	}
	memcpy(g->draw, d, sizeof(d));
	g->next = i;
	g->rng = rng;
	return (size_t)(p - dst);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "seed",	required_argument,	NULL,	's' },
		{ "min",	required_argument,	NULL,	OPT_MIN },
		{ "max",	required_argument,	NULL,	OPT_MAX },
		SOURCE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	struct source src;
	static struct gen g = { .min = 1, .max = 100 };
	const char *seed = NULL;
	int ch;

	prog_init(argc, argv);
	source_init(&src);
	src.rate = 1;
	while ((ch = getopt_long(argc, argv, "hn:r:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			seed = optarg;
			break;
		case OPT_MIN:
			g.min = prog_int64("--min", optarg, INT64_MIN, INT64_MAX);
			break;
		case OPT_MAX:
			g.max = prog_int64("--max", optarg, INT64_MIN, INT64_MAX);
			break;
		default:
			source_option(&src, ch, optarg, help);
		}
	}
	prog_no_operands(argc, argv);
	if (g.min > g.max)
		prog_usage("--min %jd is greater than --max %jd",
		    (intmax_t)g.min, (intmax_t)g.max);
	if (seed != NULL)
		rng_seed(&g.rng, (uint64_t)prog_int64("--seed", seed,
		    INT64_MIN, INT64_MAX));
	else
		rng_seed_random(&g.rng);
	rng_batch_init(&g.batch, (uint64_t)g.max - (uint64_t)g.min + 1);
	g.next = g.batch.k;
	make_table(&g);

	src.fill = fill;
	src.maxout = REC_FMT_MAX;
	src.ctx = &g;
	return source_run(&src);
}
