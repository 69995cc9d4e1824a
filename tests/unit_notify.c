/* SPDX-License-Identifier: ISC */
/*
 * unit_notify: table tests of lib/notify.c (the address NOTIFY_SOCKET
 * names, the watchdog interval) and of report_brief, the STATUS= line.
 * Prints one line per failure and "N failures" at the end; exits 1 if
 * there was any.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "report.h"

#define SUN_OFF	offsetof(struct sockaddr_un, sun_path)

#define DIGITS40 "0123456789012345678901234567890123456789"
/* sun_path holds 108 bytes, the NUL that ends a path among them */
#define PATH107	"/run/" DIGITS40 DIGITS40 "0123456789012345678901"
#define PATH108	PATH107 "2"
#define NAME107	DIGITS40 DIGITS40 "012345678901234567890123456"

static const struct {
	const char	*value;
	int		 ret;
	int		 err;
	const char	*path;		/* sun_path, after a NUL for abstract */
	int		 abstract;
	socklen_t	 len;
} addrs[] = {
	{ "/run/systemd/notify", 0, 0, "/run/systemd/notify", 0,
	    SUN_OFF + 20 },
	{ "@sluice/notify", 0, 0, "sluice/notify", 1, SUN_OFF + 14 },
	{ "@", -1, EINVAL, NULL, 0, 0 },
	{ "", -1, EINVAL, NULL, 0, 0 },
	{ "run/notify", -1, EINVAL, NULL, 0, 0 },
	{ "vsock:2:1234", -1, EINVAL, NULL, 0, 0 },
	{ PATH108, -1, ENAMETOOLONG, NULL, 0, 0 },
	{ PATH107, 0, 0, PATH107, 0, SUN_OFF + 108 },
	{ "@" NAME107, 0, 0, NAME107, 1, SUN_OFF + 108 },
	{ "@" NAME107 "7", -1, ENAMETOOLONG, NULL, 0, 0 },
};

static const struct {
	const char	*usec;
	const char	*pid;
	int		 ret;
	int64_t		 every;
} dogs[] = {
	{ NULL, NULL, 0, 0 },
	{ NULL, "42", 0, 0 },
	{ "200000", NULL, 0, 100000000 },
	{ "200000", "42", 0, 100000000 },
	{ "200000", "43", 0, 0 },		/* another process's */
	{ "1", "42", 0, 500 },
	{ "30000000", "42", 0, 15000000000LL },
	{ "0", "42", -1, 0 },
	{ "-5", "42", -1, 0 },
	{ "+5", "42", -1, 0 },
	{ "5s", "42", -1, 0 },
	{ "", "42", -1, 0 },
	{ "200000", "", -1, 0 },
	{ "200000", "x", -1, 0 },
	{ "200000", "0", -1, 0 },
	{ "99999999999999999999", "42", -1, 0 },
};

static const struct report_stage three[] = {
	{ .name = "randsrc", .pid = 1, .state = "running", .up = 1,
	    .counted = 1, .out = 5000, .out_rate = 1000.2, .in_rate = 7,
	    .queued = -1 },
	{ .name = "sh", .pid = 2, .state = "running", .up = 1, .queued = 0,
	    .capacity = 65536 },
	{ .name = "procprint", .pid = 3, .state = "running", .up = 1,
	    .counted = 1, .in = 4999, .out = 4999, .queued = 0,
	    .capacity = 65536 },
};

static const struct {
	const char	*what;
	const char	*state;
	double		 rate;		/* the last stage's in_rate */
	const char	*sstate;	/* the last stage's state */
	int		 restarts;
	const char	*want;
} briefs[] = {
	{ "running", "running", 998.6, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 999/s" },
	{ "a slow stage", "running", 0.4, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 0/s" },
	{ "just under a thousand", "running", 999.49, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 999/s" },
	{ "a thousand", "running", 999.5, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 1.0k/s" },
	{ "fast", "running", 12345678, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 12.3M/s" },
	{ "not quite a million", "running", 999949, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 999.9k/s" },
	{ "a million", "running", 999950, "running", 0,
	    "running: randsrc 1.0k/s | sh - | procprint 1.0M/s" },
	{ "restarted once", "running", 10, "running", 1,
	    "running: randsrc 1.0k/s | sh - | procprint 10/s (1 restart)" },
	{ "backing off", "running", 0, "backing off", 2,
	    "running: randsrc 1.0k/s | sh - | procprint 0/s "
	    "(backing off, 2 restarts)" },
	{ "draining", "draining", 10, "stopping", 0,
	    "draining: randsrc 1.0k/s | sh - | procprint 10/s (stopping)" },
};

int
main(void)
{
	static struct report r;
	struct sockaddr_un sa;
	socklen_t len;
	int64_t every;
	char *text;
	size_t i, n;
	FILE *mem;
	int failures = 0, ret, e;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		len = 0;
		errno = 0;
		ret = notify_address(addrs[i].value, &sa, &len);
		e = errno;
		if (ret != addrs[i].ret || (ret == -1 && e != addrs[i].err)) {
			printf("address \"%s\": got %d errno %d, want %d %d\n",
			    addrs[i].value, ret, e, addrs[i].ret,
			    addrs[i].err);
			failures++;
			continue;
		}
		if (ret == -1)
			continue;
		n = strlen(addrs[i].path);
		if (sa.sun_family != AF_UNIX || len != addrs[i].len ||
		    (addrs[i].abstract ? sa.sun_path[0] != '\0' ||
		    memcmp(sa.sun_path + 1, addrs[i].path, n) != 0 :
		    memcmp(sa.sun_path, addrs[i].path, n) != 0 ||
		    (n < sizeof(sa.sun_path) && sa.sun_path[n] != '\0'))) {
			printf("address \"%s\": wrong address, length %u\n",
			    addrs[i].value, (unsigned)len);
			failures++;
		}
	}
	for (i = 0; i < sizeof(dogs) / sizeof(dogs[0]); i++) {
		every = -1;
		ret = notify_watchdog(dogs[i].usec, dogs[i].pid, 42, &every);
		if (ret != dogs[i].ret || every != dogs[i].every) {
			printf("watchdog \"%s\" pid \"%s\": got %d %lld, "
			    "want %d %lld\n", dogs[i].usec ? dogs[i].usec :
			    "(none)", dogs[i].pid ? dogs[i].pid : "(none)",
			    ret, (long long)every, dogs[i].ret,
			    (long long)dogs[i].every);
			failures++;
		}
	}
	r.n = 3;
	memcpy(r.st, three, sizeof(three));
	for (i = 0; i < sizeof(briefs) / sizeof(briefs[0]); i++) {
		r.state = briefs[i].state;
		r.st[2].in_rate = briefs[i].rate;
		r.st[2].state = briefs[i].sstate;
		r.st[2].restarts = briefs[i].restarts;
		text = NULL;
		if ((mem = open_memstream(&text, &n)) == NULL)
			return 2;
		report_brief(mem, &r);
		fclose(mem);
		if (strcmp(text, briefs[i].want) != 0) {
			printf("brief, %s: got \"%s\"\n", briefs[i].what,
			    text);
			failures++;
		}
		free(text);
	}
	printf("%d failures\n", failures);
	return failures > 0;
}
