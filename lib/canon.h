/* SPDX-License-Identifier: ISC */
/*
 * canon: runs of lines that are records in canonical form already, as
 * every writer writes them (sluice(7), RECORD FORMAT), found many bytes at a
 * time, so that a stage that passes records on unchanged (proctee) can
 * copy such a run as it is instead of parsing and formatting each record.
 * A pure module.
 */
#ifndef SLUICE_CANON_H
#define SLUICE_CANON_H

#include <stddef.h>
#include <stdint.h>

/*
 * The longest canonical line canon_span() takes, without its '\n': 18
 * characters, so that every digit string it takes is within int64_t.
 * Longer records are canonical too; the caller parses them one by one.
 */
#define CANON_LINE_MAX	18

/*
 * The n bytes at p begin a line.  Returns how many bytes the whole lines
 * at their head take that are each a record in canonical form ("0", or
 * an optional '-', a digit 1-9 and more digits) of at most CANON_LINE_MAX
 * characters and a '\n'; sets *records to how many lines that is.  Stops
 * at the first other line (blank, bad, not canonical, too long) and
 * before a last line without its '\n'.  Reads no byte beyond p + n.
 */
size_t	canon_span(const char *p, size_t n, uint64_t *records);

/*
 * Writes at dst each line of the len bytes at p, which are whole lines
 * canon_span() took, after the plen bytes at prefix; returns how many
 * bytes that is: len + lines * plen.  plen is at most 16, and 16 bytes at
 * prefix may be read.  dst must have room for CANON_PREFIX_SLACK bytes
 * beyond what it returns: lines are copied a word at a time.
 */
#define CANON_PREFIX_SLACK	32
size_t	canon_prefix(char *dst, const char *p, size_t len,
	    const char *prefix, size_t plen);

#endif
