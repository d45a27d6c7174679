# Benchmark: `make bench` replays real library/rust history as daily runs of
# make publish against a real registry (builds and counted reads, set
# against the original workflow's price), times the no-op rerun and the
# filters, prints the report and writes it to BENCH.md.  Its knobs
# (BENCH_WINDOW, BENCH_MOVES, BENCH_QUIET, BENCH_RELEASES, BENCH_REPS,
# BENCH_JOBS, BENCH_PARTS: make bench BENCH_PARTS=3 times the filters
# alone and prints their section) are described in tests/bench/bench.sh; make check runs its
# short form (tests/t8600-bench-smoke.sh).
BENCH_OUT = BENCH.md

bench: bin
	@BIN="$(CURDIR)/bin" CORPUS="$(abspath $(CORPUS))" BENCH_OUT="$(abspath $(BENCH_OUT))" \
		tests/bench/bench.sh

.PHONY: bench
