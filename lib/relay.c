/* SPDX-License-Identifier: ISC */
#include "relay.h"

#include <string.h>

void
relay_init(struct relay *r)
{
	r->len = 0;
}

char *
relay_space(struct relay *r, size_t *room)
{
	/* relay_took() never leaves the buffer full */
	*room = sizeof(r->buf) - r->len;
	return r->buf + r->len;
}

void
relay_took(struct relay *r, size_t n, relay_emit *emit, void *arg)
{
	size_t used = 0, len;
	char *nl;

	r->len += n;
	while ((nl = memchr(r->buf + used, '\n', r->len - used)) != NULL) {
		len = (size_t)(nl - (r->buf + used)) + 1;
		emit(arg, r->buf + used, len);
		used += len;
	}
	if (used == 0 && r->len == sizeof(r->buf)) {
		/* a line longer than the buffer: this much of it now */
		emit(arg, r->buf, r->len);
		used = r->len;
	}
	memmove(r->buf, r->buf + used, r->len - used);
	r->len -= used;
}

void
relay_end(struct relay *r, relay_emit *emit, void *arg)
{
	if (r->len > 0)
		emit(arg, r->buf, r->len);
	r->len = 0;
}
