/*
 * fuzz_pipeline: libFuzzer harness for lib/pipeline.c, the pipeline-file
 * splitter.  Any input either fails with a known error and leaves the
 * pipeline empty, or gives stages whose names and words are well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline pl;
	enum pipeline_err e;
	size_t i, line = 0, w;

	memset(&pl, 0, sizeof(pl));
	e = pipeline_parse(&pl, (const char *)data, size, &line);
	if (e != PL_OK) {
		if (pl.n != 0 || pipeline_strerror(e) == NULL)
			abort();
		return 0;
	}
	if (pl.n == 0 || pl.n > PIPELINE_MAX)
		abort();
	for (i = 0; i < pl.n; i++) {
		struct pipeline_stage *st = &pl.stages[i];

		if (strlen(st->name) == 0 ||
		    strlen(st->name) > PIPELINE_NAME_MAX || st->argc == 0 ||
		    st->argv[st->argc] != NULL)
			abort();
		for (w = 0; w < st->argc; w++)
			if (st->argv[w] == NULL)
				abort();
		/* settings: known values, env NULL-terminated and NAME=... */
		if (st->restart < -1 || st->restart > 2 ||
		    (st->dir != NULL && st->dir[0] == '\0') ||
		    (st->nenv > 0 && st->env[st->nenv] != NULL) ||
		    (st->from != NULL && (i == 0 ? strcmp(st->from, "-") :
		    strcmp(st->from, pl.stages[i - 1].name)) != 0))
			abort();
		for (w = 0; w < st->nenv; w++)
			if (strchr(st->env[w], '=') == NULL ||
			    st->env[w][0] == '=')
				abort();
	}
	pipeline_free(&pl);
	return 0;
}
