/* SPDX-License-Identifier: ISC */
/*
 * ticksrc: a source whose records are their own send time, in nanoseconds
 * of CLOCK_MONOTONIC, for latsink at the end of a pipeline to measure
 * how long each took to get there.
 */
#include <stdint.h>
#include <stdlib.h>

#include "loop.h"
#include "prog.h"
#include "record.h"
#include "source.h"

static const char help[] =
"usage: ticksrc [-n count] [-r rate]\n"
"Write the time each record is made (CLOCK_MONOTONIC nanoseconds), one a\n"
"line, at a steady rate.\n"
"\n"
"  -n, --count N   stop after N records (default: never)\n"
"  -r, --rate R    records a second, decimal; 0: as fast as the reader\n"
"                  takes them (default 1000)\n"
"  -h, --help      show this help\n"
"      --version   show the version\n"
"\n"
"Example: ticksrc --rate 1000 --count 5000 | cat | latsink\n";

/*
 * The stamp is taken as each record is formatted, not once a batch, so
 * that what latsink sees includes the time a record waits in our own
 * buffer.
 */
static size_t
fill(struct source *src, char *dst, size_t n)
{
	char *p = dst;

	(void)src;
	while (n-- > 0)
		p += rec_format(p, loop_now());
	return (size_t)(p - dst);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		SOURCE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	struct source src;
	int ch;

	prog_init(argc, argv);
	source_init(&src);
	src.rate = 1000;
	while ((ch = getopt_long(argc, argv, "hn:r:", longopts, NULL)) != -1)
		source_option(&src, ch, optarg, help);
	prog_no_operands(argc, argv);

	src.fill = fill;
	src.maxout = REC_FMT_MAX;
	return source_run(&src);
}
