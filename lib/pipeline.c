/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* asprintf, strchrnul */
#include "pipeline.h"

#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "restart.h"

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
	GCC_LEAK_FP_BEGIN	/* the word it stores at w->v[w->n] */
	if ((w->v[w->n] = strndup(s, len)) == NULL)
		return -1;
	GCC_LEAK_FP_END
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

static void
stage_init(struct pipeline_stage *st)
{
	memset(st, 0, sizeof(*st));
	st->restart = -1;
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
read_word(struct cursor *c, char *buf, size_t *lenp, size_t *errline,
    int colon_ends)
{
	size_t len = 0, start;

	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n' &&
	    !(colon_ends && *c->p == ':')) {
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
		if ((e = read_word(c, buf, &len, errline, 0)) != PL_OK)
			return e;
		if (words_add(w, buf, len) == -1)
			return PL_NOMEM;
	}
}

/*
 * Reads the settings between a stage's name and its ':', each a word as
 * sh reads it; an unquoted ':' ends the last one.  PL_NOCOLON when the
 * line ends first.
 */
static enum pipeline_err
read_settings(struct cursor *c, char *buf, struct words *w, size_t *errline)
{
	enum pipeline_err e;
	size_t len;

	for (;;) {
		skip_blanks(c);
		if (c->p < c->end && *c->p == ':') {
			c->p++;
			return PL_OK;
		}
		if (c->p == c->end || *c->p == '\n' || *c->p == '#')
			return PL_NOCOLON;
		if ((e = read_word(c, buf, &len, errline, 1)) != PL_OK)
			return e;
		if (words_add(w, buf, len) == -1)
			return PL_NOMEM;
	}
}

static const struct {
	const char	*name;
	int		 sig;
} stop_signals[] = {
	{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
	{ "QUIT", SIGQUIT }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }
};

int
pipeline_signal(const char *s)
{
	size_t i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (strcmp(s, stop_signals[i].name) == 0)
			return stop_signals[i].sig;
	return 0;
}

static int
env_ok(const char *s)
{
	const char *eq = strchr(s, '=');
	const char *p;

	if (eq == NULL || eq == s)
		return 0;
	for (p = s; p < eq; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || (p > s && *p >= '0' &&
		    *p <= '9')))
			return 0;
	return 1;
}

/*
 * A from= value: nothing, or names (or "-") separated by single commas.
 */
static int
from_ok(const char *v)
{
	size_t n;

	if (*v == '\0')
		return 1;
	for (;;) {
		n = strcspn(v, ",");
		if (n == 0 || n > PIPELINE_NAME_MAX || !name_ok(v, n))
			return 0;
		if (v[n] == '\0')
			return 1;
		v += n + 1;
	}
}

/* Takes one KEY=VALUE setting for the stage, which owns the copies. */
static enum pipeline_err
take_setting(struct pipeline_stage *st,
    const char *word)
{
	const char *v = strchr(word, '=');
	enum restart_policy policy;
	struct words env;
	size_t k;

	if (v == NULL)
		return PL_SETTING;
	k = (size_t)(v++ - word);
	if (k == 7 && strncmp(word, "restart", k) == 0) {
		if (st->restart != -1)
			return PL_TWICE;
		if (restart_policy_parse(v, &policy) == -1)
			return PL_RESTART;
		st->restart = (int)policy;
	} else if (k == 4 && strncmp(word, "stop", k) == 0) {
		if (st->stopsig != 0)
			return PL_TWICE;
		if ((st->stopsig = pipeline_signal(v)) == 0)
			return PL_STOPSIG;
	} else if (k == 3 && strncmp(word, "dir", k) == 0) {
		if (st->dir != NULL)
			return PL_TWICE;
		if (*v == '\0')
			return PL_DIR;
		if ((st->dir = strdup(v)) == NULL)
			return PL_NOMEM;
	} else if (k == 3 && strncmp(word, "env", k) == 0) {
		if (!env_ok(v))
			return PL_ENV;
		env.v = st->env;
		env.n = st->nenv;
		env.cap = st->nenv + 1;
		if (words_add(&env, v, strlen(v)) == -1)
			return PL_NOMEM;
		st->env = env.v;
		st->nenv = env.n;
	} else if (k == 4 && strncmp(word, "from", k) == 0) {
		if (st->from != NULL)
			return PL_TWICE;
		/* which names exist, and whether they loop, is graph_build's */
		if (!from_ok(v))
			return PL_FROM;
		if ((st->from = strdup(v)) == NULL)
			return PL_NOMEM;
	} else
		return PL_SETTING;
	return PL_OK;
}

static void
stage_free(struct pipeline_stage *st)
{
	struct words w = { NULL, 0, 0 };

	free(st->name);
	w.v = st->argv;
	w.n = st->argc;
	words_free(&w);
	w.v = st->env;
	w.n = st->nenv;
	words_free(&w);
	free(st->dir);
	free(st->from);
	stage_init(st);
}

/* Adds *st, whose words the pipeline now owns; on error they are freed. */
static enum pipeline_err
add_stage(struct pipeline *pl, struct pipeline_stage *st)
{
	if (pl->n == PIPELINE_MAX) {
		stage_free(st);
		return PL_TOOMANY;
	}
	pl->stages[pl->n++] = *st;
	stage_init(st);
	return PL_OK;
}

static enum pipeline_err
parse_stage(struct pipeline *pl, struct cursor *c, char *buf,
    size_t *errline)
{
	struct words w = { NULL, 0, 0 }, set = { NULL, 0, 0 };
	struct pipeline_stage st;
	enum pipeline_err e;
	const char *name = c->p;
	size_t i, n, line = c->line;

	stage_init(&st);
	while (c->p < c->end && !is_blank(*c->p) && *c->p != '\n' &&
	    *c->p != ':')
		c->p++;
	n = (size_t)(c->p - name);
	*errline = line;
	if ((e = read_settings(c, buf, &set, errline)) != PL_OK)
		goto fail;
	*errline = line;
	e = n == 0 ? PL_NONAME : !name_ok(name, n) ? PL_BADNAME :
	    n > PIPELINE_NAME_MAX ? PL_LONGNAME : PL_OK;
	for (i = 0; e == PL_OK && i < pl->n; i++)
		if (strlen(pl->stages[i].name) == n &&
		    memcmp(pl->stages[i].name, name, n) == 0)
			e = PL_DUPNAME;
	for (i = 0; e == PL_OK && i < set.n; i++)
		e = take_setting(&st, set.v[i]);
	if (e != PL_OK)
		goto fail;
	if ((e = read_words(c, buf, &w, errline)) != PL_OK)
		goto fail;
	*errline = line;
	if (w.n == 0) {
		e = PL_NOCMD;
		goto fail;
	}
	if ((st.name = strndup(name, n)) == NULL) {
		e = PL_NOMEM;
		goto fail;
	}
	st.argv = w.v;
	st.argc = w.n;
	st.line = line;
	words_free(&set);
	return add_stage(pl, &st);
fail:
	words_free(&set);
	words_free(&w);
	stage_free(&st);
	return e;
}

/*
 * A file written on Windows ends its lines in CR LF: the CR is part of
 * the line end, not of the last word ("cat\r" is no program).
 */
static char *
without_crlf(const char *text, size_t *len)
{
	char *copy;
	size_t i, n = 0;

	if ((copy = malloc(*len + 1)) == NULL)
		return NULL;
	for (i = 0; i < *len; i++)
		if (!(text[i] == '\r' && (i + 1 == *len || text[i + 1] == '\n')))
			copy[n++] = text[i];
	*len = n;
	return copy;
}

static enum pipeline_err	parse_text(struct pipeline *, const char *,
				    size_t, size_t *);

enum pipeline_err
pipeline_parse(struct pipeline *pl, const char *text, size_t len,
    size_t *line)
{
	enum pipeline_err e;
	char *copy;

	if (memchr(text, '\r', len) == NULL)
		return parse_text(pl, text, len, line);
	memset(pl, 0, sizeof(*pl));
	if ((copy = without_crlf(text, &len)) == NULL)
		return PL_NOMEM;
	e = parse_text(pl, copy, len, line);
	free(copy);
	return e;
}

static enum pipeline_err
parse_text(struct pipeline *pl, const char *text, size_t len, size_t *line)
{
	struct cursor c = { text, text + len, 1 };
	enum pipeline_err e = PL_OK;
	size_t i, n;
	char *buf;

	memset(pl, 0, sizeof(*pl));
	if ((n = strnlen(text, len)) < len) {
		*line = 1;
		for (i = 0; i < n; i++)
			*line += text[i] == '\n';
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
	struct pipeline_stage st;
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
		stage_init(&st);
		st.name = name;
		st.argv = w.v;
		st.argc = w.n;
		memset(&w, 0, sizeof(w));
		if ((e = add_stage(pl, &st)) != PL_OK)
			goto fail;
	}
	return PL_OK;
fail:
	words_free(&w);
	pipeline_free(pl);
	return e;
	GCC_LEAK_FP_BEGIN	/* the names it stored in pl->stages */
}
GCC_LEAK_FP_END

void
pipeline_free(struct pipeline *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		stage_free(&pl->stages[i]);
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
	case PL_SETTING:
		return "a setting is restart=, stop=, dir=, env= or from=";
	case PL_TWICE:
		return "a setting is given twice";
	case PL_RESTART:
		return "restart= takes never, on-failure or always";
	case PL_STOPSIG:
		return "stop= takes TERM, INT, HUP, QUIT, USR1 or USR2";
	case PL_DIR:
		return "dir= takes a directory";
	case PL_ENV:
		return "env= takes NAME=VALUE";
	case PL_FROM:
		return "from= takes stage names separated by ',' (\"-\" for "
		    "the standard input), or nothing";
	}
	return "unknown error";
}

/* 0 for an executable regular file; 126 or 127 with errno, as for exec. */
static int
runnable_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? 127 : 126;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return 126;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return 126;
	}
	return access(path, X_OK) == 0 ? 0 : 126;
}

int
pipeline_runnable(const char *prog)
{
	const char *path, *p, *colon;
	char full[4096];
	size_t len;
	int r, found = 127, why = ENOENT;

	if (strchr(prog, '/') != NULL)
		return runnable_file(prog);
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path; ; p = colon + 1) {
		colon = strchrnul(p, ':');
		len = (size_t)(colon - p);
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p,
		    len > 0 ? "/" : "", prog) < (int)sizeof(full)) {
			/* as execvp, go on past one that cannot be run */
			if ((r = runnable_file(full)) == 0)
				return 0;
			if (r == 126 && found == 127) {
				found = 126;
				why = errno;
			}
		}
		if (*colon == '\0')
			break;
	}
	errno = why;
	return found;
}
