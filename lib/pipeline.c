#define _GNU_SOURCE		/* asprintf, strchrnul */
#include "pipeline.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct words {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

static int
words_add(struct words *w, const char *s, size_t len)
{
	char **nv;

	/* one slot more than the words, for the NULL execvp wants */
	if (w->n + 2 > w->cap) {
		nv = reallocarray(w->v, w->cap ? w->cap * 2 : 8, sizeof(*nv));
		if (nv == NULL)
			return -1;
		w->v = nv;
		w->cap = w->cap ? w->cap * 2 : 8;
	}
	if ((w->v[w->n] = strndup(s, len)) == NULL)
		return -1;
	w->n++;
	w->v[w->n] = NULL;
	return 0;
}

static void
words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_.-", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

struct cursor {
	const char	*p;
	const char	*end;
	size_t		 line;
};

/*
 * Reads one word at c->p (not blank, not a newline) into buf, as sh
 * reads it with quotes and backslashes but no expansion.  A backslash
 * before a newline joins the lines, outside single quotes.
 */
static enum pipeline_err
read_word(struct cursor *c, char *buf, size_t *lenp, size_t *errline)
{
	size_t len = 0, start;

	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n') {
		switch (*c->p) {
		case '\\':
			if (c->p + 1 == c->end) {
				buf[len++] = '\\';
				c->p++;
			} else if (c->p[1] == '\n') {
				c->line++;
				c->p += 2;
			} else {
				buf[len++] = c->p[1];
				c->p += 2;
			}
			break;
		case '\'':
			start = c->line;
			for (c->p++; c->p < c->end && *c->p != '\''; c->p++) {
				if (*c->p == '\n')
					c->line++;
				buf[len++] = *c->p;
			}
			if (c->p == c->end) {
				*errline = start;
				return PL_SQUOTE;
			}
			c->p++;
			break;
		case '"':
			start = c->line;
			for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
				if (*c->p == '\\' && c->p + 1 < c->end &&
				    strchr("$`\"\\\n", c->p[1]) != NULL) {
					c->p++;
					if (*c->p == '\n') {
						c->line++;
						continue;
					}
				} else if (*c->p == '\n')
					c->line++;
				buf[len++] = *c->p;
			}
			if (c->p == c->end) {
				*errline = start;
				return PL_DQUOTE;
			}
			c->p++;
			break;
		default:
			buf[len++] = *c->p++;
		}
	}
	*lenp = len;
	return PL_OK;
}

/* Skips blanks and backslash-newlines; stops at anything else. */
static void
skip_blanks(struct cursor *c)
{
	for (;;) {
		if (c->p < c->end && is_blank(*c->p))
			c->p++;
		else if (c->end - c->p >= 2 && c->p[0] == '\\' &&
		    c->p[1] == '\n') {
			c->p += 2;
			c->line++;
		} else
			return;
	}
}

/* Reads the words of one stage, to the end of its (joined) line. */
static enum pipeline_err
read_words(struct cursor *c, char *buf, struct words *w, size_t *errline)
{
	enum pipeline_err e;
	size_t len;

	for (;;) {
		skip_blanks(c);
		if (c->p == c->end || *c->p == '\n')
			return PL_OK;
		if (*c->p == '#') {
			while (c->p < c->end && *c->p != '\n')
				c->p++;
			return PL_OK;
		}
		if ((e = read_word(c, buf, &len, errline)) != PL_OK)
			return e;
		if (words_add(w, buf, len) == -1)
			return PL_NOMEM;
	}
}

static enum pipeline_err
add_stage(struct pipeline *pl, char *name, struct words *w, size_t line)
{
	struct pipeline_stage *st;

	if (pl->n == PIPELINE_MAX) {
		free(name);
		return PL_TOOMANY;
	}
	st = &pl->stages[pl->n++];
	st->name = name;
	st->argv = w->v;
	st->argc = w->n;
	st->line = line;
	memset(w, 0, sizeof(*w));
	return PL_OK;
}

static enum pipeline_err
parse_stage(struct pipeline *pl, struct cursor *c, char *buf,
    size_t *errline)
{
	struct words w = { NULL, 0, 0 };
	enum pipeline_err e;
	const char *name = c->p;
	size_t i, n, line = c->line;
	char *dup;

	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n' &&
	    *c->p != ':')
		c->p++;
	n = (size_t)(c->p - name);
	*errline = line;
	if (c->p == c->end || *c->p != ':')
		return PL_NOCOLON;
	if (n == 0)
		return PL_NONAME;
	if (!name_ok(name, n))
		return PL_BADNAME;
	if (n > PIPELINE_NAME_MAX)
		return PL_LONGNAME;
	for (i = 0; i < pl->n; i++)
		if (strlen(pl->stages[i].name) == n &&
		    memcmp(pl->stages[i].name, name, n) == 0)
			return PL_DUPNAME;
	c->p++;
	if ((e = read_words(c, buf, &w, errline)) != PL_OK) {
		words_free(&w);
		return e;
	}
	*errline = line;
	if (w.n == 0)
		return PL_NOCMD;
	if ((dup = strndup(name, n)) == NULL) {
		words_free(&w);
		return PL_NOMEM;
	}
	if ((e = add_stage(pl, dup, &w, line)) != PL_OK)
		words_free(&w);
	return e;
}

enum pipeline_err
pipeline_parse(struct pipeline *pl, const char *text, size_t len,
    size_t *line)
{
	struct cursor c = { text, text + len, 1 };
	enum pipeline_err e = PL_OK;
	const char *nul;
	char *buf;

	memset(pl, 0, sizeof(*pl));
	if ((nul = memchr(text, '\0', len)) != NULL) {
		*line = 1;
		for (; text < nul; text++)
			*line += *text == '\n';
		return PL_NUL;
	}
	/* no word is longer than the whole text */
	if ((buf = malloc(len + 1)) == NULL)
		return PL_NOMEM;
	while (e == PL_OK) {
		skip_blanks(&c);
		if (c.p == c.end)
			break;
		if (*c.p == '#')
			while (c.p < c.end && *c.p != '\n')
				c.p++;
		else if (*c.p != '\n')
			e = parse_stage(pl, &c, buf, line);
		if (c.p < c.end && *c.p == '\n') {
			c.p++;
			c.line++;
		}
	}
	free(buf);
	if (e == PL_OK && pl->n == 0) {
		*line = 0;
		e = PL_EMPTY;
	}
	if (e != PL_OK)
		pipeline_free(pl);
	return e;
}

enum pipeline_err
pipeline_args(struct pipeline *pl, char **argv, int argc)
{
	struct words w = { NULL, 0, 0 };
	enum pipeline_err e;
	const char *base;
	size_t i, same, len;
	char *name;
	int a, first;

	memset(pl, 0, sizeof(*pl));
	if (argc == 0)
		return PL_EMPTY;
	for (first = 0; first <= argc; first = a + 1) {
		for (a = first; a < argc && strcmp(argv[a], "::") != 0; a++)
			if (words_add(&w, argv[a], strlen(argv[a])) == -1) {
				e = PL_NOMEM;
				goto fail;
			}
		if (w.n == 0) {
			e = PL_EMPTYSTAGE;
			goto fail;
		}
		base = strrchr(w.v[0], '/') ? strrchr(w.v[0], '/') + 1 :
		    w.v[0];
		if (*base == '\0')
			base = w.v[0];
		for (i = 0, same = 1; i < pl->n; i++) {
			len = strcspn(pl->stages[i].name, "#");
			if (strlen(base) == len &&
			    strncmp(pl->stages[i].name, base, len) == 0)
				same++;
		}
		if (same == 1)
			name = strdup(base);
		else if (asprintf(&name, "%s#%zu", base, same) == -1)
			name = NULL;
		if (name == NULL) {
			e = PL_NOMEM;
			goto fail;
		}
		if ((e = add_stage(pl, name, &w, 0)) != PL_OK)
			goto fail;
	}
	return PL_OK;
fail:
	words_free(&w);
	pipeline_free(pl);
	return e;
}

void
pipeline_free(struct pipeline *pl)
{
	struct words w;
	size_t i;

	for (i = 0; i < pl->n; i++) {
		free(pl->stages[i].name);
		w.v = pl->stages[i].argv;
		w.n = pl->stages[i].argc;
		words_free(&w);
	}
	pl->n = 0;
}

const char *
pipeline_strerror(enum pipeline_err e)
{
	switch (e) {
	case PL_OK:
		return "no error";
	case PL_NOMEM:
		return strerror(ENOMEM);
	case PL_NUL:
		return "a NUL byte in the file";
	case PL_SQUOTE:
		return "a single quote is not closed";
	case PL_DQUOTE:
		return "a double quote is not closed";
	case PL_NOCOLON:
		return "expected \"NAME: COMMAND ARGS...\"";
	case PL_NONAME:
		return "the stage has no name before ':'";
	case PL_BADNAME:
		return "a stage name may hold only letters, digits, '_', "
		    "'.' and '-'";
	case PL_LONGNAME:
		return "the stage name is longer than 32 characters";
	case PL_DUPNAME:
		return "the stage name is already used";
	case PL_NOCMD:
		return "the stage has no command";
	case PL_EMPTY:
		return "no stages";
	case PL_EMPTYSTAGE:
		return "an empty stage next to '::'";
	case PL_TOOMANY:
		return "more than 64 stages";
	}
	return "unknown error";
}

int
pipeline_findable(const char *prog)
{
	const char *path, *p, *colon;
	char full[4096];
	struct stat st;
	size_t len;

	if (strchr(prog, '/') != NULL)
		return stat(prog, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(prog, X_OK) == 0;
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path; ; p = colon + 1) {
		colon = strchrnul(p, ':');
		len = (size_t)(colon - p);
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p,
		    len > 0 ? "/" : "", prog) < (int)sizeof(full) &&
		    stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return 1;
		if (*colon == '\0')
			return 0;
	}
}
