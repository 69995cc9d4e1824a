/*
 * unit_pipeline: table tests of lib/pipeline.c, the word splitter of
 * pipeline files and the "::" splitter of pipesup's arguments.  Prints
 * one line per failure and exits 1 if there was any.
 */
#include <stdio.h>
#include <string.h>

#include "pipeline.h"

static int failures;

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
