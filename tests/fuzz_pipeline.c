/* SPDX-License-Identifier: ISC */
/*
 * fuzz_pipeline: libFuzzer harness for lib/pipeline.c, the pipeline-file
 * splitter, and lib/graph.c, what pipesup runs for it.  Any input either
 * fails with a known error and leaves the pipeline empty, or gives stages
 * whose names and words are well formed; then the graph either fails
 * with words and is left empty, or is a wiring pipesup can run: every
 * pipe one writer and one reader, in topological order, a proctee where
 * a stage feeds several and a procmerge where one reads several.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "pipeline.h"

/* The model of a from= value: "", or names or "-" joined by single commas. */
static int
from_ok(const char *v)
{
	size_t n;

	if (*v == '\0')
		return 1;
	for (;;) {
		n = strcspn(v, ",");
		if (n == 0 || n > PIPELINE_NAME_MAX ||
		    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_.-") < n)
			return 0;
		if (v[n] == '\0')
			return 1;
		v += n + 1;
	}
}

static void
check_graph(const struct pipeline *pl)
{
	static struct graph g;
	const struct graph_node *nd;
	const struct graph_edge *ed;
	struct graph_why why;
	size_t i, k, j, users = 0, toout = 0, fromin = 0;

	if (graph_build(&g, pl, 4, &why) != GRAPH_OK) {
		if (g.n != 0 || why.text[0] == '\0')
			abort();
		return;
	}
	if (g.n < pl->n || g.n > GRAPH_NODES_MAX ||
	    g.nedges > GRAPH_EDGES_MAX)
		abort();
	for (i = 0; i < g.n; i++) {
		nd = &g.nodes[i];
		users += nd->kind == GRAPH_STAGE;
		/*
		 * One output, save a proctee's several; one input, save a
		 * merge's.  An added stage's words: its program, --lines for
		 * the merge into our stdout alone, an operand an extra pipe.
		 */
		if (nd->nout == 0 || (nd->kind == GRAPH_TEE) != (nd->nout > 1) ||
		    (nd->kind == GRAPH_MERGE) != (nd->nin > 1) ||
		    (nd->kind != GRAPH_STAGE &&
		    nd->def->argc != nd->nextra + 1 + (size_t)nd->lines) ||
		    nd->lines != (nd->kind == GRAPH_MERGE && nd->nout == 1 &&
		    g.edges[nd->out[0]].to == GRAPH_STDIO))
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(g.nodes[j].def->name, nd->def->name) == 0)
				abort();
		for (k = 0; k < nd->nin; k++) {
			ed = &g.edges[nd->in[k]];
			/* topological order: every edge from before */
			if (ed->to != i || (ed->from != GRAPH_STDIO &&
			    ed->from >= i))
				abort();
			fromin += ed->from == GRAPH_STDIO;
		}
		for (k = 0; k < nd->nout; k++) {
			ed = &g.edges[nd->out[k]];
			if (ed->from != i)
				abort();
			toout += ed->to == GRAPH_STDIO;
		}
	}
	if (users != pl->n || toout != 1 || fromin > 1)
		abort();
	graph_free(&g);
}

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
		    (st->from != NULL && !from_ok(st->from)))
			abort();
		for (w = 0; w < st->nenv; w++)
			if (strchr(st->env[w], '=') == NULL ||
			    st->env[w][0] == '=')
				abort();
	}
	check_graph(&pl);
	pipeline_free(&pl);
	return 0;
}
