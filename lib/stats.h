/* SPDX-License-Identifier: ISC */
/*
 * stats: the side channel through which a stage shows its counters to
 * pipesup.  pipesup hands each stage a shared memory file as descriptor
 * SLUICE_STATS_FD names; the stage maps it and stores its counters there,
 * so pipesup reads them at any moment without a system call on either
 * side.  Without the variable nothing is shared and nothing extra is
 * written anywhere.
 */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#define STATS_ENV	"SLUICE_STATS_FD"
#define STATS_PID_ENV	"SLUICE_STATS_PID"	/* the one process it is for */
#define STATS_MAGIC	0x736c756963650002ULL	/* "sluice", layout 2 */

struct stats_counts {
	uint64_t	in;	/* good records read */
	uint64_t	out;	/* records (or lines) written */
	uint64_t	bad;	/* bad records seen */
};

/* The shared page; pipesup reads it, the stage writes it. */
struct stats_shared {
	_Atomic uint64_t	magic;
	_Atomic uint64_t	in;
	_Atomic uint64_t	out;
	_Atomic uint64_t	bad;
	_Atomic uint64_t	total;	/* a source's --count; 0: none */
};

/*
 * Maps the page named by SLUICE_STATS_FD, if any, closes that descriptor
 * and removes the variables so that the stage's own children do not
 * inherit them.  The page is the stage's that pipesup started, the pid
 * SLUICE_STATS_PID names: a sluice program that a stage (a shell, a
 * wrapper) starts in turn leaves the page and the descriptor alone.
 * Quietly does nothing when a variable is absent or wrong, or when the
 * descriptor is not a regular file large enough.
 */
void	stats_attach(void);

/* Makes c visible to pipesup; cheap enough for every loop turn. */
void	stats_publish(const struct stats_counts *c);

/* A source that will make n records says so, for the share done. */
void	stats_publish_total(uint64_t n);

#endif
