/* SPDX-License-Identifier: ISC */
#include "badrec.h"

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "badin.h"
#include "prog.h"

void
badrec_init(struct badrec *b, uint64_t *count)
{
	b->path = NULL;
	b->fd = -1;
	b->error = 0;
	b->count = count;
}

void
badrec_open(struct badrec *b)
{
	if (b->path != NULL && (b->fd = badin_open(b->path)) == -1)
		err(EX_IOERR, "%s", b->path);
}

void
badrec_save(struct badrec *b, const char *p, size_t n)
{
	if (b->fd == -1 || b->error != 0)
		return;
	if (badin_save(b->fd, p, n) == -1)
		b->error = errno;
}

void
badrec_warn(struct badrec *b, const char *where, const char *p, size_t n,
    const char *why)
{
	char excerpt[BADIN_EXCERPT_MAX];

	if (++*b->count <= BADIN_SHOWN) {
		badin_excerpt(excerpt, p, n);
		warnx("%s: bad record \"%s\": %s", where, excerpt, why);
	}
}

void
badrec_line(struct badrec *b, const char *name, uint64_t lineno,
    const struct reader_line *l)
{
	char where[PATH_MAX + 32];

	if (*b->count < BADIN_SHOWN) {
		if (name != NULL)
			snprintf(where, sizeof(where), "%s:%ju", name,
			    (uintmax_t)lineno);
		else
			snprintf(where, sizeof(where), "line %ju",
			    (uintmax_t)lineno);
	} else
		where[0] = '\0';	/* counted, not shown */
	badrec_warn(b, where, l->p, l->len, rec_strerror(l->why));
	badrec_save(b, l->p, l->save);
	if (l->add_nl)
		badrec_save(b, "\n", 1);
}

void
badrec_close(struct badrec *b)
{
	if (b->fd != -1 && close(b->fd) == -1 && b->error == 0)
		b->error = errno;
	b->fd = -1;
	if (b->error != 0) {
		errno = b->error;
		err(EX_IOERR, "%s", b->path);
	}
}

void
badrec_summary(const struct badrec *b, int strict_stopped)
{
	uint64_t n = *b->count;

	if (n > BADIN_SHOWN)
		warnx("%ju bad records, the first %d shown", (uintmax_t)n,
		    BADIN_SHOWN);
	else if (n > 0 && !strict_stopped)
		warnx("%ju bad record%s", (uintmax_t)n, n == 1 ? "" : "s");
}
