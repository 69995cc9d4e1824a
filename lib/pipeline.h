/* SPDX-License-Identifier: ISC */
/*
 * pipeline: the list of stages pipesup runs, from its arguments (stages
 * separated by a lone "::") or from a pipeline file (one "NAME: COMMAND
 * ARGS..." a line, words split as sh splits them, nothing expanded).
 * Returns errors as codes for the caller to put into words; never prints.
 */
#ifndef SLUICE_PIPELINE_H
#define SLUICE_PIPELINE_H

#include <stddef.h>

/* More stages than this is surely a mistake, and each costs descriptors. */
#define PIPELINE_MAX	64

/* The longest stage name, not counting the NUL. */
#define PIPELINE_NAME_MAX	32

enum pipeline_err {
	PL_OK = 0,
	PL_NOMEM,	/* errno is ENOMEM */
	PL_NUL,		/* a NUL byte in the file */
	PL_SQUOTE,	/* a single quote is not closed */
	PL_DQUOTE,	/* a double quote is not closed */
	PL_NOCOLON,	/* no "NAME:" at the start of the line */
	PL_NONAME,	/* ":" with no name before it */
	PL_BADNAME,	/* a name with a character outside [A-Za-z0-9_.-] */
	PL_LONGNAME,	/* a name longer than PIPELINE_NAME_MAX */
	PL_DUPNAME,	/* a name used by an earlier stage */
	PL_NOCMD,	/* a name and no command */
	PL_EMPTY,	/* no stages at all */
	PL_EMPTYSTAGE,	/* "::" with nothing on one side */
	PL_TOOMANY,	/* more than PIPELINE_MAX stages */
	PL_SETTING,	/* not KEY=VALUE with a known KEY */
	PL_TWICE,	/* a setting other than env= given twice */
	PL_RESTART,	/* restart= not never, on-failure or always */
	PL_STOPSIG,	/* stop= not a signal name we allow */
	PL_DIR,		/* dir= empty */
	PL_ENV,		/* env= not NAME=VALUE */
	PL_FROM		/* from= not names separated by ',' */
};

struct pipeline_stage {
	char	 *name;
	char	**argv;		/* NULL-terminated */
	size_t	  argc;
	size_t	  line;		/* in the file; 0 for the argument form */

	/* its settings, from the file only; unset as noted */
	int	  restart;	/* an enum restart_policy; -1: pipesup's -r */
	int	  stopsig;	/* told to stop with it; 0: SIGTERM */
	char	 *dir;		/* its working directory; NULL: pipesup's */
	char	**env;		/* "NAME=VALUE" words, NULL-terminated */
	size_t	  nenv;
	char	 *from;		/* the stages it reads, "a,b" ("-": our
				   stdin; "": none); NULL: the one before */
};

struct pipeline {
	struct pipeline_stage	stages[PIPELINE_MAX];
	size_t			n;
};

/*
 * Parses the len bytes of a pipeline file at text.  Returns PL_OK and
 * fills pl, or an error and sets *line to the line it is on (0 when it
 * is about the whole file); pl is then empty.  Free with pipeline_free.
 */
enum pipeline_err	pipeline_parse(struct pipeline *pl, const char *text,
			    size_t len, size_t *line);

/*
 * Builds the stages from argv[0..argc-1], split at each lone "::"; each
 * is named after the basename of its program, a repeat with "#2", "#3".
 * The words are copied.  Returns PL_OK, PL_EMPTY, PL_EMPTYSTAGE,
 * PL_TOOMANY or PL_NOMEM.
 */
enum pipeline_err	pipeline_args(struct pipeline *pl, char **argv,
			    int argc);

void			pipeline_free(struct pipeline *pl);

/*
 * Whether execvp(3) would run prog, a path or a name in $PATH
 * (/bin:/usr/bin without one): 0 when it finds an executable regular
 * file; else the status a shell gives, 127 when it finds none and 126
 * when it finds only one it cannot execute, with errno set to say why.
 * pipesup asks before anything starts, so that a typo costs nothing.
 */
int			pipeline_runnable(const char *prog);

/* SIGTERM for "TERM" or "SIGTERM", and so on for stop=; 0 if not one. */
int			pipeline_signal(const char *);

/* The words for an error ("a single quote is not closed"). */
const char		*pipeline_strerror(enum pipeline_err);

#endif
