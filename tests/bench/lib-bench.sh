# tests/bench/lib-bench.sh: the replay of `make bench` (its part 1) and the
# timing helpers of parts 2 and 3; shared by tests/bench/bench.sh and
# tests/t8600-bench-smoke.sh.  Source it after tests/lib.sh,
# tests/lib-registry.sh and tests/lib-pipeline.sh; call pipeline_setup (or
# registry_start with a new $STATE) before a replay.
#
#   bench_schedule FIRST LAST QUIET RELEASES
#       the runs of a replay of library/rust revisions FIRST..LAST of the
#       corpus, one a line: DATE REV EVENT TAG (tab-separated).  EVENT is
#       "revision" (the day that revision appeared), "quiet" (nothing
#       changed: a rerun of the same revision) or "release" (a new
#       cargo-chef tag TAG, v0.1.78 on, nothing else changed).  QUIET: "all"
#       (one run a calendar day, as the original workflow's nightly cron) or
#       N (N quiet runs after each revision).  RELEASES: how many releases,
#       spread evenly over the quiet runs.
#   bench_replay SCHEDULE TSV
#       runs the schedule against $REGISTRY: before each run the stand-in
#       bases of the day's revision (when its groups changed) and the day's
#       release; then make publish; then one TSV row a run, counted from the
#       registry's access log since the mark (columns: BENCH_COLUMNS).
#   bench_targets TSV [MIN_RATIO]   PASS/FAIL a target a line; exit 1 on a FAIL
#   bench_totals TSV                the totals and ratios, in words
#   bench_table TSV                 the per-run table (markdown; quiet
#                                   stretches folded into one row)
#   bench_push PATTERN              one publish's requests per build, its
#                                   builds pushed as BUILDAH_PUSH=PATTERN
#   bench_time REPS DIR FUNC...
#       runs the commands FUNC (no arguments: functions of the caller) in
#       turn, REPS rounds, so that drift hits them alike; DIR/FUNC gets each
#       run's wall time in ms, one a line, and DIR/FUNC.cpu the CPU time of
#       its processes (bench_cpu)
#   bench_stats FILE                "median q1 q3 min max" of the ms in FILE
#
# What is counted, per run, from the access log of the registry:
#   builds  images built (PUT 201 of a build tag, <ver>-base-<key16>.<inputs8>)
#   head, get, put   manifest requests to the target repository (cargo-chef):
#           get is image-alias reading a canonical image to move aliases
#           (and, with BUILDAH_PUSH=once, a build's own index: one a build)
#   check   GETs of the base repository's manifests by tag: the pipeline's
#           base freshness check (image-manifest; a counted read of Docker Hub)
#   pull    GETs of the base repository's manifests by digest: buildah
#           pulling the base it builds from (pinned by digest)
#   plan    "same" when the plan is the previous run's (nothing changed for
#           the pipeline: a quiet day, or a revision that changed nothing
#           in the groups of PLATFORMS), else "new"
#   moved   groups of the plan not built in the run whose tags were PUT
#   wf_reads  the original workflow's counted reads for the day's plan: per
#           group, one `manifest inspect` GET and one `imagetools create`
#           (2 + one GET per child manifest = per platform); its builds are
#           the day's groups (it rebuilt every group every night)

BENCH_COLUMNS='run date rev event plan groups builds head get put check pull moved requests wf_reads seconds'
BENCH_TAB=$(printf '\t')

bench_schedule() {
	local bench_first bench_last prev_date prev_rev f base n date
	bench_first=$((10#$1)) bench_last=$((10#$2))
	{
		prev_date='' prev_rev=''
		for f in "$CORPUS"/rust/[0-9][0-9][0-9]-*.txt; do
			base=${f##*/}
			n=$((10#${base%%-*}))
			{ [ $n -ge $bench_first ] && [ $n -le $bench_last ]; } || continue
			date=$(echo "$base" | cut -d- -f2-4)
			[ -z "$prev_rev" ] || bench_quiet_days "$prev_date" "$date" "$prev_rev" "$3"
			printf '%s\t%s\trevision\t-\n' "$date" "${base%%-*}"
			prev_date=$date prev_rev=${base%%-*}
		done
		[ -n "$prev_rev" ] || { echo "no revision $1..$2 in $CORPUS/rust" >&2; return 1; }
		[ "$3" = all ] || bench_quiet_days "$prev_date" '' "$prev_rev" "$3"
	} | awk -F '\t' -v OFS='\t' -v r="$4" '
		{ line[NR] = $0; if ($3 == "quiet") q[++nq] = NR }
		END {
			# release k on the quiet run at the middle of the k-th r-th
			for (k = 1; k <= r && k <= nq; k++) {
				i = q[int((2 * k - 1) * nq / (2 * r)) + 1]
				split(line[i], f, "\t")
				line[i] = f[1] OFS f[2] OFS "release" OFS "v0.1." (77 + k)
			}
			for (i = 1; i <= NR; i++)
				print line[i]
		}'
}

# bench_quiet_days FROM TO REV N: quiet runs of REV on the days after FROM
# and before TO (no bound when TO is empty), at most N of them (N "all").
bench_quiet_days() {
	local d i
	d=$1 i=0
	while [ "$4" = all ] || [ $i -lt "$4" ]; do
		d=$(date -u -d "$d + 1 day" +%F)
		[ -z "$2" ] || [[ $d < $2 ]] || break
		printf '%s\t%s\tquiet\t-\n' "$d" "$3"
		i=$((i + 1))
	done
}

# bench_standins FILE: the stand-in bases of FILE's groups, pushed unless the
# last revision pushed had the very same groups (so the same stand-ins).
bench_standins() {
	local groups
	groups=$(rust-groups "$1" | arch-filter --allow "$PLATFORMS" |
		jq -r '[.representative_rust_tag, .group_key] | @tsv' | sort) || return 1
	[ "$groups" != "${bench_pushed:-}" ] || return 0
	standins "$1" || return 1
	bench_pushed=$groups
}

# bench_puts REF...: how many of these tags of the target repository were
# PUT (201) since the mark.
bench_puts() {
	local re
	re=$(printf '%s\n' "$@" | sed 's/^[^/]*\/[^:]*://; s/\./\\./g' | paste -sd '|')
	registry_count_since PUT "^/v2/cargo-chef/manifests/($re)\$" '^201$'
}

# bench_moved: the groups of the plan not built since the mark whose tags
# were PUT since (aliases that moved without a build).
bench_moved() {
	local moved canonical tags
	moved=0
	jq -r '[.canonical, (.tags | join(" "))] | @tsv' "$STATE/plan.jsonl" >"$TRASH/.bench-groups"
	while IFS=$BENCH_TAB read -r canonical tags; do
		[ "$(bench_puts "$canonical")" = 0 ] || continue
		# shellcheck disable=SC2086 # one tag a word
		[ "$(bench_puts $tags)" = 0 ] || moved=$((moved + 1))
	done <"$TRASH/.bench-groups"
	echo "$moved"
}

bench_replay() {
	local sched tsv run previous date revision event tag log t0 t1 plan same put moved
	sched=$1 tsv=$2
	echo "$BENCH_COLUMNS" | tr ' ' '\t' >"$tsv"
	mkdir -p "$TRASH/bench-logs"
	run=0 previous=''
	while IFS=$BENCH_TAB read -r date revision event tag; do
		run=$((run + 1))
		LIBRARY=$(rev "$revision")
		export LIBRARY
		[ "$event" != release ] || release "$tag" || return 1
		bench_standins "$LIBRARY" || { echo "stand-ins of $revision failed" >&2; return 1; }
		registry_mark
		log=$TRASH/bench-logs/$run.log
		t0=$EPOCHREALTIME
		if ! pub publish -j"${BENCH_JOBS:-2}" >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			echo "run $run ($date, revision $revision, $event): make publish failed" >&2
			return 1
		fi
		t1=$EPOCHREALTIME
		plan=$(sha256sum <"$STATE/plan.jsonl")
		if [ "$plan" = "$previous" ]; then same=same; else same=new; fi
		previous=$plan
		put=$(registry_count_since PUT '^/v2/cargo-chef/manifests/')
		moved=0
		[ "$put" = 0 ] || moved=$(bench_moved)
		printf '%s\n' "$run" "$date" "$revision" "$event" "$same" \
			"$(jq -s length "$STATE/plan.jsonl")" "$(builds)" \
			"$(registry_count_since HEAD '^/v2/cargo-chef/manifests/')" \
			"$(registry_count_since GET '^/v2/cargo-chef/manifests/')" "$put" \
			"$(registry_count_since GET '^/v2/rust/manifests/[^:]+$')" \
			"$(registry_count_since GET '^/v2/rust/manifests/sha256:')" \
			"$moved" "$(registry_count_since '*')" \
			"$(jq -s 'map(1 + 2 + (.platforms | length)) | add // 0' "$STATE/plan.jsonl")" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" |
			paste -sd '\t' >>"$tsv"
		[ -z "${BENCH_PROGRESS:-}" ] || tail -n 1 "$tsv" >&2
	done <"$sched"
}

# bench_push PATTERN: one publish of revision 005 (2 groups, $PLATFORMS) on a
# registry and state of its own, its builds pushed as BUILDAH_PUSH=PATTERN
# says (mk/build-push.sh); prints, per build: builds, manifest PUTs, child
# manifest PUTs (by digest), tag PUTs, manifest GETs, blob HEADs, all
# requests, and the expected PUTs (children + canonical + build tag +
# aliases), tab-separated.
bench_push() {
	local lib
	STATE=$TRASH/push-$1/state
	export STATE
	registry_start --dir "$TRASH/push-$1/registry" || return 1
	lib=$(rev 005)
	standins "$lib" || return 1
	registry_mark
	LIBRARY=$lib pub publish BUILDAH_PUSH="$1" >"$TRASH/push-$1.log" 2>&1 || {
		tail -n 20 "$TRASH/push-$1.log" >&2
		return 1
	}
	printf '%s\n' "$(builds)" \
		"$(registry_count_since PUT '^/v2/cargo-chef/manifests/' '^201$')" \
		"$(registry_count_since PUT '^/v2/cargo-chef/manifests/sha256:' '^201$')" \
		"$(registry_count_since PUT '^/v2/cargo-chef/manifests/[^s]' '^201$')" \
		"$(registry_count_since GET '^/v2/cargo-chef/manifests/')" \
		"$(registry_count_since HEAD '^/v2/cargo-chef/blobs/')" \
		"$(registry_count_since '*')" \
		"$(jq -s 'map((.platforms | length) + 2 + (.tags | length)) | add' "$STATE/plan.jsonl")" |
		paste -sd '\t'
}

# bench_awk PROGRAM TSV [awk options]: awk over the replay's rows, the
# columns named as in BENCH_COLUMNS (c["get"] is this row's get).
bench_awk() {
	local prog tsv
	prog=$1 tsv=$2
	shift 2
	awk -F '\t' "$@" '
		NR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; next }
		{ for (i = 1; i <= NF; i++) c[col[i]] = $i }
		'"$prog" "$tsv"
}

# The sums the totals and the targets are made of, as awk code.
BENCH_SUMS='
	{
		runs++; quiet += (c["event"] == "quiet"); same += (c["plan"] == "same")
		for (k in c) if (k !~ /^(run|date|rev|event|plan)$/) s[k] += c[k]
	}
	function ratio(a, b) { return b ? sprintf("%.1f", a / b) : "inf" }
	function ours() { return s["get"] + s["check"] }
	function per_build() { return s["builds"] ? s["pull"] / s["builds"] : 0 }'

bench_totals() {
	bench_awk "$BENCH_SUMS"'
	END {
		printf "runs: %d (%d quiet days, %d with nothing changed); builds: %d; manifest requests to the target repository: %d HEAD, %d GET, %d PUT\n",
			runs, quiet, same, s["builds"], s["head"], s["get"], s["put"]
		printf "ours: %d counted reads = %d GETs to move aliases + %d base freshness GETs; and %d base pulls by the builds (%.1f a build)\n",
			ours(), s["get"], s["check"], s["pull"], per_build()
		printf "workflow (same runs, same plans): %d counted reads = per group and run 1 manifest inspect + 1 imagetools create (2 + 1 a platform); %d builds (every group every night) pulling %.0f base manifests at our rate a build\n",
			s["wf_reads"], s["groups"], s["groups"] * per_build()
		printf "counted reads, workflow / ours: %s; with the builds'"'"' base pulls on both sides: %s; builds: %s\n",
			ratio(s["wf_reads"], ours()),
			ratio(s["wf_reads"] + s["groups"] * per_build(), ours() + s["pull"]),
			ratio(s["groups"], s["builds"])
	}' "$1"
}

bench_targets() {
	bench_awk "$BENCH_SUMS"'
	c["plan"] == "same" && c["get"] + c["check"] + c["pull"] > 0 { bad_same++ }
	c["plan"] == "same" && c["requests"] > 0 { noisy_same++ }
	c["get"] > c["moved"] { bad_moved++ }
	END {
		fail = 0
		verdict(bad_same == 0, sprintf("zero GETs on each of the %d runs where nothing changed (%d runs over; %d sent any request at all)",
			same, bad_same, noisy_same))
		verdict(bad_moved == 0, sprintf("at most one GET per group whose aliases moved without a build (%d GETs for %d such groups; %d runs over)",
			s["get"], s["moved"], bad_moved))
		verdict(ours() * min <= s["wf_reads"], sprintf("at least %dx fewer counted reads than the workflow (%s: %d against %d)",
			min, ratio(s["wf_reads"], ours()), ours(), s["wf_reads"]))
		exit fail
	}
	function verdict(ok, what) {
		print (ok ? "PASS " : "FAIL ") what
		if (!ok) fail = 1
	}' "$1" -v min="${2:-50}"
}

bench_table() {
	bench_awk '
	function cell(k, v) { return k == "seconds" ? sprintf("%.2f", v) : v }
	function flush() {
		if (!n) return
		if (n == 1) printf "| %s | %s", first, d0
		else printf "| %s-%s | %s..%s", first, last, d0, d1
		printf " | %s | %s | %s | %s |", rev, (n == 1 ? ev : ev " x" n), plan, groups
		for (i = 1; i <= nk; i++)
			printf " %s |", cell(key[i], t[key[i]])
		printf "\n"
		n = 0
	}
	BEGIN {
		nk = split("builds head get put check pull moved requests wf_reads groups seconds", key, " ")
		print "| run | date | rev | event | plan | groups | builds | HEAD | GET | PUT | base check GET | base pull GET | groups moved w/o build | all requests | workflow reads | workflow builds | seconds |"
		print "|---|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	}
	{
		# the quiet runs after a revision fold into one row (sums)
		if (!(n && c["event"] == "quiet" && ev == "quiet" && c["rev"] == rev)) {
			flush()
			first = c["run"]; d0 = c["date"]; rev = c["rev"]; ev = c["event"]
			plan = "same"
			for (i = 1; i <= nk; i++) t[key[i]] = 0
		}
		if (c["event"] == "release") ev = "release (new version)"
		if (c["plan"] == "new") plan = "new"
		n++; last = c["run"]; d1 = c["date"]; groups = c["groups"]
		for (i = 1; i <= nk; i++) { t[key[i]] += c[key[i]]; tot[key[i]] += c[key[i]] }
	}
	END {
		flush()
		printf "| **total** | | | | | |"
		for (i = 1; i <= nk; i++)
			printf " **%s** |", cell(key[i], tot[key[i]])
		printf "\n"
	}' "$1"
}

# bench_cpu TIMES: the children's CPU time (user + system, ms) of the output
# of the shell's `times` (which must run in the shell that waited for them,
# not in a command substitution).
bench_cpu() {
	awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] }
		printf "%.3f\n", s * 1000 }' "$1"
}

# bench_time REPS DIR FUNCTION...: runs each function REPS times, in turn;
# DIR/FUNCTION gets the wall-clock time of each run (ms), DIR/FUNCTION.cpu
# the CPU time of its processes (ms: steadier than the wall clock on a
# machine that is busy with other work).
bench_time() {
	local reps dir f r t0 t1 c0 c1
	reps=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	for f in "$@"; do : >"$dir/$f" && : >"$dir/$f.cpu"; done
	r=0
	while [ $r -lt "$reps" ]; do
		r=$((r + 1))
		for f in "$@"; do
			times >"$dir/times" && c0=$(bench_cpu "$dir/times")
			t0=$EPOCHREALTIME
			"$f" >/dev/null 2>&1 || { echo "bench: $f failed" >&2; return 1; }
			t1=$EPOCHREALTIME
			times >"$dir/times" && c1=$(bench_cpu "$dir/times")
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$dir/$f"
			awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f\n", b - a }' >>"$dir/$f.cpu"
		done
	done
}

bench_stats() {
	sort -n "$1" | awk '
		{ v[NR] = $1 }
		function q(p,   i) { i = 1 + p * (NR - 1); return v[int(i)] + (i - int(i)) * (v[int(i) + 1] - v[int(i)]) }
		END { printf "%.1f %.1f %.1f %.1f %.1f\n", q(0.5), q(0.25), q(0.75), v[1], v[NR] }'
}

# bench_mirrored SCHEDULE TSV: the replay again with a mirror (MIRRORS: a
# second registry on loopback), on a registry, a mirror, a state and a
# repository of release tags of its own; TSV is bench_replay's, counted on
# IMAGE's registry.  Prints the mirror's requests over the whole replay,
# tab-separated: manifest HEADs, manifest GETs, manifest PUTs, all requests.
# The caller's registry, state and tags stay as they were.
bench_mirrored() {
	local dir saved mirror mirror_dir status
	dir=$TRASH/mirrored
	saved="$REGISTRY$BENCH_TAB$REGISTRY_DIR$BENCH_TAB$STATE$BENCH_TAB$TAGS$BENCH_TAB${bench_pushed:-}"
	mkdir -p "$dir"
	registry_start --dir "$dir/mirror" || return 1
	mirror=$REGISTRY mirror_dir=$REGISTRY_DIR
	registry_start --dir "$dir/registry" || return 1
	STATE=$dir/state TAGS=$dir/cargo-chef.git bench_pushed=''
	export STATE TAGS
	tags_repo v0.1.76 v0.1.77 || return 1
	"$REGISTRY_SH" log-mark "$mirror_dir" || return 1
	MIRRORS=$mirror/cargo-chef
	export MIRRORS
	status=0
	bench_replay "$1" "$2" || status=1
	unset MIRRORS
	[ $status -eq 0 ] && printf '%s\t%s\t%s\t%s\n' \
		"$("$REGISTRY_SH" count-since "$mirror_dir" HEAD '^/v2/cargo-chef/manifests/')" \
		"$("$REGISTRY_SH" count-since "$mirror_dir" GET '^/v2/cargo-chef/manifests/')" \
		"$("$REGISTRY_SH" count-since "$mirror_dir" PUT '^/v2/cargo-chef/manifests/')" \
		"$("$REGISTRY_SH" count-since "$mirror_dir" '*')" || status=1
	IFS=$BENCH_TAB read -r REGISTRY REGISTRY_DIR STATE TAGS bench_pushed <<<"$saved"
	export REGISTRY REGISTRY_DIR STATE TAGS
	return $status
}

# bench_mirror_rows TSV LABEL: the row of the mirrored replay's comparison:
# builds, counted reads on IMAGE (GETs to move aliases, base checks), base
# pulls, manifest HEADs, all requests to IMAGE's registry.
bench_mirror_rows() {
	bench_awk "$BENCH_SUMS"'
	END { printf "| %s | %d | %d | %d | %d | %d | %d |\n", label, s["builds"], s["get"], s["check"],
		s["pull"], s["head"], s["requests"] }' "$1" -v label="$2"
}
