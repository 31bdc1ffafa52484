# Makefile -- PGXS build of the softdelete extension: the source of truth for
# build, install and installcheck (CMakeLists.txt mirrors the sources and flags).
#
#   make && sudo make install        build and install into $(PG_CONFIG)'s server
#   make installcheck                pg_regress, then isolation, then TAP (stops at the
#                                    first failing layer, as PGXS always does)
#   make installcheck-regress        one layer only; test/run_all.sh runs the three
#   make installcheck-isolation      layers separately so a failure in one does not
#   make installcheck-tap            hide the results of the others
#   make installcheck-valgrind       pg_regress with the server under valgrind memcheck
#                                    (test/valgrind.sh; minutes, not part of installcheck)
#
# Every test layer starts its own temporary server from the *installed* binaries and
# extension (PGXS has no temp install), so run `make install` first. PostgreSQL refuses
# to run as root: run the installcheck targets as an unprivileged user.

PG_CONFIG ?= pg_config

MODULE_big = softdelete
OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard src/*.cpp src/core/*.cpp)))
EXTENSION = softdelete
DATA = $(wildcard softdelete--*.sql)

# Headers are included as "core/x.hpp" (from src/) or "x.hpp" (same directory).
PG_CPPFLAGS = -I$(srcdir)/src

# -isystem marks the server headers as system headers, so -Wall -Wextra report only our
# own code. PGXS also puts -I$(includedir_server) into CPPFLAGS; GCC and Clang both drop
# a -I directory that is also given with -isystem, so the -isystem wins (checked with
# both compilers on Debian 12). PG 15 headers use `register`, an error in C++17.
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register \
	-isystem $(shell $(PG_CONFIG) --includedir-server)
# The module is linked by gcc, which does not pull in the C++ runtime by itself.
SHLIB_LINK = -lstdc++

# --- pg_regress -------------------------------------------------------------------
# Every sql/*.sql in sorted order. `:=` so that an empty list leaves the variable
# empty and PGXS's `ifdef REGRESS` skips the layer instead of running zero tests.
#
# No --load-extension: each test file runs `CREATE EXTENSION IF NOT EXISTS softdelete`
# itself, so a test can be run alone (make installcheck-regress REGRESS=name) and the
# install/uninstall behaviour stays testable.
#
# --launcher: pg_regress and pg_isolation_regress export PGTZ=PST8PDT and
# PGDATESTYLE="Postgres, MDY" to every test session, which overrides the timezone and
# datestyle of test/softdelete.conf (and PST8PDT prints as America/Los_Angeles with
# recent tzdata). The launcher prefixes each psql/isolationtester command, so the
# sessions get the same UTC / ISO settings as the server.
#
# --no-locale + UTF8: the same collation (C) and encoding on every machine, whatever
# the host's LANG, so expected output is stable and non-ASCII identifiers work.
TEST_SESSION_ENV = --launcher='env PGTZ=UTC PGDATESTYLE=ISO,YMD'
REGRESS := $(sort $(basename $(notdir $(wildcard sql/*.sql))))
# TEST_CONFIG: the temporary servers' extra settings (test/softdelete_beside_others.conf
# runs the layer with softdelete preloaded after pg_stat_statements and auto_explain).
TEST_CONFIG ?= test/softdelete.conf
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=$(TEST_CONFIG) \
	$(TEST_SESSION_ENV)
NO_LOCALE = 1
ENCODING = UTF8

# --- isolation ----------------------------------------------------------------------
# Specs in test/isolation/specs/, expected output in test/isolation/expected/ (PG 15's
# pg_isolation_regress reads both from --inputdir; this one overrides PGXS's).
ISOLATION := $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --temp-instance=./tmp_check_iso \
	--temp-config=$(TEST_CONFIG) $(TEST_SESSION_ENV)

# --- TAP ----------------------------------------------------------------------------
# Debian's Makefile.global has enable_tap_tests = yes and PROVE = /usr/bin/prove;
# PostgreSQL::Test::Cluster comes with postgresql-server-dev-15 and needs
# libipc-run-perl. Only switched on when there are test files: with an empty
# PROVE_TESTS, PGXS falls back to t/*.pl and prove fails.
PROVE_TESTS := $(sort $(wildcard test/t/*.pl))
ifneq ($(PROVE_TESTS),)
TAP_TESTS = 1
endif

EXTRA_CLEAN = $(OBJS:.o=.d) tmp_valgrind

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian builds PostgreSQL --with-llvm, so PGXS also compiles every .cpp to LLVM
# bitcode with clang-14 (for JIT inlining; postgresql-server-dev-15 depends on clang-14).
# That step uses only CPPFLAGS, not CXXFLAGS, so without this line it compiles our
# code as C++14 and sees the server headers as user headers. With with_llvm = no
# (e.g. `make with_llvm=no`) the variable is simply unused.
COMPILE.cxx.bc += $(PG_CXXFLAGS)

# Header dependencies. PGXS's own autodepend is off in Debian's build and would key
# the .Po files on the file name alone (src/x.cpp and src/core/x.cpp would collide), so
# GCC writes src/x.d next to src/x.o, naming both x.o and x.bc as targets.
COMPILE.cc += -MMD -MP -MT $@ -MT $(@:.o=.bc)
-include $(OBJS:.o=.d)

# One test layer at a time (see the top of this file). Same commands as PGXS's
# installcheck; an empty layer is a no-op.
.PHONY: installcheck-regress installcheck-isolation installcheck-tap
installcheck-regress: submake $(REGRESS_PREP)
ifdef REGRESS
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
endif

installcheck-isolation: submake $(REGRESS_PREP)
ifdef ISOLATION
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
endif

installcheck-tap: submake $(REGRESS_PREP)
ifdef TAP_TESTS
	$(prove_installcheck)
endif

# pg_regress against a server running under valgrind memcheck (test/valgrind.sh):
# every sql/*.sql, or REGRESS='name ...'. Fails if pg_regress fails or an error has a
# frame in softdelete. Slow (about 20x): not part of installcheck.
.PHONY: installcheck-valgrind
installcheck-valgrind:
	PG_CONFIG='$(PG_CONFIG)' $(srcdir)/test/valgrind.sh $(REGRESS)

# clang-format (.clang-format; Debian package clang-format): `make format` rewrites the
# C++ sources in place, `make format-check` lists the files that differ and fails.
CLANG_FORMAT ?= clang-format
FORMAT_FILES = $(sort $(wildcard $(srcdir)/src/*.cpp $(srcdir)/src/*.hpp \
	$(srcdir)/src/core/*.cpp $(srcdir)/src/core/*.hpp $(srcdir)/test/unit/*.cpp \
	$(srcdir)/test/unit/*.hpp))
.PHONY: format format-check
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@bad=0; for f in $(FORMAT_FILES); do \
		if ! $(CLANG_FORMAT) --dry-run --Werror $$f >/dev/null 2>&1; then \
			echo "not formatted: $$f (make format)"; bad=1; fi; \
	done; \
	[ $$bad -eq 0 ] && echo "format-check: $(words $(FORMAT_FILES)) files formatted"; exit $$bad
