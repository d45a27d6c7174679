# Tests: every tests/tNNNN-*.sh is a target of its own (make t8300-kill runs
# one), after git's t/Makefile.  make check runs them all in parallel, the
# longest first (tests/timings), then those marked serial there (a timing
# sensitive to load; none is now) one at a time, and ends with one line
# "N passed, N failed" (tests/run --sum); each script's output is printed
# whole when it ends, with its seconds.
#   make check              the default tier: every script, at a small size
#   make check-long         the long tier (TEST_LONG=1): the full kills,
#                           faults, fuzzing and valgrind
#   TEST_JOBS=N             scripts at once (make -jN check works too); the
#                           scripts mostly wait, so twice the CPUs and more
CORPUS    = tests/corpus
TEST_OUT  = build/test
TEST_LONG =
TEST_JOBS = $$(($$(nproc) * 3))
TEST_SCRIPTS = $(wildcard tests/t[0-9]*.sh)
TEST_NAMES   = $(basename $(notdir $(TEST_SCRIPTS)))
TEST_ENV     = BIN="$(CURDIR)/bin" SANBIN="$(CURDIR)/build/san/bin" CORPUS="$(abspath $(CORPUS))"
export TEST_LONG

include mk/fuzz.mk
include mk/bench.mk

# A -j of the command line is kept; without one, TEST_JOBS.
test_jobs = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(TEST_JOBS))

# The sum is made here, not in the inner make: a failing test fails this
# recipe only, after the line "N passed, N failed".
check:
	+@rm -rf $(TEST_OUT) && $(MAKE) --no-print-directory $(test_jobs) test-scripts && \
		tests/run --sum $(TEST_OUT) $(TEST_SCRIPTS)

check-long:
	+@rm -rf $(TEST_OUT) && $(MAKE) --no-print-directory $(test_jobs) test-scripts TEST_LONG=1 && \
		tests/run --sum $(TEST_OUT) $(TEST_SCRIPTS)

# Alone (make t8300-kill), a script ends with its sum, and fails with it.
$(TEST_NAMES): deps-all bin san
	@$(TEST_ENV) tests/run --one $(TEST_OUT) tests/$@.sh
	$(if $(filter test-scripts,$(MAKECMDGOALS)),,@tests/run --sum $(TEST_OUT) tests/$@.sh)
t8000-fuzz: fuzz-build

# test-scripts: all of them, each recipe succeeding whatever its tests say
ifneq ($(filter test-scripts,$(MAKECMDGOALS)),)
TEST_PARALLEL := $(shell TEST_LONG="$(TEST_LONG)" tests/run --order parallel $(TEST_SCRIPTS))
TEST_SERIAL   := $(shell TEST_LONG="$(TEST_LONG)" tests/run --order serial $(TEST_SCRIPTS))
# test_chain A B C...: B waits for A, C for B, and so on
test_chain = $(if $(word 2,$1),$(eval $(word 2,$1): | $(word 1,$1))$(call test_chain,$(wordlist 2,$(words $1),$1)))
$(firstword $(TEST_SERIAL)): | $(TEST_PARALLEL)
$(call test_chain,$(TEST_SERIAL))

# fuzz-build first: t8000's prerequisite, built beside bin and san rather
# than when t8000's turn comes (it then ended last, minutes in)
test-scripts: fuzz-build $(TEST_PARALLEL) $(TEST_SERIAL)
endif

.PHONY: check check-long test-scripts $(TEST_NAMES)
