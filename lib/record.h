/* SPDX-License-Identifier: ISC */
/*
 * record: the one thing that travels between stages, a signed decimal
 * int64_t ended by '\n' (sluice(7), RECORD FORMAT).
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
 * The common line, inline: 1 to 18 bare digits and '\n', read in one pass
 * where rec_parse() needs the line's end first.  p must be followed,
 * within its buffer, by a byte that is neither a digit nor '\n' after the
 * data (a NUL sentinel).  Returns the bytes of the line with its '\n'
 * and sets *v, or 0 when the line is not of that form: then find its end
 * and ask rec_parse(), which gives the same answer for every line.
 */
static inline size_t
rec_scan(const char *p, int64_t *v)
{
	const char *q = p;
	uint64_t u = 0;
	unsigned d;

	while ((d = (unsigned char)*q - '0') <= 9) {
		u = u * 10 + d;
		q++;
	}
	if (*q != '\n' || q == p || q - p > 18)
		return 0;
	*v = (int64_t)u;
	return (size_t)(q - p) + 1;
}

/* "00" to "99", for writing two digits at a time. */
extern const char rec_digit_pairs[201];

size_t		rec_format_any(char *dst, int64_t v);

/*
 * Writes v in canonical form followed by '\n' at dst, which must have
 * room for REC_FMT_MAX bytes.  Returns the number of bytes written.
 * Values below 100, the most common by far, take no loop and no call.
 */
static inline size_t
rec_format(char *dst, int64_t v)
{
	if (v < 0 || v >= 100)
		return rec_format_any(dst, v);
	if (v < 10) {
		dst[0] = (char)('0' + v);
		dst[1] = '\n';
		return 2;
	}
	dst[0] = rec_digit_pairs[2 * v];
	dst[1] = rec_digit_pairs[2 * v + 1];
	dst[2] = '\n';
	return 3;
}

/* Same without the '\n'. */
size_t		rec_format_digits(char *dst, int64_t v);

/* The words a bad record's warning gives for s ("not an integer"). */
const char	*rec_strerror(enum rec_status s);

#endif
