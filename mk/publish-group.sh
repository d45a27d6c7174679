#!/bin/sh
# mk/publish-group.sh KEY16 STAMP: stage 5, publishes one group of the plan
# and writes STAMP once it is done.
#  1. The decision (mk/decide.sh, the same as make plan's and DRY_RUN=1's):
#     HEADs of the canonical image, its build tag (the canonical tag and a
#     hash of the platforms and build context: it exists when the image was
#     built from these very inputs), the original workflow's name, the
#     aliases; said as "decision: ..." (DRY_RUN=1: "would: ...", and stops).  Then the
#     reads it names: the platforms of images no record or name tells (1
#     GET each), and the decision again; a refusal fails the group.
#  2. To build: ONE GET of the base's index; every platform to build must
#     be the build of the group's commit (annotations), else the group
#     waits ("not yet", exit 0, no stamp).  Build from the base pinned by
#     that digest, pushing the build tag, the canonical tag and every alias
#     tag (no read); under REFRESH_BASE=1 its base tag and tracked tag too.
#  3. image-alias points the canonical and every alias at the source (HEADs;
#     one GET only when some tag has to move).
# Knobs: STATE, BUILDER, CONTEXT, DRY_RUN, REFRESH_BASE (and those of
# mk/decide.sh).  $STATE/status/KEY16 tells the run's summary that the group
# failed or waits.
set -eu
me="publish [$1]"
. mk/lib.sh
. mk/decide.sh

key=$1
stamp=$2
# a file name below: only a key16 passes
case $key in
'' | *[!0-9a-f]*) die "$key: not a group's key16" ;;
esac
mkdir -p "$STATE/status" "$STATE/logs"
stage_workdir "publish-$key"
group=$key
# a group that ends in failure (an error, a kill) says so to the run's summary
group_failed() {
	[ "$stage_status" -eq 0 ] || echo "failed: $group" >"$STATE/status/$key"
}
stage_atexit group_failed
rm -f "$STATE/status/$key"

# tool CMD...: a registry tool whose request count names the group
tool() {
	decide_tool "$@"
}

decide_select "$key" "$work" || die "no group $key in $STATE/plan.jsonl"
version=$(plan_version)

# 1. The decision (mk/decide.sh): HEADs and what the state knows, the
#    same that make plan and DRY_RUN=1 print.
decide_probe "$line" "$work"
decide_judge
if [ -n "$DRY_RUN" ]; then
	say "would: $decision"
	exit 0
fi
say "decision: $decision"

# The reads the decision said: the platforms of the images no record or
# name tells (1 GET each, then recorded), and the decision again with them.
gets=0
if [ -s "$work/unknown" ]; then
	while IFS= read -r digest; do
		tool image-manifest "$repo@$digest" >"$work/held.json" ||
			die "cannot read the platforms of $repo@$digest"
		gets=$((gets + 1))
		platforms_read=$(index_platforms "$work/held.json")
		if [ "$platforms_read" = "?" ]; then
			# a single image: nothing to lose but its one platform, not known
			say "$repo@$digest is a single image, not an index"
		else
			record_platforms "$digest" "$platforms_read"
		fi
	done <"$work/unknown"
	decide_judge
	say "read the platforms of $gets images ($gets GET); decision now: $decision"
fi

if [ "$action" = wait ]; then
	say "the group waits for the base; the next run tries again"
	echo "waiting: $group ($waiting )" >"$STATE/status/$key"
	exit 0
fi
if [ "$action" = refuse ]; then
	n=$(wc -l <"$work/losing")
	say "refused: $n tags would move to an image for $source_platforms, without platforms they have:"
	awk -F '\t' '{ print "  " $1 " loses " $2 }' "$work/losing" >&2
	die "fewer platforms for $n tags of $canonical; ALLOW_FEWER_PLATFORMS=1 moves them anyway"
fi

# gha: what the run's summary calls the group (mk/gha.sh)
case $action in build | rebuild) how=built ;; adopt) how=adopted ;; *) how=existed ;; esac
[ "$action" != rebuild ] || say "${why:-rebuilding}: rebuilding"

if [ -z "$source" ]; then
	# 2. Is the base the build of this group's commit, on every platform?
	tool image-manifest "$base" >"$work/base.json" || die "cannot read the base $base"
	jq -r --arg commit "$commit" --arg platforms "$platforms" \
		-f mk/base-check.jq "$work/base.json" >"$work/verdict"
	pinned_digest=$(sed -n 's/^digest //p' "$work/verdict")
	if grep -Eq '^(missing|stale) ' "$work/verdict"; then
		say "not yet: $base is not the build of $commit for every platform:"
		awk '/^(missing|stale) / { print "  " $0 }' "$work/verdict" >&2
		say "the group waits for the base; the next run tries again"
		lacking=$(awk '/^(missing|stale) / { printf "%s ", $2 }' "$work/verdict")
		record_verdict "$pinned_digest" "$commit" "$platforms" "${lacking% }"
		echo "waiting: $group ($lacking)" >"$STATE/status/$key"
		exit 0
	fi
	! grep -qx unannotated "$work/verdict" ||
		say "warning: $base carries no revision annotations; building from it as named"
	pinned=${base%:*}@$pinned_digest
	say "building $canonical for $platforms from $pinned"
	log=$STATE/logs/$key.log
	builder=${BUILDER:-}
	if [ -z "$builder" ]; then
		if docker buildx version >/dev/null 2>&1; then builder=buildx; else builder=buildah; fi
	fi
	# the build tag first: once it exists, the build is done, whatever is cut
	{ echo "$canonical"; cat "$work/aliases"; } >"$work/targets"
	if [ -n "$tracked_tag" ]; then
		# REFRESH_BASE=1: named by the base it was built from, as pinned
		base_build_tag "$line" "$context" "$pinned_digest" >>"$work/targets"
		echo "$tracked_tag" >>"$work/targets"
	fi
	# gha: the build's output goes to $log (and, in GitHub Actions, live in a group)
	if ! mk/gha.sh run "$log" "build of group $key ($rust_tag)" \
		mk/build-push.sh "$builder" "$pinned" "$version" "$platforms" "$work/targets" "$build_tag"; then
		tail -n 20 "$log" >"$work/log.tail" || :
		sed 's/^/  /' "$work/log.tail" >&2 || :
		die "build of $canonical failed (log: $log)"
	fi
	source=$build_tag
fi

# 3. Every alias at the canonical image.
tool image-alias "$source" <"$work/targets" >"$work/aliased" || die "cannot point the aliases at $source"
digest=$(awk -F '\t' '{ at[$2] } END { for (d in at) { n++; one = d } if (n != 1) exit 1; print one }' \
	"$work/aliased") || die "the tags of $canonical are not at one digest (image-alias: $work/aliased)"
# moved: the tags whose digest this run changed, by the build's pushes or
# by image-alias; new: those that did not exist
moved=$(awk -F '\t' -v d="$digest" '$2 != "-" && $2 != d { n++ } END { print n + 0 }' "$work/held")
new=$(awk -F '\t' '$2 == "-" { n++ } END { print n + 0 }' "$work/held")
say "done: $canonical ($digest), $ntags tags: $moved moved, $new new"

[ -z "$source_platforms" ] || record_platforms "$digest" "$source_platforms"
stage_begin "$stamp" # $tmp: the stamp, then moved into place
{
	printf '%s\n' "$line"
	echo "digest $digest"
} >"$tmp"
mv -f "$tmp" "$stamp"
echo "$how $digest" >"$STATE/status/$key" # gha: for the run's summary
