/* SPDX-License-Identifier: ISC */
/*
 * fd: hygiene for the standard descriptors (sluice(7), STANDARD
 * DESCRIPTORS).  The descriptions behind 0, 1 and 2 are shared with the
 * shell and with the commands after us, so O_NONBLOCK goes only on pipes,
 * FIFOs and sockets, and every way out puts the flags back as they were
 * found.
 */
#ifndef SLUICE_FD_H
#define SLUICE_FD_H

/*
 * Opens /dev/null on any of 0, 1, 2 that is closed, so that no file the
 * program opens later lands on one of them.  Returns the closed ones as
 * bits (1 << fd), 0 when all three were open, or -1.
 */
int	fd_std_open(void);

/*
 * Makes fd non-blocking if it is a pipe, FIFO or socket, remembering its
 * flags for fd_restore().  Returns 1 if it is now non-blocking, 0 if it
 * was left blocking (a terminal, a file), -1 with errno on failure.
 */
int	fd_nonblock(int fd);

/*
 * As fd_nonblock(), for a description this process opened itself (a FIFO
 * or /dev/fd/N of a pipe, which Linux opens anew): no one else shares
 * it, so there is nothing to put back, and nothing is remembered.
 */
int	fd_nonblock_own(int fd);

/*
 * Ends the part line a regular file ends in, when our writes to fd go to
 * its end (O_APPEND, or positioned there), so that our first line is not
 * glued to it: a writer killed in the middle of a write to a file (a
 * sink that pipesup restarts) can leave one there.  Returns 1 when it
 * wrote the '\n', 0 when nothing was to do or the last byte cannot be
 * read (a file we may not read), -1 with errno on failure.
 */
int	fd_end_part_line(int fd);

/* Puts back the flags of every descriptor fd_nonblock() changed. */
void	fd_restore(void);

#endif
