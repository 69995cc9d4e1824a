/* SPDX-License-Identifier: ISC */
/*
 * fdprobe: a test helper that reports on its own descriptors.
 *   fdprobe nonblock FD   prints "nonblock" or "block"
 *   fdprobe fds           prints the open descriptors, one a line
 */
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	struct dirent *de;
	DIR *d;
	int fl;

	if (argc == 3 && strcmp(argv[1], "nonblock") == 0) {
		if ((fl = fcntl(atoi(argv[2]), F_GETFL)) == -1)
			err(1, "fcntl");
		puts(fl & O_NONBLOCK ? "nonblock" : "block");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "fds") == 0) {
		if ((d = opendir("/proc/self/fd")) == NULL)
			err(1, "/proc/self/fd");
		/* cppcheck-suppress readdirCalled ; readdir_r is deprecated */
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
				puts(de->d_name);
		closedir(d);
		return 0;
	}
	errx(64, "usage: fdprobe nonblock FD | fdprobe fds");
}
