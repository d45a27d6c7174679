#!/bin/sh
# mk/publish-group.sh KEY16 STAMP: stage 5, publishes one group of the plan
# and writes STAMP once it is done.
#  1. HEAD the canonical image, its build tag (the canonical tag and a hash
#     of the platforms and build context: it exists when the image was built
#     from these very inputs) and the original workflow's name for it.
#  2. No build tag (and no workflow image): ONE GET of the base's index;
#     every platform to build must be the build of the group's commit
#     (annotations), else the group waits ("not yet", exit 0, no stamp).
#     Build from the base pinned by that digest, pushing the build tag, the
#     canonical tag and every alias tag (no read).
#  3. image-alias points the canonical and every alias at the build (HEADs;
#     one GET only when some tag has to move).
# Knobs: STATE, BUILDER, CONTEXT, DRY_RUN.  $STATE/status/KEY16 tells the
# run's summary that the group failed or waits.
set -eu
me="publish [$1]"
. mk/lib.sh

key=$1
stamp=$2
mkdir -p "$STATE/status" "$STATE/logs"
work=$(mktemp -d "${TMPDIR:-/tmp}/publish-$key.XXXXXX")
group=$key
finish() {
	status=$?
	rm -rf "$work"
	[ $status -eq 0 ] || echo "failed: $group" >"$STATE/status/$key"
}
trap finish EXIT
trap 'exit 1' HUP INT TERM
rm -f "$STATE/status/$key"

# tool CMD...: runs a registry tool; its messages follow, its summary of
# requests named by the group ("image-probe [key]: requests: ..."): under
# make -j the groups' lines interleave.
tool() {
	tool_status=0
	"$@" 2>"$work/stderr" || tool_status=$?
	sed "s/^\([a-z-]*\): requests: /\1 [$key]: requests: /" "$work/stderr" >&2
	return $tool_status
}

line=$(jq -c --arg k "$key" 'select(.group_key_tag == $k)' "$STATE/plan.jsonl")
[ -n "$line" ] || die "no group $key in $STATE/plan.jsonl"
field() {
	printf '%s\n' "$line" | jq -r "$1"
}
group=$(field .group_key)
canonical=$(field .canonical)
workflow=$(field '.workflow_canonical // ""')
build_tag=$(field .build_tag)
base=$(field .base)
platforms=$(field '.platforms | join(",")')
field '.tags[]' >"$work/tags"
version=$(plan_version)
commit=${group%%:*}

# 1. Does the image exist, built from these inputs?  HEAD only: free under
#    the rate limits.
set -- "$canonical" "$build_tag"
[ -z "$workflow" ] || set -- "$@" "$workflow"
tool image-probe "$@" >"$work/probe" || die "cannot probe $canonical"
source=$(source_of "$work/probe" "$canonical" "$build_tag" "$workflow")
repo=${canonical%:*}
want=$(sorted_platforms "$platforms")
gets=0

# platforms DIGEST: sets held to the platforms of repo@DIGEST, recorded or
# read (one counted GET, then recorded): "?" for a single image, "" when
# DRY_RUN forbids the read.
platforms() {
	held=$(recorded_platforms "$1")
	if [ -z "$held" ] && [ -z "$DRY_RUN" ]; then
		tool image-manifest "$repo@$1" >"$work/held.json" ||
			die "cannot read the platforms of $repo@$1"
		gets=$((gets + 1))
		held=$(index_platforms "$work/held.json")
		[ "$held" = "?" ] || record_platforms "$1" "$held"
	fi
}

# An image of the original workflow (found under its name, or adopted by an
# earlier run: the canonical tag at its digest) counts as built from these
# inputs when it has these platforms: its build tag is pointed at it, so a
# run with a fresh STATE finds it and does not build again.
workflow_digest=-
[ -z "$workflow" ] || workflow_digest=$(digest_in "$work/probe" "$workflow")
canonical_digest=$(digest_in "$work/probe" "$canonical")
adopt=
if [ -n "$workflow" ] && [ "$source" = "$workflow" ]; then
	adopt=1
elif [ -z "$source" ] && [ "$workflow_digest" != - ] && [ "$canonical_digest" = "$workflow_digest" ]; then
	adopt=1
fi
source_platforms=$want
if [ -n "$adopt" ]; then
	platforms "$workflow_digest"
	if [ -n "$held" ] && [ "$held" != "?" ] && [ -z "$(lost_platforms "$held" "$want")" ] &&
		[ -z "$(lost_platforms "$want" "$held")" ]; then
		source=$workflow
		say "found under the original workflow's name $workflow: not rebuilt;" \
			"it has $want: its build tag points at it too"
		echo "$build_tag" >>"$work/tags"
	elif [ "$source" = "$workflow" ]; then
		say "found under the original workflow's name $workflow: not rebuilt" \
			"(it has ${held:-platforms not known without a GET}, not $want)"
		# a single image: its platform is not known, it has fewer than any
		case $held in '' ) ;; '?') source_platforms= ;; *) source_platforms=$held ;; esac
	fi
fi

# gha: what the run's summary calls the group (mk/gha.sh)
case $source in '') how=built ;; "$workflow") how=adopted ;; *) how=existed ;; esac
if [ -n "$source" ]; then
	# the canonical name is one more alias of the source
	{ echo "$canonical"; cat "$work/tags"; } >"$work/targets"
	mv "$work/targets" "$work/tags"
elif [ "$canonical_digest" != - ]; then
	say "$canonical was built from other platforms or another build context: rebuilding"
fi

# Where the tags are before (HEADs, free): what the run moves, and what
# they hold.
{
	[ -n "$source" ] || echo "$canonical"
	awk -v build="$build_tag" '$0 != build' "$work/tags"
} >"$work/moving"
tool image-probe <"$work/moving" >"$work/held" || die "cannot probe the tags of $canonical"
source_digest=
[ -z "$source" ] || source_digest=$(digest_in "$work/probe" "$source")
ntags=$(wc -l <"$work/held")
would_move=$(awk -F '\t' -v src="$source_digest" '$2 != "-" && $2 != src { n++ } END { print n + 0 }' "$work/held")
would_create=$(awk -F '\t' '$2 == "-" { n++ } END { print n + 0 }' "$work/held")
# A tag never moves to an image that lacks a platform its image has: for
# each image other than the source that tags are at, its platforms are
# recorded or read (one GET).  Repair restores the tags of the group's own
# build: it does not ask.
if [ -z "$ALLOW_FEWER_PLATFORMS" ] && { [ -z "${REPAIR:-}" ] || [ "$source" != "$build_tag" ]; }; then
	awk -F '\t' -v src="$source_digest" '$2 != "-" && $2 != src && !seen[$2]++ { print $2 }' \
		"$work/held" >"$work/held.digests"
	offered_platforms "$line" "$work/offered"
	offered=$(cat "$work/offered")
	: >"$work/losing" && : >"$work/following"
	unknown=0
	while IFS= read -r digest; do
		platforms "$digest"
		if [ -z "$held" ]; then
			unknown=$((unknown + 1))
			continue
		fi
		[ "$held" != "?" ] || continue
		lost=$(lost_platforms "$held" "$source_platforms" "$offered")
		[ -z "$lost" ] || awk -F '\t' -v d="$digest" -v lost="$lost" \
			'$2 == d { print $1 "\t" lost }' "$work/held" >>"$work/losing"
		gone=$(lost_platforms "$held" "$source_platforms,$offered")
		[ -z "$gone" ] || awk -F '\t' -v d="$digest" -v gone="$gone" \
			'$2 == d { print gone }' "$work/held" >>"$work/following"
	done <"$work/held.digests"
	if [ -s "$work/following" ] && [ ! -s "$work/losing" ]; then
		gone=$(sort -u "$work/following" | paste -sd ' ')
		say "following library/rust: $(wc -l <"$work/following") tags lose $gone," \
			"which its entry for the group no longer has"
	fi
	[ "$unknown" -eq 0 ] ||
		say "would read the platforms of $unknown images its tags are at (1 GET each) before moving them"
	if [ -s "$work/losing" ]; then
		n=$(wc -l <"$work/losing")
		if [ -n "$DRY_RUN" ]; then
			say "would refuse: $n tags would lose platforms (ALLOW_FEWER_PLATFORMS=1 allows it):"
		else
			say "refused: $n tags would move to an image for $source_platforms, without platforms they have:"
		fi
		awk -F '\t' '{ print "  " $1 " loses " $2 }' "$work/losing" >&2
		[ -n "$DRY_RUN" ] || die "fewer platforms for $n tags of $canonical; ALLOW_FEWER_PLATFORMS=1 moves them anyway"
		exit 0
	fi
fi

if [ -z "$source" ]; then
	if [ -n "$DRY_RUN" ]; then
		say "would check $base (1 GET), build $canonical for $platforms and push it with its" \
			"$ntags tags: $would_move would move, $would_create would be new"
		exit 0
	fi
	# 2. Is the base the build of this group's commit, on every platform?
	tool image-manifest "$base" >"$work/base.json" || die "cannot read the base $base"
	jq -r --arg commit "$commit" --arg platforms "$platforms" \
		-f mk/base-check.jq "$work/base.json" >"$work/verdict"
	if grep -Eq '^(missing|stale) ' "$work/verdict"; then
		say "not yet: $base is not the build of $commit for every platform:"
		awk '!/^ok / { print "  " $0 }' "$work/verdict" >&2
		say "the group waits for the base; the next run tries again"
		lacking=$(awk '!/^ok / { printf "%s ", $2 }' "$work/verdict")
		echo "waiting: $group ($lacking)" >"$STATE/status/$key"
		exit 0
	fi
	! grep -qx unannotated "$work/verdict" ||
		say "warning: $base carries no revision annotations; building from it as named"
	pinned=${base%:*}@$(jq -r .digest "$work/base.json")
	say "building $canonical for $platforms from $pinned"
	log=$STATE/logs/$key.log
	builder=${BUILDER:-}
	if [ -z "$builder" ]; then
		if docker buildx version >/dev/null 2>&1; then builder=buildx; else builder=buildah; fi
	fi
	# the build tag first: once it exists, the build is done, whatever is cut
	{ echo "$canonical"; cat "$work/tags"; } >"$work/targets"
	# gha: the build's output goes to $log (and, in GitHub Actions, live in a group)
	if ! mk/gha.sh run "$log" "build of group $key ($(field .representative_rust_tag))" \
		mk/build-push.sh "$builder" "$pinned" "$version" "$platforms" "$work/targets" "$build_tag"; then
		tail -n 20 "$log" >"$work/log.tail" || :
		sed 's/^/  /' "$work/log.tail" >&2 || :
		die "build of $canonical failed (log: $log)"
	fi
	source=$build_tag
	mv "$work/targets" "$work/tags"
fi

# 3. Every alias at the canonical image.
if [ -n "$DRY_RUN" ]; then
	if [ $((would_move + would_create)) -eq 0 ]; then
		say "would leave its $ntags tags where they are, at $source"
	else
		say "would point its $ntags tags at $source: $would_move would move, $would_create would be new (1 GET)"
	fi
	exit 0
fi
tool image-alias "$source" <"$work/tags" >"$work/aliases" || die "cannot point the aliases at $source"
digest=$(awk -F '\t' '{ at[$2] } END { for (d in at) { n++; one = d } if (n != 1) exit 1; print one }' \
	"$work/aliases") || die "the tags of $canonical are not at one digest (image-alias: $work/aliases)"
# moved: the tags whose digest this run changed, by the build's pushes or
# by image-alias; new: those that did not exist
moved=$(awk -F '\t' -v d="$digest" '$2 != "-" && $2 != d { n++ } END { print n + 0 }' "$work/held")
new=$(awk -F '\t' '$2 == "-" { n++ } END { print n + 0 }' "$work/held")
say "done: $canonical ($digest), $ntags tags: $moved moved, $new new"

[ -z "$source_platforms" ] || record_platforms "$digest" "$source_platforms"
[ $gets -eq 0 ] || say "read the platforms of $gets images its tags were at ($gets GET)"
tmp=$(tmpfile "$stamp")
{
	printf '%s\n' "$line"
	echo "digest $digest"
} >"$tmp"
mv -f "$tmp" "$stamp"
echo "$how $digest" >"$STATE/status/$key" # gha: for the run's summary
