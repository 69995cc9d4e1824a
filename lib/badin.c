/* SPDX-License-Identifier: ISC */
#include "badin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define EXCERPT_BYTES	32

void
badin_excerpt(char *dst, const char *line, size_t n)
{
	size_t i, take = n > EXCERPT_BYTES ? EXCERPT_BYTES : n;
	char *p = dst;

	for (i = 0; i < take; i++) {
		unsigned char c = (unsigned char)line[i];

		switch (c) {
		case '"':
		case '\\':
			*p++ = '\\';
			*p++ = (char)c;
			break;
		case '\0':
			*p++ = '\\';
			*p++ = '0';
			break;
		case '\t':
			*p++ = '\\';
			*p++ = 't';
			break;
		case '\r':
			*p++ = '\\';
			*p++ = 'r';
			break;
		default:
			if (c >= 0x20 && c < 0x7f)
				*p++ = (char)c;
			else
				p += snprintf(p, 5, "\\x%02x", c);
		}
	}
	if (take < n)
		for (i = 0; i < 3; i++)
			*p++ = '.';
	*p = '\0';
}

int
badin_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

int
badin_save(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
