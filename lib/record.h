/*
 * record: the one thing that travels between stages, a signed decimal
 * int64_t ended by '\n' (DESIGN.md section 1).
 */
#ifndef SLUICE_RECORD_H
#define SLUICE_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* The longest line a reader accepts, not counting its '\n'. */
#define REC_LINE_MAX	4096

/* The most bytes rec_format() writes: "-9223372036854775808\n". */
#define REC_FMT_MAX	21

enum rec_status {
	REC_OK = 0,	/* a record: *v is set */
	REC_BLANK,	/* a blank line: skipped without complaint */
	REC_NOTINT,	/* anything that is not one decimal integer */
	REC_RANGE,	/* an integer outside int64_t */
	REC_NUL,	/* a NUL byte inside the line */
	REC_LONG,	/* longer than REC_LINE_MAX (found by the reader) */
	REC_OVERFLOW	/* a stage's arithmetic on it overflowed */
};

/*
 * Parses the n bytes at s, one line without its '\n'.  Accepts a leading
 * '+', leading zeros, blanks around the number and one '\r' at the end.
 * Returns REC_OK and sets *v, or another rec_status (*v untouched).
 */
enum rec_status	rec_parse(const char *s, size_t n, int64_t *v);

/*
 * Writes v in canonical form followed by '\n' at dst, which must have
 * room for REC_FMT_MAX bytes.  Returns the number of bytes written.
 */
size_t		rec_format(char *dst, int64_t v);

/* Same without the '\n'. */
size_t		rec_format_digits(char *dst, int64_t v);

/* The words a bad record's warning gives for s ("not an integer"). */
const char	*rec_strerror(enum rec_status s);

#endif
