/* SPDX-License-Identifier: ISC */
/*
 * procfilter: a processor that keeps the records its predicates hold for.
 */
#include <stdint.h>

#include "opt.h"
#include "stage.h"

static const char help[] =
"usage: procfilter [-v] [--min N] [--max N] [--even | --odd | --mod M,R]\n"
"                  [--one-in K] [--strict] [--rejects file] [file ...]\n"
"Copy the records for which every predicate holds; -v copies the others.\n"
"\n"
"      --min N         the value is at least N\n"
"      --max N         the value is at most N\n"
"      --even          the value is even\n"
"      --odd           the value is odd\n"
"      --mod M,R       the value mod M is R, where 0 <= R < |M|\n"
"                      (-7 mod 3 is 2)\n"
"      --one-in K      it is the 1st, K+1th, 2K+1th... record read\n"
"  -v, --invert        copy the records the predicates reject\n"
STAGE_HELP
"\n"
"Example: procfilter --even <values.txt | procprint\n";

enum { OPT_MIN = OPT_PROGRAM, OPT_MAX, OPT_EVEN, OPT_ODD, OPT_MOD,
    OPT_ONE_IN };

struct filter {
	int64_t		min;
	int64_t		max;
	uint64_t	mod;		/* |M|; 0: no --mod */
	uint64_t	rem;
	uint64_t	one_in;		/* 0: no --one-in */
	uint64_t	nth;		/* position of this record, mod one_in */
	int		invert;
};

/*
 * The remainder in [0, |m|) whatever the signs, so that --mod 3,2 keeps
 * -1 as well as 2: all in unsigned arithmetic, where INT64_MIN and
 * m == -1 are no special cases.
 */
static uint64_t
mod_floor(int64_t v, uint64_t m)
{
	uint64_t r;

	if (v >= 0)
		return (uint64_t)v % m;
	r = (0 - (uint64_t)v) % m;
	return r == 0 ? 0 : m - r;
}

static int
keep(struct stage *st, int64_t v)
{
	struct filter *f = st->ctx;
	int ok = v >= f->min && v <= f->max;

	if (f->mod != 0 && mod_floor(v, f->mod) != f->rem)
		ok = 0;
	if (f->one_in != 0) {
		if (f->nth != 0)
			ok = 0;
		if (++f->nth == f->one_in)
			f->nth = 0;
	}
	if (ok != f->invert)
		stage_emit(st, v);
	return 0;
}

static void
set_mod(struct filter *f, int64_t m, int64_t r, const char *arg)
{
	if (m == 0)
		prog_usage("--mod: \"%s\": M must not be 0", arg);
	f->mod = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	if (r < 0 || (uint64_t)r >= f->mod)
		prog_usage("--mod: \"%s\": R must be in [0, |M| - 1]", arg);
	f->rem = (uint64_t)r;
}

static const char *
modname(int ch)
{
	return ch == OPT_EVEN ? "--even" : ch == OPT_ODD ? "--odd" : "--mod";
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "min",	required_argument,	NULL,	OPT_MIN },
		{ "max",	required_argument,	NULL,	OPT_MAX },
		{ "even",	no_argument,		NULL,	OPT_EVEN },
		{ "odd",	no_argument,		NULL,	OPT_ODD },
		{ "mod",	required_argument,	NULL,	OPT_MOD },
		{ "one-in",	required_argument,	NULL,	OPT_ONE_IN },
		{ "invert",	no_argument,		NULL,	'v' },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = keep,
		.maxout = REC_FMT_MAX,
	};
	struct filter f = { .min = INT64_MIN, .max = INT64_MAX };
	struct stage st;
	const char *errstr;
	int64_t m, r;
	int ch, modch = 0;

	prog_init(argc, argv);
	stage_init(&st, &ops, &f);
	while ((ch = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_MIN:
			f.min = prog_int64("--min", optarg, INT64_MIN, INT64_MAX);
			break;
		case OPT_MAX:
			f.max = prog_int64("--max", optarg, INT64_MIN, INT64_MAX);
			break;
		case OPT_EVEN:
		case OPT_ODD:
		case OPT_MOD:
			if (modch != 0 && modch != ch)
				prog_usage("%s and %s exclude each other",
				    modname(modch), modname(ch));
			modch = ch;
			if (ch != OPT_MOD)
				set_mod(&f, 2, ch == OPT_ODD, modname(ch));
			else if (opt_int64_pair(optarg, INT64_MIN, INT64_MAX, &m,
			    &r, &errstr) == -1)
				prog_usage("--mod: \"%s\" is %s", optarg, errstr);
			else
				set_mod(&f, m, r, optarg);
			break;
		case OPT_ONE_IN:
			f.one_in = (uint64_t)prog_int64("--one-in", optarg, 1,
			    INT64_MAX);
			break;
		case 'v':
			f.invert = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	if (f.min > f.max)
		prog_usage("--min %jd is greater than --max %jd",
		    (intmax_t)f.min, (intmax_t)f.max);
	return stage_run(&st);
}
