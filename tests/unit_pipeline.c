/* SPDX-License-Identifier: ISC */
/*
 * unit_pipeline: table tests of lib/pipeline.c, the word splitter of
 * pipeline files and the "::" splitter of pipesup's arguments.  Prints
 * one line per failure and exits 1 if there was any.
 */
#include <stdio.h>
#include <string.h>

#include "pipeline.h"

static int failures;

/* A stage's settings as " {restart=1 stop=2 dir=D env=A=1,B=2 from=F}". */
static size_t
settings(char *buf, size_t len, const struct pipeline_stage *st)
{
	size_t n = 0, k;

	if (st->restart == -1 && st->stopsig == 0 && st->dir == NULL &&
	    st->nenv == 0 && st->from == NULL)
		return 0;
	n += (size_t)snprintf(buf + n, len - n, " {");
	if (st->restart != -1)
		n += (size_t)snprintf(buf + n, len - n, " restart=%d",
		    st->restart);
	if (st->stopsig != 0)
		n += (size_t)snprintf(buf + n, len - n, " stop=%d",
		    st->stopsig);
	if (st->dir != NULL)
		n += (size_t)snprintf(buf + n, len - n, " dir=%s", st->dir);
	for (k = 0; k < st->nenv; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    k == 0 ? " env=" : ",", st->env[k]);
	if (st->nenv > 0 && st->env[st->nenv] != NULL)
		n += (size_t)snprintf(buf + n, len - n, " env-not-NULL-ended");
	if (st->from != NULL)
		n += (size_t)snprintf(buf + n, len - n, " from=%s", st->from);
	n += (size_t)snprintf(buf + n, len - n, " }");
	return n;
}

/*
 * want: the stages as "name@line=word|word|..." joined by newlines, or
 * "error@line" for an error.
 */
static void
check(const char *what, struct pipeline *pl, enum pipeline_err e,
    size_t line, const char *want)
{
	char got[4096];
	size_t i, j, len = 0;

	got[0] = '\0';
	if (e != PL_OK)
		snprintf(got, sizeof(got), "%s@%zu", pipeline_strerror(e),
		    line);
	for (i = 0; e == PL_OK && i < pl->n; i++) {
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s@%zu=",
		    i > 0 ? "\n" : "", pl->stages[i].name, pl->stages[i].line);
		for (j = 0; j < pl->stages[i].argc; j++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "%s%s", j > 0 ? "|" : "", pl->stages[i].argv[j]);
		len += settings(got + len, sizeof(got) - len,
		    &pl->stages[i]);
		if (pl->stages[i].argv[pl->stages[i].argc] != NULL) {
			printf("%s: argv not NULL-terminated\n", what);
			failures++;
		}
	}
	if (strcmp(got, want) != 0) {
		printf("%s:\n  got  \"%s\"\n  want \"%s\"\n", what, got, want);
		failures++;
	}
	pipeline_free(pl);
}

static void
file(const char *text, size_t len, const char *want)
{
	struct pipeline pl;
	size_t line = 0;
	enum pipeline_err e;

	e = pipeline_parse(&pl, text, len, &line);
	check(text, &pl, e, line, want);
}

#define FILE_(s, want)	file(s, sizeof(s) - 1, want)

static void
args(const char *joined, const char *want)
{
	struct pipeline pl;
	char buf[1024], *argv[64], *p;
	int argc = 0;
	enum pipeline_err e;

	strlcpy(buf, joined, sizeof(buf));
	/* cppcheck-suppress strtokCalled ; a test: one thread, one string */
	for (p = strtok(buf, " "); p != NULL; p = strtok(NULL, " "))
		argv[argc++] = p;
	e = pipeline_args(&pl, argv, argc);
	check(joined, &pl, e, 0, want);
}

int
main(void)
{
	char many[PIPELINE_MAX * 16 + 64];
	size_t i, len = 0;

	FILE_("a: x 'y z' \"w\\\"v\" p\\ q\n", "a@1=x|y z|w\"v|p q");
	FILE_("a: x", "a@1=x");
	FILE_("a:x", "a@1=x");
	FILE_("a: '' \"\" x''y", "a@1=||xy");
	FILE_("a: 'it''s' \"$HOME\" '\\n'", "a@1=its|$HOME|\\n");
	FILE_("a: \"\\$ \\` \\\\ \\x\"", "a@1=$ ` \\ \\x");
	FILE_("a: x#y '#' \\# z # gone 'really\n", "a@1=x#y|#|#|z");
	FILE_("\n# c\n  \t\nb: one \\\n  two con\\\ntinued\nc: three\n",
	    "b@4=one|two|continued\nc@7=three");
	FILE_("a: 'two\nlines' x\nb: y\n", "a@1=two\nlines|x\nb@3=y");
	FILE_("a: \"two\\\nlines\"\n", "a@1=twolines");
	FILE_("n_1.x-Y: x\n", "n_1.x-Y@1=x");
	FILE_("a: x\\", "a@1=x\\");
	/* CR LF line ends, as a file from Windows has them */
	FILE_("# c\r\na: cat\r\nb: x \\\r\n y\r\n", "a@2=cat\nb@3=x|y");
	FILE_("a: 'q\r'\r", "a@1=q\r");
	FILE_("a: x\ry\r\n", "a@1=x\ry");
	FILE_("a: x\r\n\r\n\0", "a NUL byte in the file@3");

	/* settings between the name and the ':' (SIGINT 2, SIGHUP 1) */
	FILE_("a restart=always: x", "a@1=x { restart=2 }");
	FILE_("a restart=never stop=INT:x\nb stop=SIGHUP restart=on-failure"
	    "  : y", "a@1=x { restart=0 stop=2 }\nb@2=y { restart=1 stop=1 }");
	FILE_("a dir='/tmp/a b' env=TZ=UTC env='P=/bin:/usr/bin' env=x_1=: x",
	    "a@1=x { dir=/tmp/a b env=TZ=UTC,P=/bin:/usr/bin,x_1= }");
	FILE_("a from=-: x\nb from=a: y", "a@1=x { from=- }\nb@2=y { from=a }");
	FILE_("a \\\n  restart=always: x", "a@1=x { restart=2 }");
	FILE_("a dir=\":\": x", "a@1=x { dir=: }");
	FILE_("a restart=always", "expected \"NAME: COMMAND ARGS...\"@1");
	FILE_("a restart=always # c: x", "expected \"NAME: COMMAND ARGS...\"@1");
	FILE_("a restart: x", "a setting is restart=, stop=, dir=, env= or "
	    "from=@1");
	FILE_("a colour=red: x", "a setting is restart=, stop=, dir=, env= or "
	    "from=@1");
	FILE_("a\nb restart=sometimes: x", "expected \"NAME: COMMAND "
	    "ARGS...\"@1");
	FILE_("b restart=sometimes: x", "restart= takes never, on-failure or "
	    "always@1");
	FILE_("b restart=always restart=never: x", "a setting is given "
	    "twice@1");
	FILE_("b stop=KILL: x", "stop= takes TERM, INT, HUP, QUIT, USR1 or "
	    "USR2@1");
	FILE_("b dir=: x", "dir= takes a directory@1");
	FILE_("b env=1A=x: x", "env= takes NAME=VALUE@1");
	FILE_("b env==x: x", "env= takes NAME=VALUE@1");
	FILE_("b env=A: x", "env= takes NAME=VALUE@1");
	/* from= lists: which names exist and whether they loop is lib/graph's */
	FILE_("a: x\nb from=c: y", "a@1=x\nb@2=y { from=c }");
	FILE_("a from=a,-,b.c: x", "a@1=x { from=a,-,b.c }");
	FILE_("a from=: x\nb from='': y", "a@1=x { from= }\nb@2=y { from= }");
	FILE_("a from=,b: x", "from= takes stage names separated by ',' "
	    "(\"-\" for the standard input), or nothing@1");
	FILE_("a: x\nb from=a,: y", "from= takes stage names separated by ',' "
	    "(\"-\" for the standard input), or nothing@2");
	FILE_("a from=b,,c: x", "from= takes stage names separated by ',' "
	    "(\"-\" for the standard input), or nothing@1");
	FILE_("a 'from=b c': x", "from= takes stage names separated by ',' "
	    "(\"-\" for the standard input), or nothing@1");
	FILE_("a from=abcdefghijabcdefghijabcdefghijabc: x", "from= takes stage "
	    "names separated by ',' (\"-\" for the standard input), or "
	    "nothing@1");
	FILE_("a from=b from=c: x", "a setting is given twice@1");
	FILE_("a: x\nb 'restart=always: y", "a single quote is not closed@2");
	FILE_("a env=A=1: ", "the stage has no command@1");

	FILE_("a: 'oops\n\n", "a single quote is not closed@1");
	FILE_("a: x\nb: \"oops\nmore", "a double quote is not closed@2");
	FILE_("a: x\nrandsrc --rate 5\n",
	    "expected \"NAME: COMMAND ARGS...\"@2");
	FILE_("a", "expected \"NAME: COMMAND ARGS...\"@1");
	FILE_(": x", "the stage has no name before ':'@1");
	FILE_("a'b': x", "a stage name may hold only letters, digits, '_', "
	    "'.' and '-'@1");
	FILE_("abcdefghijabcdefghijabcdefghijabc: x",
	    "the stage name is longer than 32 characters@1");
	FILE_("a: x\n\na: y", "the stage name is already used@3");
	FILE_("a: # none", "the stage has no command@1");
	FILE_("a:", "the stage has no command@1");
	FILE_("", "no stages@0");
	FILE_("# only\n\n", "no stages@0");
	FILE_("a: x\n\nb: \0y", "a NUL byte in the file@3");
	for (i = 0; i <= PIPELINE_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
		    "s%zu: x\n", i);
	file(many, len, "more than 64 stages@65");

	args("randsrc --rate 5 :: procprint",
	    "randsrc@0=randsrc|--rate|5\nprocprint@0=procprint");
	args("sh -c x :: /bin/sh :: ./sh y :: cat",
	    "sh@0=sh|-c|x\nsh#2@0=/bin/sh\nsh#3@0=./sh|y\ncat@0=cat");
	args("a", "a@0=a");
	args("", "no stages@0");
	args("a ::", "an empty stage next to '::'@0");
	args(":: a", "an empty stage next to '::'@0");
	args("a :: :: b", "an empty stage next to '::'@0");
	return failures > 0;
}
