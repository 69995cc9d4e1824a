# SPDX-License-Identifier: ISC
# sluice: small C programs that stream integers through Unix pipes.
# GNU make.  `make` builds bin/*, `make check` runs the tests, `make demo`
# runs the original example; both install what is missing (scripts/deps).
# `make NO_DEPS=1 ...` skips that step: a package build (debian/rules),
# where Build-Depends has installed everything and apt-get must not run.
# `make dist` makes sluice-VERSION.tar.gz, `make deb` the Debian package.

VERSION = 0.2.0

CC      ?= cc
CFLAGS  ?= -O2 -g -Wall -Wextra
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
BATS_FLAGS ?=
# seconds: a test that hangs fails after this long, here as in CI
BATS_TEST_TIMEOUT ?= 120

# Deferred (=), so that pkg-config runs after `scripts/deps` installed it.
BSD_CFLAGS = $(shell pkg-config --cflags libbsd-overlay 2>/dev/null || \
	echo -isystem /usr/include/bsd -DLIBBSD_OVERLAY)
BSD_LIBS   = $(shell pkg-config --libs libbsd-overlay 2>/dev/null || \
	echo -lbsd)

# terminfo, for pipesup's live view only: no other program loads it
TINFO_CFLAGS = $(shell pkg-config --cflags tinfo 2>/dev/null)
TINFO_LIBS   = $(shell pkg-config --libs tinfo 2>/dev/null || echo -ltinfo)

# hiredis, for redissink and redissrc only (lib/redis.c)
HIREDIS_CFLAGS = $(shell pkg-config --cflags-only-I hiredis 2>/dev/null || \
	echo -I/usr/include/hiredis)
HIREDIS_LIBS   = $(shell pkg-config --libs hiredis 2>/dev/null || \
	echo -lhiredis)

ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DSLUICE_VERSION='"$(VERSION)"' \
	-Ilib $(BSD_CFLAGS) $(HIREDIS_CFLAGS) $(CPPFLAGS)
# -fno-math-errno: sqrt becomes one instruction and libm need not be loaded
ALL_CFLAGS   = -std=c11 -fno-math-errno -MMD -MP $(CFLAGS)
# --as-needed: only the programs that use libm load it (smaller RSS)
LDLIBS      += -Wl,--as-needed $(BSD_LIBS) -lm

PROGS    = $(patsubst bin/%.c,bin/%,$(wildcard bin/*.c))
LIB_OBJS = $(patsubst %.c,%.o,$(wildcard lib/*.c))
TEST_BINS = $(patsubst %.c,%,$(filter-out tests/fuzz_% tests/replay.c,\
	$(wildcard tests/*.c)))
# each fuzz harness without libFuzzer, to replay its corpus in the tests
REPLAYS  = $(patsubst tests/fuzz_%.c,tests/replay_%,$(wildcard tests/fuzz_*.c))
MANS     = $(wildcard man/*.1)
MAN7S    = $(wildcard man/*.7)

# Every build first makes sure its packages are there (scripts/deps is
# quick when they are); demo, check and bench also need the test tools.
DEPS_FOR = $(if $(filter bench,$(MAKECMDGOALS)),bench,$(if \
	$(filter demo check,$(MAKECMDGOALS)),check,build))

.DELETE_ON_ERROR:
# keep bin/*.o and tests/*.o: they are not throwaway intermediates
.SECONDARY:
.PHONY: all deps demo check bench chaos soak mutate fuzz install uninstall \
	clean analyse valgrind print-flags test-programs dist deb

all: $(PROGS)

deps:
ifeq ($(NO_DEPS),)
	@scripts/deps $(DEPS_FOR)
endif

lib/libsluice.a: $(LIB_OBJS)
	$(AR) rcs $@ $(LIB_OBJS)

%.o: %.c | deps
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

lib/live.o: ALL_CPPFLAGS += $(TINFO_CFLAGS)
bin/pipesup: LDLIBS += $(TINFO_LIBS)
bin/redissink bin/redissrc tests/replay_xread: LDLIBS += $(HIREDIS_LIBS)

bin/%: bin/%.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libsluice.a $(LDLIBS)

tests/%: tests/%.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libsluice.a $(LDLIBS)

tests/replay_%: tests/fuzz_%.o tests/replay.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

demo: all
	@scripts/demo

# what the tests run besides the programs: unit tests, probes, replays
test-programs: $(TEST_BINS) $(REPLAYS)

check: all test-programs
	BATS_TEST_TIMEOUT=$(BATS_TEST_TIMEOUT) bats $(BATS_FLAGS) tests

bench: all
	@scripts/bench

# the static analysers over every C file (scripts/deps analyse installs them)
analyse:
	@scripts/deps analyse
	@scripts/analyse

# a sample of the suite under valgrind; the build must be without sanitizers
valgrind: all $(TEST_BINS)
	@scripts/deps analyse
	@scripts/valgrind

# the flags every C file is compiled with, for the analysers
print-flags:
	@echo $(ALL_CPPFLAGS) $(filter -std=%,$(ALL_CFLAGS))

# crash safety the long way: CHAOS_SECONDS of SIGKILLs under pipesup
chaos: all
	@scripts/chaos $(or $(CHAOS_SECONDS),30)

# a long run checked to the last record: SOAK_RECORDS through 12 stages
soak: all
	@scripts/soak $(or $(SOAK_RECORDS),100000000)

# do the tests fail when a feature breaks?  Each fault of tests/mutants.txt
# (or only MUTANTS="name ...") planted in a scratch copy, in turn
mutate:
	@scripts/mutate $(MUTANTS)

# libFuzzer on each harness for FUZZ_SECONDS (clang, scripts/deps fuzz)
fuzz:
	@scripts/deps fuzz
	@scripts/fuzz $(or $(FUZZ_SECONDS),60)

# The tracked files as they are now (uncommitted edits of tracked files too:
# `git stash create` makes a commit of them without touching the tree), in
# sluice-VERSION/.  It needs git: an unpacked tarball cannot make another.
dist:
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { \
		echo "make dist: not a git checkout; dist archives git's tracked files" >&2; \
		exit 1; }
	tree=$$(git stash create) && git archive --format=tar.gz \
		--prefix=sluice-$(VERSION)/ -o sluice-$(VERSION).tar.gz \
		$${tree:-HEAD}

# sluice_VERSION_ARCH.deb here, built from a copy of the tree and checked
# (scripts/package; scripts/deps package installs what it needs)
deb:
	@scripts/package .

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MANS) $(DESTDIR)$(MANDIR)/man1
	install -d $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(MAN7S) $(DESTDIR)$(MANDIR)/man7
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 completion/sluice.bash $(DESTDIR)$(COMPLETIONDIR)/sluice
	for p in $(PROGS:bin/%=%); do ln -sf sluice $(DESTDIR)$(COMPLETIONDIR)/$$p; done

uninstall:
	rm -f $(patsubst bin/%,$(DESTDIR)$(BINDIR)/%,$(PROGS))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MANS))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(MAN7S))
	rm -f $(DESTDIR)$(COMPLETIONDIR)/sluice $(PROGS:bin/%=$(DESTDIR)$(COMPLETIONDIR)/%)

clean:
	rm -f $(PROGS) $(TEST_BINS) $(REPLAYS) lib/libsluice.a */*.o */*.d
	rm -rf tests/fuzz_out

-include $(wildcard */*.d)
