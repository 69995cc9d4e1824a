/* SPDX-License-Identifier: ISC */
/*
 * procprint: a sink that says "Received data: N" for each record.
 */
#include <string.h>

#include "canon.h"
#include "stage.h"

static const char help[] =
"usage: procprint [--strict] [--rejects file] [file ...]\n"
"Write \"Received data: N\" for each record read.\n"
"\n"
STAGE_HELP
"\n"
"Example: randsrc | procprint\n";

#define PREFIX		"Received data: "
#define PREFIX_LEN	(sizeof(PREFIX) - 1)

/* 16 bytes, as canon_prefix() reads them */
static const char prefix[16] = PREFIX;

static int
print(struct stage *st, int64_t v)
{
	char *p = stage_out(st, PREFIX_LEN + REC_FMT_MAX);

	memcpy(p, PREFIX, PREFIX_LEN);
	wbuf_commit(&st->out, PREFIX_LEN + rec_format(p + PREFIX_LEN, v));
	st->counts.out++;
	return 0;
}

/*
 * Records in canonical form are copied after the prefix as they came, a
 * run at a time: no more of them than the output has room for, each
 * taking at most (PREFIX_LEN + 2) / 2 times its bytes ("7\n").
 */
static size_t
canon(struct stage *st, const char *p, size_t n, uint64_t *records)
{
	struct wbuf *out = &st->out;
	size_t room = out->cap - wbuf_pending(out), len;

	if (room < CANON_PREFIX_SLACK + PREFIX_LEN + 2)
		return 0;
	room -= CANON_PREFIX_SLACK;
	if (n > room / (PREFIX_LEN + 2) * 2)
		n = room / (PREFIX_LEN + 2) * 2;
	if ((len = canon_span(p, n, records)) > 0) {
		wbuf_commit(out, canon_prefix(wbuf_reserve(out, room), p, len,
		    prefix, PREFIX_LEN));
		st->counts.out += *records;
	}
	return len;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const struct stage_ops ops = {
		.record = print,
		.canon = canon,
		.maxout = PREFIX_LEN + REC_FMT_MAX,
	};
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, NULL);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		stage_option(&st, ch, optarg, help);
	}
	stage_operands(&st, argc - optind, argv + optind);
	return stage_run(&st);
}
