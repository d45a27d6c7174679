#!/bin/bash
# tests/bench/bench.sh: `make bench`.  Measures, in one run, on this machine:
#  1. reads and builds over real history: a replay of library/rust revisions
#     of the corpus as daily runs of `make publish` against a real registry
#     (stand-in bases, BUILDER=buildah, two platforms), counted from the
#     registry's access log and set against the original workflow's price
#     for the same runs (tests/bench/lib-bench.sh says what is counted);
#  2. the no-op rerun: `make publish` with everything done, against one
#     image-probe of every canonical image of the plan;
#  3. filter speed: rust-groups | arch-filter | tag-gen over every revision
#     of the corpus, against as many cat processes over the same files; and
#     each filter alone, against one cat a file;
#  4. pushing a build: the requests per build of each push pattern of
#     mk/build-push.sh (BUILDAH_PUSH=each, the default; once).
# Prints the report (markdown) and writes it to $BENCH_OUT when set.  Exit 1
# when a target of part 1 fails (the report is written all the same).
#
# Knobs (environment):
#   BENCH_WINDOW    revisions replayed, FIRST-LAST (default 001-020)
#   BENCH_MOVES     a second stretch, FIRST-LAST (default 128-129: the one
#                   place in the corpus where aliases move to groups that
#                   already exist, so without a build); empty: none
#   BENCH_QUIET     quiet runs between revisions: all (one a calendar day,
#                   default) or N after each revision
#   BENCH_RELEASES  new cargo-chef versions released along the window (3)
#   BENCH_MIRROR    1 (default): part 1 replays the same runs again with a
#                   mirror (MIRRORS) and compares; empty: not
#   BENCH_REPS      repetitions of each timing (11)
#   BENCH_JOBS      make -j of each publish (default: the number of CPUs)
#   BENCH_OUT       the file to write (BENCH.md); empty: print only
#   BENCH_PARTS     the parts to run (default "1 2 3 4"); "3" times the
#                   filters alone, in seconds: its report is the section to
#                   put in place of BENCH.md's part 3 (it says it ran alone)
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
export SRC
: "${BENCH_WINDOW:=001-020}" "${BENCH_MOVES=128-129}" "${BENCH_QUIET:=all}"
: "${BENCH_RELEASES:=3}" "${BENCH_REPS:=11}" "${BENCH_JOBS:=$(nproc)}" "${BENCH_OUT:=}"
: "${BENCH_PARTS:=1 2 3 4}" "${BENCH_MIRROR=1}"
# has N: whether BENCH_PARTS holds part N; whole: all four
has() {
	case " $BENCH_PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}
whole=
has 1 && has 2 && has 3 && has 4 && whole=1
export BENCH_JOBS
# the registry must outlive the whole replay
FIXTURE_LIFETIME=${FIXTURE_LIFETIME:-7200}
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
# shellcheck source=../lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"
# shellcheck source=lib-bench.sh
. "$SRC/tests/bench/lib-bench.sh"

fail() {
	echo "bench: $*; the work directory is kept: $TRASH" >&2
	exit 1
}
say() {
	echo "bench: $*" >&2
}
# range FIRST-LAST: "FIRST LAST", each checked to be a revision number
range() {
	case $1 in
	[0-9][0-9][0-9]-[0-9][0-9][0-9]) echo "${1%-*} ${1#*-}" ;;
	*) fail "want a range of revisions NNN-NNN, not '$1'" ;;
	esac
}
# ms FILE: the median of FILE's timings, for a ratio
median() {
	bench_stats "$1" | cut -d' ' -f1
}
div() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'
}
# stats_row LABEL FILE: a table row: median, IQR, min-max (ms)
stats_row() {
	bench_stats "$2" | {
		read -r med q1 q3 lo hi
		echo "| $1 | $med | $q1-$q3 | $lo-$hi |"
	}
}

# Each part writes its own section (part 3 runs before part 2, which quotes
# it); out appends to the current one, $report.
out() {
	printf '%s\n' "$@" >>"$report"
}
section() {
	report=$TRASH/$1.md
	: >"$report"
}

machine() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	os=$(. /etc/os-release && echo "$PRETTY_NAME")
	out "## Machine" "" "| | |" "|---|---|" \
		"| date | $(date -u '+%Y-%m-%d %H:%M UTC') |" \
		"| CPUs | $(nproc) x $cpu |" \
		"| memory | $mem |" \
		"| OS | $os, Linux $(uname -r) |" \
		"| compiler | $(cc --version | head -n 1) |" \
		"| tools | $(make --version | head -n 1), bash $BASH_VERSION, $(jq --version), $(git --version | sed 's/ version//'), $(buildah --version | sed 's/ version//; s/ (.*//'), docker-registry $(docker-registry --version 2>&1 | awk '{ print $NF }') |" \
		"| load average at the start | $(cut -d' ' -f1-3 /proc/loadavg) |"
}

# --- 1. reads and builds over real history -----------------------------------
replay() {
	read -r first last <<<"$(range "$BENCH_WINDOW")"
	pipeline_setup || fail "cannot set up the registry"
	bench_schedule "$first" "$last" "$BENCH_QUIET" "$BENCH_RELEASES" >schedule ||
		fail "no schedule"
	window_runs=$(wc -l <schedule)
	if [ -n "$BENCH_MOVES" ]; then
		read -r mfirst mlast <<<"$(range "$BENCH_MOVES")"
		bench_schedule "$mfirst" "$mlast" "$BENCH_QUIET" 0 >>schedule || fail "no schedule"
	fi
	say "part 1: replaying $(wc -l <schedule) daily runs of make publish (-j$BENCH_JOBS)"
	t0=$EPOCHREALTIME
	bench_replay schedule replay.tsv || fail "the replay failed"
	seconds=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	# the rows, and the logs of any run that sent a request with nothing
	# changed, are kept for a look
	mkdir -p "$SRC/build/bench"
	cp replay.tsv "$SRC/build/bench/replay.tsv"
	bench_awk 'c["plan"] == "same" && c["requests"] > 0 { print c["run"] }' replay.tsv |
		while read -r run; do
			cp "bench-logs/$run.log" "$SRC/build/bench/run-$run.log"
			say "run $run sent requests with nothing changed: see build/bench/run-$run.log"
		done

	out "## 1. Reads and builds over real history" ""
	out "Revisions $BENCH_WINDOW of library/rust (the corpus), replayed as daily runs of" \
		"\`make publish\`: one run on the day of each revision, and one a day in between" \
		"(quiet days: the same revision again; the original workflow ran nightly); $BENCH_RELEASES new cargo-chef" \
		"versions released on days where nothing else changed (v0.1.78 on; v0.1.77 at the" \
		"start).${BENCH_MOVES:+ Then revisions $BENCH_MOVES the same way, on the same registry and state: the one place in the corpus where aliases move to groups that already exist.}" \
		"PLATFORMS=$PLATFORMS, BUILDER=buildah, make -j$BENCH_JOBS, a real registry" \
		"(docker-registry) on loopback; before each day's run, the stand-in bases of that" \
		"day's revision are pushed (annotated with their commit, as Docker Hub would have" \
		"rebuilt them). Every count is from the registry's access log for that run alone." \
		"The whole replay took ${seconds} s. The ratios are over all the runs: a quiet day" \
		"costs the pipeline nothing and the workflow its full price." ""
	out "Columns: HEAD, GET, PUT: manifest requests to the target repository (GET =" \
		"image-alias reading a canonical image to move aliases); base check GET: the" \
		"pipeline's freshness check of the base (one GET of \`rust:<tag>\`'s index per" \
		"group built); base pull GET: buildah pulling that base (by digest) to build;" \
		"all requests: everything the run sent, blobs included. plan: \`same\` when the" \
		"day's plan is the previous day's (nothing changed for the pipeline)." \
		"Quiet days after a revision are folded into one row (sums)." ""
	out "The workflow's price for the same days and plans: per group and run one" \
		"\`docker manifest inspect\` (1 GET) and one \`docker buildx imagetools create\`" \
		"(2 + 1 GET per child manifest; children = the group's platforms, no attestation" \
		"manifests counted, so this is a lower bound), and one build per group per run" \
		"(its existence check always failed: every group was rebuilt every night), each" \
		"build pulling as many base manifests as ours did on average." ""
	bench_table replay.tsv >>"$report"
	if [ -n "$BENCH_MOVES" ]; then
		head -n $((window_runs + 1)) replay.tsv >window.tsv
		{ head -n 1 replay.tsv && tail -n +$((window_runs + 2)) replay.tsv; } >moves.tsv
		out "" "Revisions $BENCH_WINDOW:" ""
		bench_totals window.tsv | sed 's/^/- /' >>"$report"
		out "" "Revisions $BENCH_MOVES:" ""
		bench_totals moves.tsv | sed 's/^/- /' >>"$report"
	fi
	out "" "The whole replay:" ""
	bench_totals replay.tsv | sed 's/^/- /' >>"$report"
	out "" "Targets, over the whole replay:" ""
	bench_targets replay.tsv >targets
	targets_status=$?
	sed 's/^/- /' targets >>"$report"
	out ""
	[ -z "$BENCH_MIRROR" ] || mirrored
}

# The same runs with a mirror: IMAGE's builds and counted reads must be the
# unmirrored replay's (the one build pushes to the mirror too), the
# mirror's requests are counted apart.
mirrored() {
	say "part 1: the same $(wc -l <schedule) runs again, with a mirror (MIRRORS)"
	t0=$EPOCHREALTIME
	counts=$(bench_mirrored schedule mirrored.tsv) || fail "the mirrored replay failed"
	seconds=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	read -r mirror_head mirror_get mirror_put mirror_all <<<"$counts"
	out "### The same runs, with a mirror" ""
	out "The same schedule again, \`make publish\` with \`MIRRORS\` naming a second registry" \
		"on loopback, on a registry, a mirror and a state of their own (${seconds} s). IMAGE's" \
		"columns are summed over the runs as above; the mirror's are counted from its own log." ""
	out "| replay | builds | GETs to move aliases | base check GETs | base pull GETs | manifest HEADs | all requests to IMAGE's registry |" \
		"|---|--:|--:|--:|--:|--:|--:|"
	bench_mirror_rows replay.tsv "without a mirror" >>"$report"
	bench_mirror_rows mirrored.tsv "with a mirror" >>"$report"
	out "" "On the mirror, over the whole replay: $mirror_head manifest HEADs, $mirror_get manifest" \
		"GETs (image-alias reading the mirror's own copy), $mirror_put manifest PUTs; $mirror_all requests in all." ""
	bench_awk "$BENCH_SUMS"' END { print s["builds"], s["get"] + s["check"], s["pull"] }' replay.tsv >plain.sums
	bench_awk "$BENCH_SUMS"' END { print s["builds"], s["get"] + s["check"], s["pull"] }' mirrored.tsv >mirrored.sums
	read -r b0 r0 p0 <plain.sums
	read -r b1 r1 p1 <mirrored.sums
	if [ "$b0 $r0 $p0" = "$b1 $r1 $p1" ]; then
		out "- PASS with a mirror, IMAGE's builds ($b1) and counted reads ($r1, and $p1 base pulls) are those without"
	else
		out "- FAIL with a mirror, IMAGE's builds and counted reads are $b1, $r1 ($p1 base pulls); without, $b0, $r0 ($p0)"
		targets_status=1
	fi
	out ""
}

# --- 2. the no-op rerun ------------------------------------------------------
noop_publish() {
	pub publish
}
probe_canonicals() {
	image-probe <"$TRASH/canonicals"
}
# processes: how many processes a no-op publish starts (strace; not counting
# the shell that starts make), or nothing without strace
processes() {
	command -v strace >/dev/null || return 0
	export -f pub
	strace -f -qq -e trace=execve -o execs bash -c 'pub publish' >/dev/null 2>&1 &&
		echo $(($(grep -c ') = 0$' execs) - 1))
}
noop() {
	jq -r .canonical "$STATE/plan.jsonl" >canonicals
	groups=$(wc -l <canonicals)
	registry_mark
	noop_publish >/dev/null 2>&1 || fail "the no-op make publish failed"
	requests=$(registry_count_since '*')
	procs=$(processes)
	say "part 2: no-op make publish against image-probe of $groups canonical images, $BENCH_REPS times"
	bench_time "$BENCH_REPS" timings noop_publish probe_canonicals || fail "timing failed"
	a=$(median timings/noop_publish) b=$(median timings/probe_canonicals)
	out "## 2. No-op rerun" ""
	out "\`make publish\` when everything is already done (the last state of part 1:" \
		"$groups groups, local registry), against one \`image-probe\` (HEAD) of the" \
		"$groups canonical images of that plan; $BENCH_REPS runs of each, in turn." \
		"The no-op publish sent $requests requests to the registry." ""
	out "| ms | median | IQR | min-max |" "|---|--:|--:|--:|"
	{
		stats_row "no-op \`make publish\`" timings/noop_publish
		stats_row "\`image-probe\` of $groups canonical images" timings/probe_canonicals
	} >>"$report"
	out "" "No-op publish / probe: **$(div "$a" "$b")x**; the pipeline's own time for" \
		"a run with nothing to do: **$a ms** (the probe, $b ms, is what one run that" \
		"checks the registry instead of its stamps would spend at least)."
	if [ -n "$procs" ] && [ -s timings/cat1 ]; then
		# one process's cost: part 3's cat of one file
		spawn=$(div "$(median timings/cat1)" "$files")
		out "Where it goes: the no-op publish starts $procs processes (two makes, the" \
			"stage scripts and their tools; counted with strace -f); at about $spawn ms a" \
			"process on this machine (part 3: \`cat\` of one file), starting them is about" \
			"$(awk -v n="$procs" -v c="$spawn" 'BEGIN { printf "%.0f", n * c }') ms."
	fi
	out ""
}

# --- 3. filter speed ---------------------------------------------------------
FILTER_PLATFORMS=linux/amd64,linux/arm64,linux/arm/v7,linux/386
filters() {
	local f
	for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
		rust-groups "$f" | arch-filter --allow "$FILTER_PLATFORMS" |
			tag-gen --version 0.1.77 --image registry.example/cargo-chef || return 1
	done
}
cat1() {
	local f
	for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
		cat "$f"
	done
}
cat3() {
	local f
	for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
		# shellcheck disable=SC2002 # the three processes are the point
		cat "$f" | cat | cat
	done
}
# Each filter alone, on its own input of each revision (made once, before).
filter_inputs() {
	local f n=0
	mkdir -p inputs
	for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
		n=$((n + 1))
		rust-groups "$f" >"inputs/$n.groups" &&
			arch-filter --allow "$FILTER_PLATFORMS" <"inputs/$n.groups" >"inputs/$n.platforms" ||
			return 1
	done
}
rust_groups() {
	local f
	for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
		rust-groups "$f" || return 1
	done
}
arch_filter() {
	local f
	for f in inputs/*.groups; do
		arch-filter --allow "$FILTER_PLATFORMS" <"$f" || return 1
	done
}
tag_gen() {
	local f
	for f in inputs/*.platforms; do
		tag-gen --version 0.1.77 --image registry.example/cargo-chef <"$f" || return 1
	done
}
speed() {
	set -- "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt
	files=$#
	bytes=$(cat "$@" | wc -c)
	lines=$(filters | wc -l) || fail "the filters failed on the corpus"
	filter_inputs || fail "the filters failed on the corpus"
	say "part 3: the filters over $files files, against cat, $BENCH_REPS times"
	bench_time "$BENCH_REPS" timings filters cat1 cat3 rust_groups arch_filter tag_gen ||
		fail "timing failed"
	a=$(median timings/filters) b=$(median timings/cat1) c=$(median timings/cat3)
	out "## 3. Filter speed" ""
	[ -n "$whole" ] ||
		out "(From a run of this part alone, BENCH_PARTS=\"$BENCH_PARTS\", on" \
			"$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" \
			"at its end, on $(nproc) CPUs; put in place of the part 3 of a whole run.)" ""
	out "\`rust-groups | arch-filter --allow <4 platforms> | tag-gen\` on each of the" \
		"$files revisions of library/rust in the corpus ($bytes bytes; $lines groups out)," \
		"one pipeline a file as \`make publish\` runs it, against \`cat\` of each file (the" \
		"I/O floor) and \`cat | cat | cat\` (the same three processes a file, doing" \
		"nothing); $BENCH_REPS runs of each, in turn." ""
	out "| ms for the $files files | median | IQR | min-max |" "|---|--:|--:|--:|"
	{
		stats_row "rust-groups \\| arch-filter \\| tag-gen" timings/filters
		stats_row "cat" timings/cat1
		stats_row "cat \\| cat \\| cat" timings/cat3
	} >>"$report"
	out "" "Filters / cat: **$(div "$a" "$b")x**; filters / three cats: **$(div "$a" "$c")x**" \
		"($(div "$a" "$files") ms a revision)." ""
	out "Each filter alone, one process a revision on its own input (what the" \
		"filter before it printed), against one \`cat\` a revision:" ""
	out "| ms for the $files files | median | IQR | min-max |" "|---|--:|--:|--:|"
	{
		stats_row "rust-groups" timings/rust_groups
		stats_row "arch-filter --allow <4 platforms>" timings/arch_filter
		stats_row "tag-gen" timings/tag_gen
		stats_row "cat" timings/cat1
	} >>"$report"
	out "" "rust-groups / cat: **$(div "$(median timings/rust_groups)" "$b")x**;" \
		"arch-filter / cat: **$(div "$(median timings/arch_filter)" "$b")x**;" \
		"tag-gen / cat: **$(div "$(median timings/tag_gen)" "$b")x**." ""
	b=$(median timings/cat1.cpu) c=$(median timings/cat3.cpu)
	out "The same runs in CPU time (user + system of their processes, from the" \
		"shell's \`times\`), which a busy machine disturbs less than the wall clock:" ""
	out "| CPU ms for the $files files | median | IQR | min-max |" "|---|--:|--:|--:|"
	{
		stats_row "rust-groups \\| arch-filter \\| tag-gen" timings/filters.cpu
		stats_row "cat \\| cat \\| cat" timings/cat3.cpu
		stats_row "rust-groups" timings/rust_groups.cpu
		stats_row "arch-filter --allow <4 platforms>" timings/arch_filter.cpu
		stats_row "tag-gen" timings/tag_gen.cpu
		stats_row "cat" timings/cat1.cpu
	} >>"$report"
	out "" "Filters / three cats: **$(div "$(median timings/filters.cpu)" "$c")x**;" \
		"rust-groups / cat: **$(div "$(median timings/rust_groups.cpu)" "$b")x**;" \
		"arch-filter / cat: **$(div "$(median timings/arch_filter.cpu)" "$b")x**;" \
		"tag-gen / cat: **$(div "$(median timings/tag_gen.cpu)" "$b")x**." ""
}

# --- 4. one build's push -----------------------------------------------------
pushes() {
	local pattern row
	say "part 4: one publish of 2 groups with each push pattern"
	# the release tags of part 1's setup, when this part runs alone
	[ -d "$TAGS" ] || pipeline_setup || fail "cannot set up the registry"
	for pattern in each once; do
		row=$(bench_push "$pattern") || fail "the publish with BUILDAH_PUSH=$pattern failed"
		printf '%s\t%s\n' "$pattern" "$row"
	done >pushes.tsv
	out "## 4. Pushing a build" ""
	out "Revision 005 of library/rust (2 groups, PLATFORMS=$PLATFORMS: an index of 2" \
		"children a build), published once with each pattern of mk/build-push.sh, each on a" \
		"registry and a state of its own; counts per build, from the registry's access log." \
		"each (the default): \`buildah manifest push --all\` once per tag (the build tag, the" \
		"canonical and every alias: each re-sends every child manifest and re-checks every" \
		"blob; no counted read). once (BUILDAH_PUSH=once): one \`manifest push --all\` to the" \
		"build tag, then image-alias puts the index at the canonical and every alias: one GET" \
		"of the build's own index (a counted read on Docker Hub), then a HEAD and a PUT a tag." ""
	out "| per build | manifest PUTs | child manifest PUTs | tag PUTs | children + canonical + build tag + aliases | manifest GETs (counted) | blob HEADs | all requests |" \
		"|---|--:|--:|--:|--:|--:|--:|--:|"
	awk -F '\t' '{
		n = $2
		label = $1 == "each" ? "each (default): a push per tag, no read" : "once: pushed once, then image-alias"
		printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", label,
			$3 / n, $4 / n, $5 / n, $9 / n, $6 / n, $7 / n, $8 / n
	}' pushes.tsv >>"$report"
	out ""
}

section head
out "# Benchmark" "" \
	"Written by \`make bench\` (tests/bench/bench.sh) from one run on the machine below:" \
	"every number is measured, none is edited by hand. Rerun \`make bench\` to update it." \
	"Times are wall-clock times; the spread says how steady the machine was." ""
machine
targets_status=0
for part in part1 part2 part3 part4; do
	: >"$part.md"
done
if has 1; then section part1 && replay; fi
if has 3; then section part3 && speed; fi
if has 2; then section part2 && noop; fi
if has 4; then section part4 && pushes; fi
section tail
out "| load average at the end | $(cut -d' ' -f1-3 /proc/loadavg) |" ""

# the machine's table ends with the load average at the end
sed "/^| load average at the start /r tail.md" head.md | cat - part1.md part2.md part3.md part4.md >report.md
# some parts alone: their sections only, to put in place of a whole run's
[ -n "$whole" ] || cat part1.md part2.md part3.md part4.md >report.md
cat report.md
if [ -n "$BENCH_OUT" ] && [ -z "$whole" ]; then
	say "not writing $BENCH_OUT: BENCH_PARTS=\"$BENCH_PARTS\" is not a whole run"
elif [ -n "$BENCH_OUT" ]; then
	{ cp report.md "$BENCH_OUT.tmp" && mv -f "$BENCH_OUT.tmp" "$BENCH_OUT"; } ||
		fail "cannot write $BENCH_OUT"
	say "wrote $BENCH_OUT"
fi
test_run_cleanups
cd / && rm -rf "$TRASH"
exit $targets_status
