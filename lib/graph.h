/* SPDX-License-Identifier: ISC */
/*
 * graph: what pipesup runs for a pipeline, the stages and the pipes
 * between them, from each stage's from= (sluice(7), THE SUPERVISOR).  A stage
 * read by several gets a proctee after it, a stage that reads several a
 * procmerge before it, and several stages read by nobody a procmerge
 * into pipesup's standard output: every pipe then has one writer and one
 * reader, and records never tear.  The nodes come in topological order,
 * the file's order breaking ties.  A pure module: never prints, never
 * exits; errors come back as words in the caller's struct.
 */
#ifndef SLUICE_GRAPH_H
#define SLUICE_GRAPH_H

#include <stddef.h>

#include "pipeline.h"

/* The stages, the user's and those pipesup adds, are PIPELINE_MAX at most. */
#define GRAPH_NODES_MAX	PIPELINE_MAX

/* Pipes, and our standard input and output: each pipe costs 2 descriptors. */
#define GRAPH_EDGES_MAX	((size_t)2 * PIPELINE_MAX)

/* An edge's end at pipesup's standard input (from) or output (to). */
#define GRAPH_STDIO	((size_t)-1)

/* The names pipesup gives the stages it adds, after what they serve. */
#define GRAPH_TEE_SUFFIX	".tee"
#define GRAPH_MERGE_SUFFIX	".merge"
#define GRAPH_STDIN_TEE		"stdin.tee"
#define GRAPH_STDOUT_MERGE	"stdout.merge"

/* The programs it runs for them, found on PATH as the user's are. */
#define GRAPH_TEE_PROG		"proctee"
#define GRAPH_MERGE_PROG	"procmerge"

enum graph_kind { GRAPH_STAGE, GRAPH_TEE, GRAPH_MERGE };

/* One pipe, or our stdin or stdout, from node to node. */
struct graph_edge {
	size_t	from;		/* a node, or GRAPH_STDIO: our stdin */
	size_t	to;		/* a node, or GRAPH_STDIO: our stdout */
};

struct graph_node {
	const struct pipeline_stage *def;	/* its name, command, settings */
	enum graph_kind	 kind;
	size_t		 in[GRAPH_NODES_MAX];	/* edges it reads, in order */
	size_t		 nin;			/* 0: it reads /dev/null */
	size_t		 out[GRAPH_NODES_MAX];	/* edges it writes, in order */
	size_t		 nout;
	/*
	 * A proctee writes out[0] to its stdout and out[k] to descriptor
	 * fdbase + k - 1, named /dev/fd/N in its argv; a procmerge reads
	 * in[k] from descriptor fdbase + k.  Other stages have none.
	 */
	size_t		 nextra;
	/*
	 * The procmerge into our standard output, stdout.merge: what the
	 * stages read by nobody write is anything (a sink's figures, text
	 * for people), merged as lines (procmerge --lines), not records.
	 */
	int		 lines;
	size_t		 key;		/* its place in the order, internal */
	struct pipeline_stage own;	/* def, for the stages pipesup adds */
};

struct graph {
	struct graph_node nodes[GRAPH_NODES_MAX];	/* topological order */
	size_t		  n;
	struct graph_edge edges[GRAPH_EDGES_MAX];
	size_t		  nedges;
	/* each stage reads the one before: a line, reported as ever */
	int		  linear;
};

/* What is wrong with a pipeline's from= settings, for FILE:LINE: WHY. */
struct graph_why {
	size_t	line;		/* of the stage it is about; 0: the argv */
	char	text[256];
};

enum graph_err {
	GRAPH_OK = 0,
	GRAPH_NOMEM,		/* errno is ENOMEM */
	GRAPH_UNKNOWN,		/* from= names no stage */
	GRAPH_TWICE,		/* from= names one stage twice */
	GRAPH_CYCLE,		/* stages read themselves */
	GRAPH_TAKEN,		/* a user's name is one pipesup needs */
	GRAPH_TOOMANY,		/* more than GRAPH_NODES_MAX stages */
	GRAPH_EDGES		/* more than GRAPH_EDGES_MAX edges */
};

/*
 * Builds g from pl, which must outlive it; fdbase is the first
 * descriptor a proctee's or procmerge's extra pipes get.  Returns
 * GRAPH_OK, or an error with *why filled (and g empty).  Free with
 * graph_free.
 */
enum graph_err	graph_build(struct graph *g, const struct pipeline *pl,
		    int fdbase, struct graph_why *why);

void		graph_free(struct graph *g);

/* Whether node i reads no other stage: a source, told to stop in a drain. */
int		graph_is_source(const struct graph *g, size_t i);

#endif
