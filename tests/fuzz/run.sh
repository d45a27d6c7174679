#!/bin/sh
# tests/fuzz/run.sh [--save] [--runs N] TARGET SECONDS WORKDIR: fuzzes one
# target, build/fuzz/fuzz-TARGET, for SECONDS (with --runs, for N runs, the
# seeds' included, within SECONDS: what it costs does not hang on the
# machine's load), from the seeds of tests/fuzz/seeds.sh and the working
# corpus kept in WORKDIR/corpus/TARGET (so longer runs build on shorter
# ones).  Exit 0 when nothing was found.  A crash, a timeout or an
# out-of-memory leaves its input in WORKDIR/crashes/TARGET/; with --save it
# is also copied to tests/fuzz/regressions/TARGET/, where the tests replay
# it for good.  Prints "TARGET: N runs in S s (R/s), C new inputs" (with
# --runs, "TARGET: N runs in at most S s, C new inputs").
set -eu
save='' runs=''
[ "$1" = --save ] && { save=1; shift; }
if [ "$1" = --runs ]; then
	case $2 in '' | *[!0-9]*) echo "run.sh: --runs $2: want a number" >&2; exit 2 ;; esac
	runs=$2
	shift 2
fi
target=$1 seconds=$2 work=$3
: "${SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_BIN:=$SRC/build/fuzz}"
export SRC
bin=$FUZZ_BIN/fuzz-$target
corpus=$work/corpus/$target seeds=$work/seeds/$target crashes=$work/crashes/$target
rm -rf "$seeds"
mkdir -p "$corpus" "$crashes"
sh "$SRC/tests/fuzz/seeds.sh" "$target" "$seeds"
dict=
[ -f "$SRC/tests/fuzz/dict/$target.dict" ] && dict=-dict=$SRC/tests/fuzz/dict/$target.dict
# -detect_leaks=0: a rejected input unwinds from die() and leaks by design.
# -close_fd_mask=2: the targets' own stderr (one message per rejected
#  input) is closed; libFuzzer and the sanitizers still report.
# The memory of those inputs adds up (tag-gen's: 30 MB a second), so a long
# run is cut into runs of 20 s, each going on from the corpus, lest the
# leaks look like an out-of-memory input.
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
: >"$work/$target.log"
status=0 left=$seconds
while [ "$left" -gt 0 ] && [ "$status" -eq 0 ]; do
	chunk=$((left < 20 || ${runs:-0} > 0 ? left : 20))
	left=$((left - chunk))
	"$bin" -max_total_time="$chunk" -detect_leaks=0 -close_fd_mask=2 -timeout=10 \
		-rss_limit_mb=2560 -max_len=65536 -print_final_stats=1 ${dict:+"$dict"} ${runs:+-runs=$runs} \
		-artifact_prefix="$crashes/" "$corpus" "$seeds" >>"$work/$target.log" 2>&1 || status=$?
done
awk -v t="$target" -v s="$seconds" -v asked="$runs" '
	/stat::number_of_executed_units/ { runs += $2 }
	/stat::new_units_added/ { added += $2 }
	END {
		if (asked != "") printf "%s: %d runs in at most %d s, %d new inputs\n", t, runs, s, added
		else printf "%s: %d runs in %d s (%d/s), %d new inputs\n", t, runs, s, runs / s, added
	}
' "$work/$target.log"
if [ "$status" -ne 0 ]; then
	grep -E 'ERROR|runtime error|property does not hold|SUMMARY|Test unit written' "$work/$target.log" >&2 || :
	if [ -n "$save" ]; then
		mkdir -p "$SRC/tests/fuzz/regressions/$target"
		for f in "$crashes"/*; do
			[ -f "$f" ] && cp "$f" "$SRC/tests/fuzz/regressions/$target/" &&
				echo "$target: saved tests/fuzz/regressions/$target/$(basename "$f")" >&2
		done
	fi
	echo "$target: FAILED (log: $work/$target.log)" >&2
	exit 1
fi
