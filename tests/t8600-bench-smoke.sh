#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The short form of `make bench`'s replay (tests/bench/lib-bench.sh): the
# schedule of daily runs, then library/rust revisions 128 and 129 with a
# quiet day after each, against a real registry.  129 moves the aliases of
# two groups that 128 built, so the targets are met for real: no GET on a
# day where nothing changed, one GET per group moved without a build.  The
# groups are built for one platform in make check, for two (make bench's)
# in make check-long: our counts are the same, the workflow's reads are
# 2 + 1 a platform per group and run.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"
# shellcheck source=bench/lib-bench.sh
. "$SRC/tests/bench/lib-bench.sh"

# col RUN NAME: the replay's value of column NAME on run RUN
col() {
	bench_awk 'c["run"] == run { print c[name] }' replay.tsv -v run="$1" -v name="$2"
}

# set_col NAME RUN=VALUE...: replay.tsv with column NAME of those runs changed
set_col() {
	name=$1
	shift
	head -n 1 replay.tsv
	bench_awk '
		BEGIN { n = split(sets, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] } }
		{ for (i = 1; i <= NF; i++) if (col[i] == name && (c["run"] in v)) $i = v[c["run"]]; print }' \
		replay.tsv -v OFS="$BENCH_TAB" -v name="$name" -v sets="$*"
}

test_expect_success 'the schedule: a run a calendar day, a release on the middle quiet day' '
	bench_schedule 001 004 all 1 >sched &&
	printf "%s\n" "2017-08-04 001 revision -" "2017-08-05 001 quiet -" \
		"2017-08-06 001 quiet -" "2017-08-07 002 revision -" \
		"2017-08-08 002 release v0.1.78" "2017-08-09 003 revision -" \
		"2017-08-10 003 quiet -" "2017-08-11 004 revision -" >expect &&
	tr "\t" " " <sched >actual &&
	test_cmp expect actual &&
	bench_schedule 128 129 1 0 | cut -f1-3 | tr "\t" " " >actual &&
	printf "%s\n" "2025-08-08 128 revision" "2025-08-09 128 quiet" \
		"2025-08-19 129 revision" "2025-08-20 129 quiet" >expect &&
	test_cmp expect actual
'

small_platforms
# the workflow's reads a run (9 groups), in the 4 runs, and / our 11
WF_READS=$(test_size 36 45) WF_TOTAL=$(test_size 144 180) WF_RATIO=$(test_size 13.1 16.4)
export WF_READS WF_TOTAL WF_RATIO
pipeline_setup
test_expect_success 'the replay of 128 and 129 meets the targets' '
	bench_schedule 128 129 1 0 >sched &&
	bench_replay sched replay.tsv &&
	test "$(wc -l <replay.tsv)" = 5 &&
	bench_targets replay.tsv 1 >targets &&
	test_grep "^PASS zero GETs on each of the 2 runs where nothing changed \(0 runs over; 0 sent" targets &&
	test_grep "^PASS at most one GET per group whose aliases moved without a build \(2 GETs for 2 such groups" targets
'

test_expect_success 'the counts are the registry log of each run' '
	test "$(col 1 builds)" = 9 && test "$(col 1 check)" = 9 && test "$(col 1 get)" = 0 &&
	test "$(col 1 pull)" -ge 9 && test "$(col 1 plan)" = new &&
	test "$(col 2 plan)" = same && test "$(col 2 requests)" = 0 &&
	test "$(col 3 builds)" = 0 && test "$(col 3 moved)" = 2 && test "$(col 3 get)" = 2 &&
	test "$(col 3 check)" = 0 && test "$(col 3 pull)" = 0 && test "$(col 3 head)" -gt 0 &&
	test "$(col 4 requests)" = 0 &&
	tags_at_canonical
'

test_expect_success 'the workflow is priced from each day'"'"'s plan' '
	test "$(col 1 groups)" = 9 &&
	test "$(col 1 wf_reads)" = "$WF_READS" && test "$(col 4 wf_reads)" = "$WF_READS" &&
	bench_totals replay.tsv >totals &&
	test_grep "^ours: 11 counted reads = 2 GETs to move aliases \+ 9 base freshness GETs" totals &&
	test_grep "^workflow .*: $WF_TOTAL counted reads .* 36 builds" totals &&
	test_grep "^counted reads, workflow / ours: ${WF_RATIO/./\\.};" totals
'

test_expect_success 'the targets can fail: a GET on a quiet day, a second GET for one group, too few fewer reads' '
	set_col get 2=1 3=3 >bad &&
	test_status 1 bench_targets bad >targets &&
	test_grep "^FAIL zero GETs .* \(1 runs over" targets &&
	test_grep "^FAIL at most one GET per group .* \(4 GETs for 2 such groups; 2 runs over\)" targets &&
	test_grep "^FAIL at least 50x fewer" targets
'

test_expect_success 'the table folds nothing here and sums every column' '
	bench_table replay.tsv >table &&
	test "$(grep -c "^| [0-9]" table)" = 4 &&
	test_grep "^\| 3 \| 2025-08-19 \| 129 \| revision \| new \| 9 \| 0 \| [0-9]+ \| 2 \|" table &&
	test_grep "^\| \*\*total\*\* \| \| \| \| \| \| \*\*9\*\* \|" table
'

# (this script is t0000's, with every tests/*.sh)
test_expect_success 'the bench scripts are shellcheck-clean' '
	(cd "$SRC/tests" && shellcheck -x -s bash bench/*.sh)
'

test_done
