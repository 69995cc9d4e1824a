# sluice: small C programs that stream integers through Unix pipes.
# GNU make.  `make` builds bin/*, `make check` runs the tests, `make demo`
# runs the original example; both install what is missing (scripts/deps).

VERSION = 0.1.0

CC      ?= cc
CFLAGS  ?= -O2 -g -Wall -Wextra
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BATS_FLAGS ?=

# Deferred (=), so that pkg-config runs after `scripts/deps` installed it.
BSD_CFLAGS = $(shell pkg-config --cflags libbsd-overlay 2>/dev/null || \
	echo -isystem /usr/include/bsd -DLIBBSD_OVERLAY)
BSD_LIBS   = $(shell pkg-config --libs libbsd-overlay 2>/dev/null || \
	echo -lbsd)

ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DSLUICE_VERSION='"$(VERSION)"' \
	-Ilib $(BSD_CFLAGS) $(CPPFLAGS)
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

# Every build first makes sure its packages are there (scripts/deps is
# quick when they are); demo, check and bench also need the test tools.
DEPS_FOR = $(if $(filter bench,$(MAKECMDGOALS)),bench,$(if \
	$(filter demo check,$(MAKECMDGOALS)),check,build))

.DELETE_ON_ERROR:
# keep bin/*.o and tests/*.o: they are not throwaway intermediates
.SECONDARY:
.PHONY: all deps demo check bench chaos fuzz install uninstall clean

all: $(PROGS)

deps:
	@scripts/deps $(DEPS_FOR)

lib/libsluice.a: $(LIB_OBJS)
	$(AR) rcs $@ $(LIB_OBJS)

%.o: %.c | deps
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

bin/%: bin/%.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libsluice.a $(LDLIBS)

tests/%: tests/%.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< lib/libsluice.a $(LDLIBS)

tests/replay_%: tests/fuzz_%.o tests/replay.o lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

demo: all
	@scripts/demo

check: all $(TEST_BINS) $(REPLAYS)
	bats $(BATS_FLAGS) tests

bench: all
	@scripts/bench

# crash safety the long way: CHAOS_SECONDS of SIGKILLs under pipesup
chaos: all
	@scripts/chaos $(or $(CHAOS_SECONDS),30)

# libFuzzer on each harness for FUZZ_SECONDS (clang, scripts/deps fuzz)
fuzz:
	@scripts/deps fuzz
	@scripts/fuzz $(or $(FUZZ_SECONDS),60)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MANS) $(DESTDIR)$(MANDIR)/man1

uninstall:
	rm -f $(patsubst bin/%,$(DESTDIR)$(BINDIR)/%,$(PROGS))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MANS))

clean:
	rm -f $(PROGS) $(TEST_BINS) $(REPLAYS) lib/libsluice.a */*.o */*.d
	rm -rf tests/fuzz_out

-include $(wildcard */*.d)
