#include "stats.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

static struct stats_shared *shared;

void
stats_attach(void)
{
	const char *s, *errstr;
	struct stat st;
	void *p;
	int fd;

	if ((s = getenv(STATS_ENV)) == NULL)
		return;
	fd = (int)strtonum(s, 3, 1024, &errstr);
	unsetenv(STATS_ENV);
	if (errstr != NULL)
		return;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)sizeof(*shared))
		return;
	p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	shared = p;
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
