/* SPDX-License-Identifier: ISC */
#include "stats.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

static struct stats_shared *shared;

void
stats_attach(void)
{
	const char *s, *p, *errstr;
	struct stat st;
	void *map;
	int fd;

	s = getenv(STATS_ENV);
	p = getenv(STATS_PID_ENV);
	unsetenv(STATS_ENV);
	unsetenv(STATS_PID_ENV);
	if (s == NULL || p == NULL)
		return;
	fd = (int)strtonum(s, 3, 1024, &errstr);
	if (errstr != NULL)
		return;
	if (strtonum(p, 1, INT_MAX, &errstr) != getpid() || errstr != NULL)
		return;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(*shared))
		return;
	map = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	shared = map;
	atomic_store_explicit(&shared->magic, STATS_MAGIC,
	    memory_order_relaxed);
}

void
stats_publish(const struct stats_counts *c)
{
	if (shared == NULL)
		return;
	atomic_store_explicit(&shared->in, c->in, memory_order_relaxed);
	atomic_store_explicit(&shared->out, c->out, memory_order_relaxed);
	atomic_store_explicit(&shared->bad, c->bad, memory_order_relaxed);
}

void
stats_publish_total(uint64_t n)
{
	if (shared != NULL)
		atomic_store_explicit(&shared->total, n, memory_order_relaxed);
}
