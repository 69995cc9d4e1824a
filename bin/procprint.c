/*
 * procprint: a sink that says "Received data: N" for each record.
 */
#include <string.h>

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

static int
print(struct stage *st, int64_t v)
{
	char *p = stage_out(st, PREFIX_LEN + REC_FMT_MAX);

	memcpy(p, PREFIX, PREFIX_LEN);
	wbuf_commit(&st->out, PREFIX_LEN + rec_format(p + PREFIX_LEN, v));
	st->counts.out++;
	return 0;
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
