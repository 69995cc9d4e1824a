/* SPDX-License-Identifier: ISC */
/*
 * replay: runs a libFuzzer harness (tests/fuzz_NAME.c, linked in as
 * tests/replay_NAME) once over each file given, or each file in each
 * directory given, without libFuzzer: so that `make check` replays the
 * checked-in corpus, every crash the fuzzers ever found among it, with
 * any compiler.  A harness aborts on a failed check; replay then names
 * the input.  Prints "N inputs" and exits 0 when all passed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	count;

static void
replay(const char *path)
{
	FILE *f;
	char *buf;
	long n;

	fprintf(stderr, "replay: %s\n", path);
	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) == -1 ||
	    fseek(f, 0, SEEK_SET) == -1)
		err(1, "%s", path);
	/* at least one byte, so that malloc(0) is never the question */
	if ((buf = malloc((size_t)n + 1)) == NULL)
		err(1, NULL);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		errx(1, "%s: short read", path);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)n);
	free(buf);
	count++;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL, **more, path[4096];
	size_t n = 0, i;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		err(1, "%s", dir);
	/* cppcheck-suppress readdirCalled ; readdir_r is deprecated */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((more = reallocarray(names, n + 1, sizeof(*names))) ==
		    NULL)
			err(1, NULL);
		names = more;
		GCC_LEAK_FP_BEGIN
		if ((names[n++] = strdup(de->d_name)) == NULL)
			err(1, NULL);
		GCC_LEAK_FP_END
	}
	closedir(d);
	/* in the same order every time */
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		replay(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	struct stat st;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1)
			err(1, "%s", argv[i]);
		if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay(argv[i]);
	}
	printf("%zu inputs\n", count);
	return 0;
}
