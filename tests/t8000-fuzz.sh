#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# The fuzz targets of tests/fuzz/ (make fuzz): they build with clang,
# libFuzzer, ASan and UBSan; each replays the inputs that once crashed it
# (tests/fuzz/regressions/TARGET/) and then fuzzes for a few seconds from
# its seeds without a crash, a sanitizer report or a broken property.
# FUZZ_SMOKE_SECONDS sets the seconds: 60 (make fuzz's) in make check-long;
# in make check, FUZZ_SMOKE_RUNS runs (5000, the seeds' included: about a
# second of the slowest target, a tenth of one of the fastest), within
# FUZZ_SMOKE_SECONDS (2): a fixed amount of work, not a time that takes
# whatever CPU it finds.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

: "${FUZZ_SMOKE_SECONDS:=$(test_size 2 60)}"
: "${FUZZ_SMOKE_RUNS=$(test_size 5000 '')}"
what=${FUZZ_SMOKE_RUNS:+$FUZZ_SMOKE_RUNS runs in at most }${FUZZ_SMOKE_SECONDS}s
fuzz=$SRC/tests/fuzz
targets=()
for f in "$fuzz"/fuzz-*.c; do
	t=${f##*/fuzz-}
	targets+=("${t%.c}")
done

test_expect_success 'ten targets, each listed in mk/fuzz.mk' '
	test ${#targets[@]} -eq 10 &&
	listed=$(sed -n "s/^FUZZ_TARGETS *= *//p" "$SRC/mk/fuzz.mk") &&
	for t in "${targets[@]}"; do
		case " $listed " in *" $t "*) ;; *) echo "$t not in FUZZ_TARGETS"; return 1 ;; esac
	done
'

test_expect_success 'the targets build (make fuzz-build)' '
	make -C "$SRC" -s fuzz-build >build.log 2>&1 || { cat build.log; return 1; } &&
	for t in "${targets[@]}"; do
		test -x "$SRC/build/fuzz/fuzz-$t" || return 1
	done
'

# fuzz_target T: replays T's regression inputs, then fuzzes it a little.
fuzz_target() {
	bin=$SRC/build/fuzz/fuzz-$1 regressions=$fuzz/regressions/$1
	if [ -d "$regressions" ]; then
		ASAN_OPTIONS=detect_leaks=0 "$bin" -detect_leaks=0 "$regressions"/* >"replay-$1.log" 2>&1 ||
			{ tail -n 40 "replay-$1.log"; return 1; }
	fi
	sh "$fuzz/run.sh" ${FUZZ_SMOKE_RUNS:+--runs "$FUZZ_SMOKE_RUNS"} "$1" "$FUZZ_SMOKE_SECONDS" \
		"$TRASH/work" >"run-$1.out" &&
	cat "run-$1.out" &&
	test_grep "^$1: [1-9][0-9]* runs in" "run-$1.out"
}

for t in "${targets[@]}"; do
	test_expect_success "fuzz-$t: regressions replayed, $what of fuzzing" "
		fuzz_target $t
	"
done

test_done
