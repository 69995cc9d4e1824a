/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* asprintf */
#include "graph.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE	((size_t)-2)

/* A user stage's inputs, user stages or GRAPH_STDIO, in from= order. */
struct plan {
	size_t	src[PIPELINE_MAX + 1];	/* each stage once, and "-" */
	size_t	nsrc;
	size_t	readers;	/* user stages that read it */
	size_t	node, tee, merge;
	int	color;		/* the cycle search: 0 new, 1 open, 2 done */
};

static enum graph_err
fail(struct graph_why *why, enum graph_err e, size_t line, const char *fmt,
    ...) __attribute__((__format__(__printf__, 4, 5)));

static enum graph_err
fail(struct graph_why *why, enum graph_err e, size_t line, const char *fmt,
    ...)
{
	va_list ap;

	why->line = line;
	va_start(ap, fmt);
	(void)vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	return e;
}

/* The stages k reads, by index: the one before it unless from= says. */
static enum graph_err
resolve(const struct pipeline *pl, size_t k, struct plan *p,
    struct graph_why *why)
{
	const struct pipeline_stage *st = &pl->stages[k];
	const char *v = st->from;
	size_t i, j, n;

	if (v == NULL) {
		p->src[p->nsrc++] = k == 0 ? GRAPH_STDIO : k - 1;
		return GRAPH_OK;
	}
	while (*v != '\0') {
		n = strcspn(v, ",");
		if (n == 1 && *v == '-')
			j = GRAPH_STDIO;
		else {
			for (j = 0; j < pl->n; j++)
				if (strlen(pl->stages[j].name) == n &&
				    memcmp(pl->stages[j].name, v, n) == 0)
					break;
			if (j == pl->n)
				return fail(why, GRAPH_UNKNOWN, st->line,
				    "from=: no stage is named %.*s", (int)n, v);
		}
		for (i = 0; i < p->nsrc; i++)
			if (p->src[i] == j)
				return fail(why, GRAPH_TWICE, st->line,
				    "from= names %.*s twice", (int)n, v);
		/* at most one entry a stage and one for "-": no overflow */
		p->src[p->nsrc++] = j;
		v += n + (v[n] == ',');
	}
	return GRAPH_OK;
}

static int
reads(const struct plan *p, size_t j)
{
	size_t i;

	for (i = 0; i < p->nsrc; i++)
		if (p->src[i] == j)
			return 1;
	return 0;
}

/*
 * Depth first along the flow of records; an open stage met again closes
 * a cycle, which path[] holds from where it began.
 */
static enum graph_err
visit(const struct pipeline *pl, struct plan *p, size_t k, size_t *path,
    size_t depth, struct graph_why *why)
{
	enum graph_err e;
	size_t r, i, at, len;

	p[k].color = 1;
	path[depth] = k;
	for (r = 0; r < pl->n; r++) {
		if (!reads(&p[r], k))
			continue;
		if (p[r].color == 2)
			continue;
		if (p[r].color == 0) {
			if ((e = visit(pl, p, r, path, depth + 1, why)) !=
			    GRAPH_OK)
				return e;
			continue;
		}
		if (r == k)
			return fail(why, GRAPH_CYCLE, pl->stages[r].line,
			    "stage %s reads itself", pl->stages[r].name);
		for (at = 0; path[at] != r; at++)
			;
		(void)fail(why, GRAPH_CYCLE, pl->stages[r].line,
		    "stages read each other in a cycle:");
		for (i = at; i <= depth + 1; i++) {
			len = strlen(why->text);
			(void)snprintf(why->text + len, sizeof(why->text) - len,
			    "%s%s", i == at ? " " : " -> ",
			    pl->stages[i <= depth ? path[i] : r].name);
		}
		return GRAPH_CYCLE;
	}
	p[k].color = 2;
	return GRAPH_OK;
}

static enum graph_err
find_cycle(const struct pipeline *pl, struct plan *p, struct graph_why *why)
{
	size_t path[PIPELINE_MAX], k;
	enum graph_err e;

	for (k = 0; k < pl->n; k++)
		if (p[k].color == 0 &&
		    (e = visit(pl, p, k, path, 0, why)) != GRAPH_OK)
			return e;
	return GRAPH_OK;
}

static size_t
add_node(struct graph *g, enum graph_kind kind,
    const struct pipeline_stage *def, size_t key)
{
	struct graph_node *nd = &g->nodes[g->n];

	nd->kind = kind;
	nd->def = def;
	nd->key = key;
	nd->own.restart = -1;
	return g->n++;
}

/* A stage pipesup adds, named after what it serves; serves NULL: stdio. */
static enum graph_err
add_inserted(struct graph *g, enum graph_kind kind,
    const struct pipeline_stage *serves, size_t key, size_t *node,
    struct graph_why *why)
{
	struct graph_node *nd;
	const char *name;
	int r;

	if (g->n == GRAPH_NODES_MAX)
		return fail(why, GRAPH_TOOMANY, serves != NULL ? serves->line :
		    0, "with the proctee and procmerge stages it needs, the "
		    "pipeline has more than %d stages", GRAPH_NODES_MAX);
	*node = add_node(g, kind, NULL, key);
	nd = &g->nodes[*node];
	if (serves != NULL) {
		r = asprintf(&nd->own.name, "%s%s", serves->name,
		    kind == GRAPH_TEE ? GRAPH_TEE_SUFFIX : GRAPH_MERGE_SUFFIX);
		nd->own.restart = serves->restart;
		nd->own.line = serves->line;
	} else {
		name = kind == GRAPH_TEE ? GRAPH_STDIN_TEE : GRAPH_STDOUT_MERGE;
		r = (nd->own.name = strdup(name)) == NULL ? -1 : 0;
		nd->lines = kind == GRAPH_MERGE;
	}
	if (r == -1) {
		nd->own.name = NULL;
		return fail(why, GRAPH_NOMEM, 0, "%s", strerror(ENOMEM));
	}
	return GRAPH_OK;
}

static enum graph_err
add_edge(struct graph *g, size_t from, size_t to, struct graph_why *why)
{
	struct graph_node *nd;

	if (g->nedges == GRAPH_EDGES_MAX)
		return fail(why, GRAPH_EDGES, 0, "the pipeline needs more than "
		    "%zu pipes", GRAPH_EDGES_MAX);
	g->edges[g->nedges].from = from;
	g->edges[g->nedges].to = to;
	if (from != GRAPH_STDIO) {
		nd = &g->nodes[from];
		nd->out[nd->nout++] = g->nedges;
	}
	if (to != GRAPH_STDIO) {
		nd = &g->nodes[to];
		nd->in[nd->nin++] = g->nedges;
	}
	g->nedges++;
	return GRAPH_OK;
}

/* The argv of an added stage: its program and a /dev/fd/N an extra. */
static enum graph_err
inserted_argv(struct graph_node *nd, int fdbase)
{
	struct pipeline_stage *st = &nd->own;
	size_t k;

	size_t opts = nd->lines ? 1 : 0;

	nd->nextra = nd->kind == GRAPH_TEE ? nd->nout - 1 : nd->nin;
	if ((st->argv = calloc(nd->nextra + opts + 2,
	    sizeof(*st->argv))) == NULL)
		return GRAPH_NOMEM;
	st->argc = nd->nextra + opts + 1;
	if ((st->argv[0] = strdup(nd->kind == GRAPH_TEE ? GRAPH_TEE_PROG :
	    GRAPH_MERGE_PROG)) == NULL)
		return GRAPH_NOMEM;
	if (opts > 0 && (st->argv[1] = strdup("--lines")) == NULL)
		return GRAPH_NOMEM;
	for (k = 0; k < nd->nextra; k++)
		if (asprintf(&st->argv[k + opts + 1], "/dev/fd/%d", fdbase +
		    (int)k) == -1) {
			st->argv[k + opts + 1] = NULL;
			return GRAPH_NOMEM;
		}
	return GRAPH_OK;
}

/* Every name once: the user's, and those of the stages pipesup adds. */
static enum graph_err
check_names(const struct graph *g, const struct pipeline *pl,
    struct graph_why *why)
{
	const struct graph_node *a, *b;
	size_t i, j, k;

	for (i = 0; i < g->n; i++) {
		a = &g->nodes[i];
		if (a->kind == GRAPH_STAGE)
			continue;
		for (k = 0; k < pl->n; k++)
			if (strcmp(pl->stages[k].name, a->own.name) == 0)
				return fail(why, GRAPH_TAKEN,
				    pl->stages[k].line, "the stage name %s is "
				    "the one pipesup gives the %s it adds",
				    a->own.name, a->kind == GRAPH_TEE ?
				    GRAPH_TEE_PROG : GRAPH_MERGE_PROG);
		for (j = 0; j < i; j++) {
			b = &g->nodes[j];
			if (b->kind != GRAPH_STAGE &&
			    strcmp(b->own.name, a->own.name) == 0)
				return fail(why, GRAPH_TAKEN, a->own.line > 0 ?
				    a->own.line : b->own.line,
				    "pipesup would give the name %s to two "
				    "stages it adds; rename the stage",
				    a->own.name);
		}
	}
	return GRAPH_OK;
}

/* Kahn's order, the lowest key first among the stages that may go next. */
static void
sort(struct graph *g)
{
	static const struct graph_node zero;
	struct graph_node *tmp;
	size_t order[GRAPH_NODES_MAX] = { 0 }, where[GRAPH_NODES_MAX] = { 0 };
	size_t left[GRAPH_NODES_MAX] = { 0 }, i, k, e, best, n = 0;
	int done[GRAPH_NODES_MAX] = { 0 };

	for (i = 0; i < g->n; i++) {
		left[i] = 0;
		for (k = 0; k < g->nodes[i].nin; k++)
			left[i] += g->edges[g->nodes[i].in[k]].from !=
			    GRAPH_STDIO;
	}
	while (n < g->n) {
		best = NONE;
		for (i = 0; i < g->n; i++)
			if (!done[i] && left[i] == 0 && (best == NONE ||
			    g->nodes[i].key < g->nodes[best].key))
				best = i;
		if (best == NONE)
			break;	/* a cycle, which find_cycle ruled out */
		done[best] = 1;
		where[best] = n;
		order[n++] = best;
		for (k = 0; k < g->nodes[best].nout; k++)
			if ((e = g->edges[g->nodes[best].out[k]].to) !=
			    GRAPH_STDIO)
				left[e]--;
	}
	if (n < g->n || (tmp = malloc(sizeof(*tmp) * g->n)) == NULL)
		return;		/* left as built: still a valid wiring */
	for (i = 0; i < g->n; i++)
		tmp[i] = g->nodes[order[i]];
	for (i = 0; i < g->n; i++)
		g->nodes[i] = tmp[i];
	for (i = g->n; i < GRAPH_NODES_MAX; i++)
		g->nodes[i] = zero;
	free(tmp);
	for (e = 0; e < g->nedges; e++) {
		if (g->edges[e].from != GRAPH_STDIO)
			g->edges[e].from = where[g->edges[e].from];
		if (g->edges[e].to != GRAPH_STDIO)
			g->edges[e].to = where[g->edges[e].to];
	}
}

/* A line: each stage reads the one before, the first our stdin. */
static int
is_linear(const struct plan *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (p[k].nsrc != 1 ||
		    p[k].src[0] != (k == 0 ? GRAPH_STDIO : k - 1))
			return 0;
	return 1;
}

static enum graph_err
wire(struct graph *g, const struct pipeline *pl, struct plan *p,
    struct graph_why *why)
{
	size_t k, i, s, from, sinks = 0, stdin_tee = NONE, stdout_merge = NONE;
	size_t n = pl->n;
	enum graph_err e;

	for (k = 0; k < n; k++) {
		p[k].node = add_node(g, GRAPH_STAGE, &pl->stages[k], 3 * k + 2);
		p[k].tee = p[k].merge = NONE;
		sinks += p[k].readers == 0;
	}
	for (k = 0; k < n; k++) {
		if (p[k].nsrc >= 2 && (e = add_inserted(g, GRAPH_MERGE,
		    &pl->stages[k], 3 * k + 1, &p[k].merge, why)) != GRAPH_OK)
			return e;
		if (p[k].readers >= 2 && (e = add_inserted(g, GRAPH_TEE,
		    &pl->stages[k], 3 * k + 3, &p[k].tee, why)) != GRAPH_OK)
			return e;
	}
	if (p[n].readers >= 2 && (e = add_inserted(g, GRAPH_TEE, NULL, 0,
	    &stdin_tee, why)) != GRAPH_OK)
		return e;
	if (sinks >= 2 && (e = add_inserted(g, GRAPH_MERGE, NULL, 3 * n + 1,
	    &stdout_merge, why)) != GRAPH_OK)
		return e;
	if (stdin_tee != NONE &&
	    (e = add_edge(g, GRAPH_STDIO, stdin_tee, why)) != GRAPH_OK)
		return e;
	for (k = 0; k < n; k++) {
		if (p[k].tee != NONE &&
		    (e = add_edge(g, p[k].node, p[k].tee, why)) != GRAPH_OK)
			return e;
		for (i = 0; i < p[k].nsrc; i++) {
			s = p[k].src[i];
			if (s == GRAPH_STDIO)
				from = stdin_tee != NONE ? stdin_tee :
				    GRAPH_STDIO;
			else
				from = p[s].tee != NONE ? p[s].tee : p[s].node;
			if ((e = add_edge(g, from, p[k].merge != NONE ?
			    p[k].merge : p[k].node, why)) != GRAPH_OK)
				return e;
		}
		if (p[k].merge != NONE &&
		    (e = add_edge(g, p[k].merge, p[k].node, why)) != GRAPH_OK)
			return e;
		if (p[k].readers == 0 && (e = add_edge(g, p[k].node,
		    stdout_merge != NONE ? stdout_merge : GRAPH_STDIO,
		    why)) != GRAPH_OK)
			return e;
	}
	if (stdout_merge != NONE &&
	    (e = add_edge(g, stdout_merge, GRAPH_STDIO, why)) != GRAPH_OK)
		return e;
	return GRAPH_OK;
}

enum graph_err
graph_build(struct graph *g, const struct pipeline *pl, int fdbase,
    struct graph_why *why)
{
	enum graph_err e = GRAPH_OK;
	struct plan *p;
	size_t k, i;

	memset(g, 0, sizeof(*g));
	memset(why, 0, sizeof(*why));
	if (pl->n == 0 || pl->n > PIPELINE_MAX)
		return fail(why, GRAPH_TOOMANY, 0, "no stages, or too many");
	/* p[pl->n] counts the readers of our stdin */
	if ((p = calloc(pl->n + 1, sizeof(*p))) == NULL)
		return fail(why, GRAPH_NOMEM, 0, "%s", strerror(ENOMEM));
	for (k = 0; k < pl->n && e == GRAPH_OK; k++)
		e = resolve(pl, k, &p[k], why);
	for (k = 0; k < pl->n && e == GRAPH_OK; k++)
		for (i = 0; i < p[k].nsrc; i++)
			p[p[k].src[i] == GRAPH_STDIO ? pl->n : p[k].src[i]]
			    .readers++;
	if (e == GRAPH_OK)
		e = find_cycle(pl, p, why);
	if (e == GRAPH_OK)
		e = wire(g, pl, p, why);
	if (e == GRAPH_OK)
		e = check_names(g, pl, why);
	for (k = 0; k < g->n && e == GRAPH_OK; k++)
		if (g->nodes[k].kind != GRAPH_STAGE &&
		    inserted_argv(&g->nodes[k], fdbase) == GRAPH_NOMEM)
			e = fail(why, GRAPH_NOMEM, 0, "%s", strerror(ENOMEM));
	if (e == GRAPH_OK) {
		g->linear = is_linear(p, pl->n);
		sort(g);
		for (k = 0; k < g->n; k++)
			if (g->nodes[k].kind != GRAPH_STAGE)
				g->nodes[k].def = &g->nodes[k].own;
	}
	free(p);
	if (e != GRAPH_OK)
		graph_free(g);
	return e;
}

void
graph_free(struct graph *g)
{
	struct pipeline_stage *st;
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		st = &g->nodes[i].own;
		free(st->name);
		for (k = 0; st->argv != NULL && k < st->argc; k++)
			free(st->argv[k]);
		free(st->argv);
	}
	memset(g, 0, sizeof(*g));
}

int
graph_is_source(const struct graph *g, size_t i)
{
	const struct graph_node *nd = &g->nodes[i];
	size_t k;

	for (k = 0; k < nd->nin; k++)
		if (g->edges[nd->in[k]].from != GRAPH_STDIO)
			return 0;
	return 1;
}
