/* SPDX-License-Identifier: ISC */
/*
 * procmap: a processor that does checked integer arithmetic on each record.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>

#include "opt.h"
#include "stage.h"

static const char help[] =
"usage: procmap [--saturate] [--add N] [--sub N] [--mul N] [--div N]\n"
"               [--mod N] [--neg] [--abs] [--clamp LO,HI] [--strict]\n"
"               [--rejects file] [file ...]\n"
"Apply the operations, in the order given, to each record.\n"
"\n"
"      --add N         add N\n"
"      --sub N         subtract N\n"
"      --mul N         multiply by N\n"
"      --div N         divide by N, truncating toward zero as C does\n"
"      --mod N         the remainder of that division, as C's %\n"
"      --neg           negate\n"
"      --abs           take the absolute value\n"
"      --clamp LO,HI   bring the value into [LO, HI]\n"
"      --saturate      on overflow, take the nearest int64 limit instead\n"
"                      of rejecting the record as bad\n"
STAGE_HELP
"\n"
"Example: procmap --mul 3 --add 1 <values.txt | procprint\n";

enum { OPT_ADD = OPT_PROGRAM, OPT_SUB, OPT_MUL, OPT_DIV, OPT_MOD, OPT_NEG,
    OPT_ABS, OPT_CLAMP, OPT_SATURATE };

struct op {
	int	kind;		/* an OPT_ value */
	int64_t	a, b;
};

struct map {
	struct op	*ops;
	size_t		 nops;
	int		 saturate;
};

/*
 * One operation on v.  Returns 0, or -1 when the exact result does not
 * fit an int64, with *r the limit on the side it went out by.
 */
static int
op_apply(const struct op *op, int64_t v, int64_t *r)
{
	switch (op->kind) {
	case OPT_ADD:
		if (!__builtin_add_overflow(v, op->a, r))
			return 0;
		*r = op->a > 0 ? INT64_MAX : INT64_MIN;
		return -1;
	case OPT_SUB:
		if (!__builtin_sub_overflow(v, op->a, r))
			return 0;
		*r = op->a < 0 ? INT64_MAX : INT64_MIN;
		return -1;
	case OPT_MUL:
		if (!__builtin_mul_overflow(v, op->a, r))
			return 0;
		*r = (v < 0) != (op->a < 0) ? INT64_MIN : INT64_MAX;
		return -1;
	case OPT_DIV:
		if (v == INT64_MIN && op->a == -1) {
			*r = INT64_MAX;
			return -1;
		}
		*r = v / op->a;
		return 0;
	case OPT_MOD:
		/* x % -1 is 0 for every x; only C makes INT64_MIN special */
		*r = op->a == -1 ? 0 : v % op->a;
		return 0;
	case OPT_NEG:
	case OPT_ABS:
		if (v == INT64_MIN) {
			*r = INT64_MAX;
			return -1;
		}
		*r = op->kind == OPT_NEG || v < 0 ? -v : v;
		return 0;
	case OPT_CLAMP:
		*r = v < op->a ? op->a : v > op->b ? op->b : v;
		return 0;
	}
	abort();
}

static int
map(struct stage *st, int64_t v)
{
	struct map *m = st->ctx;
	size_t i;

	for (i = 0; i < m->nops; i++)
		if (op_apply(&m->ops[i], v, &v) == -1 && !m->saturate)
			return REC_OVERFLOW;
	stage_emit(st, v);
	return 0;
}

static void
add_op(struct map *m, int kind, const char *name, const char *arg)
{
	struct op *op = &m->ops[m->nops++];
	const char *errstr;

	op->kind = kind;
	if (kind == OPT_CLAMP) {
		if (opt_int64_pair(arg, INT64_MIN, INT64_MAX, &op->a, &op->b,
		    &errstr) == -1)
			prog_usage("%s: \"%s\" is %s", name, arg, errstr);
		if (op->a > op->b)
			prog_usage("%s: \"%s\": LO is greater than HI", name,
			    arg);
	} else if (arg != NULL) {
		op->a = prog_int64(name, arg, INT64_MIN, INT64_MAX);
		if (op->a == 0 && (kind == OPT_DIV || kind == OPT_MOD))
			prog_usage("%s: \"%s\": cannot divide by zero", name,
			    arg);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "add",	required_argument,	NULL,	OPT_ADD },
		{ "sub",	required_argument,	NULL,	OPT_SUB },
		{ "mul",	required_argument,	NULL,	OPT_MUL },
		{ "div",	required_argument,	NULL,	OPT_DIV },
		{ "mod",	required_argument,	NULL,	OPT_MOD },
		{ "neg",	no_argument,		NULL,	OPT_NEG },
		{ "abs",	no_argument,		NULL,	OPT_ABS },
		{ "clamp",	required_argument,	NULL,	OPT_CLAMP },
		{ "saturate",	no_argument,		NULL,	OPT_SATURATE },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = map,
		.maxout = REC_FMT_MAX,
	};
	struct map m = { 0 };
	struct stage st;
	static const char *const names[] = { "--add", "--sub", "--mul",
	    "--div", "--mod", "--neg", "--abs", "--clamp" };
	int ch, status;

	prog_init(argc, argv);
	stage_init(&st, &ops, &m);
	/* never more operations than arguments */
	if ((m.ops = reallocarray(NULL, (size_t)argc, sizeof(*m.ops))) == NULL)
		err(EX_OSERR, NULL);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch >= OPT_ADD && ch <= OPT_CLAMP) {
			add_op(&m, ch, names[ch - OPT_ADD], optarg);
			continue;
		}
		if (ch == OPT_SATURATE)
			m.saturate = 1;
		else
			stage_option(&st, ch, optarg, help);
	}
	stage_operands(&st, argc - optind, argv + optind);
	status = stage_run(&st);
	free(m.ops);
	return status;
}
