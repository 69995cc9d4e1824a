/* SPDX-License-Identifier: ISC */
/*
 * unit_graph: table tests of lib/graph.c, what pipesup runs for a
 * pipeline file's from= settings.  Prints one line per failure and exits
 * 1 if there was any.
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"

static int failures;

static const char *
end_name(const struct graph *g, size_t k)
{
	return k == GRAPH_STDIO ? "-" : g->nodes[k].def->name;
}

/*
 * The graph as its nodes in order, each "name" or "name[argv...]" for a
 * stage pipesup adds, then " | " and each edge "from>to" in the order of
 * the nodes' inputs ("-" for our stdin or stdout); or "error@line: why".
 */
static void
render(char *got, size_t len, const struct graph *g)
{
	const struct graph_node *nd;
	size_t i, k, n = 0;

	for (i = 0; i < g->n; i++) {
		nd = &g->nodes[i];
		n += (size_t)snprintf(got + n, len - n, "%s%s", i > 0 ? " " :
		    "", nd->def->name);
		for (k = 0; nd->kind != GRAPH_STAGE && k < nd->def->argc; k++)
			n += (size_t)snprintf(got + n, len - n, "%s%s",
			    k == 0 ? "[" : " ", nd->def->argv[k]);
		if (nd->kind != GRAPH_STAGE)
			n += (size_t)snprintf(got + n, len - n, "]");
	}
	n += (size_t)snprintf(got + n, len - n, " |");
	for (i = 0; i < g->n; i++)
		for (k = 0; k < g->nodes[i].nin; k++)
			n += (size_t)snprintf(got + n, len - n, " %s>%s",
			    end_name(g, g->edges[g->nodes[i].in[k]].from),
			    g->nodes[i].def->name);
	for (i = 0; i < g->n; i++)
		for (k = 0; k < g->nodes[i].nout; k++)
			if (g->edges[g->nodes[i].out[k]].to == GRAPH_STDIO)
				n += (size_t)snprintf(got + n, len - n,
				    " %s>-", g->nodes[i].def->name);
	if (g->linear)
		(void)snprintf(got + n, len - n, " (line)");
}

static void
check(const char *text, const char *want)
{
	struct pipeline pl;
	struct graph g;
	struct graph_why why;
	enum graph_err e;
	char got[4096];
	size_t line;

	if (pipeline_parse(&pl, text, strlen(text), &line) != PL_OK) {
		printf("FAIL %s: does not parse\n", text);
		failures++;
		return;
	}
	if ((e = graph_build(&g, &pl, 4, &why)) != GRAPH_OK)
		snprintf(got, sizeof(got), "error@%zu: %s", why.line,
		    why.text);
	else
		render(got, sizeof(got), &g);
	if (e == GRAPH_OK && strcmp(want, "ok") == 0)
		;
	else if (strcmp(got, want) != 0) {
		printf("FAIL %s\n  want: %s\n  got:  %s\n", text, want, got);
		failures++;
	}
	graph_free(&g);
	pipeline_free(&pl);
}

int
main(void)
{
	char many[8192];
	size_t i, k, len;

	/* a line, with or without from= saying so */
	check("a: x\nb: y\nc: z", "a b c | ->a a>b b>c c>- (line)");
	check("a from=-: x\nb from=a: y", "a b | ->a a>b b>- (line)");
	check("a: x", "a | ->a a>- (line)");
	/* one source into three sinks: a proctee after it, a procmerge out */
	check("src: x\nu from=src: y\nv from=src: y\nw from=src: y",
	    "src src.tee[proctee /dev/fd/4 /dev/fd/5] u v w "
	    "stdout.merge[procmerge --lines /dev/fd/4 /dev/fd/5 /dev/fd/6] | "
	    "->src src>src.tee src.tee>u src.tee>v src.tee>w u>stdout.merge "
	    "v>stdout.merge w>stdout.merge stdout.merge>-");
	/* two sources merged into one processor */
	check("a: x\nb from=: x\nsum from=a,b: y",
	    "a b sum.merge[procmerge /dev/fd/4 /dev/fd/5] sum | ->a "
	    "a>sum.merge b>sum.merge sum.merge>sum sum>-");
	/* the order: the file's among the stages that may go next */
	check("sink from=mid: y\nmid from=src: z\nsrc from=: x",
	    "src mid sink | src>mid mid>sink sink>-");
	check("b from=: x\nc from=a,b: y\na from=: x",
	    "b a c.merge[procmerge /dev/fd/4 /dev/fd/5] c | a>c.merge "
	    "b>c.merge c.merge>c c>-");
	/* our stdin read by two: a proctee reads it */
	check("a from=-: x\nb from=-: y\nc from=a,b: z",
	    "stdin.tee[proctee /dev/fd/4] a b c.merge[procmerge /dev/fd/4 "
	    "/dev/fd/5] c | ->stdin.tee stdin.tee>a stdin.tee>b a>c.merge "
	    "b>c.merge c.merge>c c>-");
	/* a stage with nothing to read, and a merge of stdin and a stage */
	check("a from=: x", "a | a>-");
	check("a from=: x\nb from=-,a: y",
	    "a b.merge[procmerge /dev/fd/4 /dev/fd/5] b | ->b.merge "
	    "a>b.merge b.merge>b b>-");
	/* a diamond */
	check("s: x\nl from=s: y\nr from=s: y\nj from=l,r: z",
	    "s s.tee[proctee /dev/fd/4] l r j.merge[procmerge /dev/fd/4 "
	    "/dev/fd/5] j | ->s s>s.tee s.tee>l s.tee>r l>j.merge r>j.merge "
	    "j.merge>j j>-");

	/* errors, at the line of the stage whose from= is wrong */
	check("a: x\nb from=c: y", "error@2: from=: no stage is named c");
	check("a from=a: x", "error@1: stage a reads itself");
	check("a from=c: x\nb from=a: y\nc from=b: z",
	    "error@1: stages read each other in a cycle: a -> b -> c -> a");
	check("s: x\na from=s,b: x\nb from=a: y",
	    "error@2: stages read each other in a cycle: a -> b -> a");
	check("a: x\nb from=a,a: y", "error@2: from= names a twice");
	check("a: x\nb from=-,a,-: y", "error@2: from= names - twice");
	check("a: x\nb from=a: y\nc from=a: y\na.tee: z",
	    "error@4: the stage name a.tee is the one pipesup gives the "
	    "proctee it adds");
	check("a from=: x\nb from=: y\nstdout.merge from=a: z",
	    "error@3: the stage name stdout.merge is the one pipesup gives "
	    "the procmerge it adds");
	check("a from=: x\nb from=: y\nstdout from=a,b: z\nd from=: w",
	    "error@3: pipesup would give the name stdout.merge "
	    "to two stages it adds; rename the stage");

	/* 64 stages in all, with the ones pipesup adds */
	len = (size_t)snprintf(many, sizeof(many), "s0: x\n");
	for (i = 1; i < 62; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "s%zu from=s0: x\n", i);
	/* with s0.tee and stdout.merge, 64 */
	check(many, "ok");
	(void)snprintf(many + len, sizeof(many) - len, "s62 from=s0: x\n");
	check(many, "error@0: with the proctee and procmerge stages it needs, "
	    "the pipeline has more than 64 stages");

	/* 20 stages, each reading all before it: 57 stages, 209 pipes */
	len = (size_t)snprintf(many, sizeof(many), "s0: x\n");
	for (i = 1; i < 20; i++) {
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "s%zu from=s0", i);
		for (k = 1; k < i; k++)
			len += (size_t)snprintf(many + len, sizeof(many) - len,
			    ",s%zu", k);
		len += (size_t)snprintf(many + len, sizeof(many) - len, ": x\n");
	}
	check(many, "error@0: the pipeline needs more than 128 pipes");
	return failures > 0;
}
