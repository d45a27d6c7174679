# mk/decide.sh: what a group of the plan is to do, decided in one place
# (sourced by mk/publish-group.sh and mk/report.sh, never run): make plan,
# DRY_RUN=1 and make publish print the same decision for the same state,
# and publish then carries it out.  The decision is made from HEADs (free
# under the rate limits) and what $STATE recorded, never from a GET: a read
# that the work needs (the base's index, the platforms of an image no name
# or record tells) is part of what the decision says.
#
#   decide_select KEY16 WORK the plan's line of group KEY16 (in $line) and
#                            its fields: one jq; fails when the plan has no
#                            such group
#   decide_fields_of LINE WORK   the fields of plan line LINE: one jq
#                            (either sets the variables key, group,
#                            canonical, build_tag, workflow, base, platforms,
#                            rust_tag, previous_build, architectures, and
#                            writes the tags to WORK/aliases)
#   decide_probe LINE WORK   HEADs every name the decision reads (one
#                            image-probe): the canonical tag, its build tag,
#                            the original workflow's name, the aliases, the
#                            previous release's build tag and, under
#                            REFRESH_BASE=1, the base tags (WORK/probe);
#                            LINE's fields read first (one of the two above)
#   decide_judge             the decision, from WORK/probe and $STATE only:
#                            sets action and decision (the line printed),
#                            writes WORK/targets (the tags to point at the
#                            source, or for the build to push), WORK/held
#                            (where the tags that move are now) and
#                            WORK/losing ("TAG<TAB>PLATFORMS" it would take
#                            away), WORK/unknown (images whose platforms
#                            neither a record nor a name tells)
#
# action is one of: build (no canonical image), rebuild (why), wait (the
# base, by its digest, was found not to be the build of the group's commit
# by an earlier run: REFRESH_BASE=1 knows the digest), adopt (the
# original workflow's image), alias-only (the image exists, tags to point at
# it), in-place (nothing to do but the stamp), refuse (a tag would lose a
# platform).  Otherwise a base that is not yet the build of the group's
# commit is found by the build's one GET of the base index: the group then
# waits, and the verdict is recorded ($STATE/verdicts).
#
# Knobs: STATE, ALLOW_FEWER_PLATFORMS, REFRESH_BASE; REPAIR (make repair).
# shellcheck shell=sh
# The fields decide_probe sets are its callers' (commit, repo, rust_tag, ...).
# shellcheck disable=SC2034

# decide_tool CMD...: a registry tool whose request count names the group
# ("image-probe [key16]: requests: ...": under make -j the lines interleave).
decide_tool() {
	decide_status=0
	"$@" 2>"$dwork/stderr" || decide_status=$?
	sed "s/^\([a-z-]*\): requests: /\1 [$key]: requests: /" "$dwork/stderr" >&2
	return $decide_status
}

# The fields of a plan line the decision reads, one a line, then its tags:
# read by one jq (a start costs ~20 ms), for all of them.
decide_fields='.group_key_tag, .group_key, .canonical, .build_tag,
	(.workflow_canonical // ""), .base, (.platforms | join(",")),
	.representative_rust_tag, (.previous_build_tag // ""),
	(.architectures | join(",")), .tags[]'

decide_select() {
	jq -r --arg k "$1" "select(.group_key_tag == \$k) | tojson, $decide_fields" \
		"$STATE/plan.jsonl" >"$2/line+fields" || return 1
	IFS= read -r line <"$2/line+fields" || return 1
	tail -n +2 "$2/line+fields" >"$2/fields" && decide_read "$2"
}

decide_fields_of() {
	printf '%s\n' "$1" | jq -r "$decide_fields" >"$2/fields" && decide_read "$2"
}

# decide_read WORK: the fields of WORK/fields in the variables, the tags in
# WORK/aliases (for the two above)
decide_read() {
	dwork=$1
	{
		read -r key
		read -r group
		read -r canonical
		read -r build_tag
		read -r workflow
		read -r base
		read -r platforms
		read -r rust_tag
		read -r previous_build
		read -r architectures
	} <"$dwork/fields"
	tail -n +11 "$dwork/fields" >"$dwork/aliases"
}

decide_probe() {
	line=$1 dwork=$2
	commit=${group%%:*}
	repo=${canonical%:*}
	want=$(sorted_platforms "$platforms")
	context=$(cat "$STATE/context")
	# previous_build: the previous release's build tag of these very inputs
	# (tag-gen --previous): where the latest* tags usually are when a release
	# is published.  At a digest, it proves that image's platforms (the
	# group's own, hashed in its name), so a fresh state needs no GET.
	# REFRESH_BASE=1: the base's digest (HEADed by the bases stage) names
	# the base tag of an image built from it; the tracked tag says that the
	# image's base tag is to be believed (see README: bases kept fresh).
	base_digest='' base_tag='' tracked_tag=''
	if [ "${REFRESH_BASE:-}" = 1 ]; then
		base_digest=$(recorded_base_digest "$base")
		if [ -n "$base_digest" ]; then
			base_tag=$(base_build_tag "$line" "$context" "$base_digest")
			tracked_tag=$(base_build_tag "$line" "$context" tracked)
		fi
	fi
	for ref in "$canonical" "$build_tag" "$workflow" "$tracked_tag" "$base_tag" "$previous_build"; do
		[ -z "$ref" ] || printf '%s\n' "$ref"
	done >"$dwork/names"
	cat "$dwork/names" "$dwork/aliases" >"$dwork/refs.all"
	awk '!seen[$0]++' "$dwork/refs.all" >"$dwork/refs"
	decide_tool image-probe <"$dwork/refs" >"$dwork/probe" || die "cannot probe $canonical"
}

# decide_platforms DIGEST: sets held to the platforms of repo@DIGEST, as
# recorded, or proven by a build tag of these inputs at DIGEST (recorded
# then), else "".
decide_platforms() {
	held=$(recorded_platforms "$1")
	[ -z "$held" ] || return 0
	for ref in "$build_tag" "$previous_build"; do
		if [ -n "$ref" ] && [ "$(digest_in "$dwork/probe" "$ref")" = "$1" ]; then
			held=$want
			record_platforms "$1" "$held"
			return 0
		fi
	done
}

decide_judge() {
	canonical_digest=$(digest_in "$dwork/probe" "$canonical")
	workflow_digest=-
	[ -z "$workflow" ] || workflow_digest=$(digest_in "$dwork/probe" "$workflow")
	source=$(source_of "$dwork/probe" "$canonical" "$build_tag" "$workflow")
	source_platforms=$want
	: >"$dwork/unknown"
	cp "$dwork/aliases" "$dwork/targets"
	action='' why='' waiting=''
	# An image of the original workflow (found under its name, or adopted
	# by an earlier run: the canonical tag at its digest) counts as built
	# from these inputs when it has these platforms: its build tag is
	# pointed at it, so a run with a fresh STATE finds it, builds nothing.
	if [ -n "$workflow" ] && { [ "$source" = "$workflow" ] ||
		{ [ -z "$source" ] && [ "$workflow_digest" != - ] &&
			[ "$canonical_digest" = "$workflow_digest" ]; }; }; then
		decide_platforms "$workflow_digest"
		if [ -n "$held" ] && [ "$held" != "?" ] && [ -z "$(lost_platforms "$held" "$want")" ] &&
			[ -z "$(lost_platforms "$want" "$held")" ]; then
			source=$workflow action=adopt
			why="found under the original workflow's name $workflow: not rebuilt; it has $want: its build tag points at it too"
			echo "$build_tag" >>"$dwork/targets"
		elif [ "$source" = "$workflow" ]; then
			action=adopt
			if [ -z "$held" ]; then
				echo "$workflow_digest" >"$dwork/unknown"
				why="found under the original workflow's name $workflow: not rebuilt; if it has $want (read first), its build tag is pointed at it too"
			else
				why="found under the original workflow's name $workflow: not rebuilt (it has $held, not $want)"
				# a single image: its platform is not known, fewer than any
				if [ "$held" = "?" ]; then source_platforms=; else source_platforms=$held; fi
			fi
		elif [ -z "$held" ]; then
			echo "$workflow_digest" >"$dwork/unknown"
			why="$canonical is the original workflow's image, adopted without its build tag: kept if it has $want (read first), else rebuilt"
		fi
	fi
	if [ -n "$source" ] && [ -n "$tracked_tag" ] && [ "$source" = "$build_tag" ]; then
		source_digest=$(digest_in "$dwork/probe" "$source")
		if [ "$(digest_in "$dwork/probe" "$tracked_tag")" != "$source_digest" ]; then
			# built before REFRESH_BASE (or by a run without it): no name
			# says its base; the base of now is taken to be it
			why="built before REFRESH_BASE=1: its base is taken to be ${base%:*}@$base_digest (its base tag and tracked tag point at it)"
			echo "$tracked_tag" >>"$dwork/targets"
			echo "$base_tag" >>"$dwork/targets"
		elif [ "$(digest_in "$dwork/probe" "$base_tag")" != "$source_digest" ]; then
			source='' action=rebuild
			why="its base changed since it was built: $base is ${base%:*}@$base_digest now (REFRESH_BASE=1)"
		fi
	fi
	if [ -z "$source" ]; then
		[ -n "$action" ] || action=build
		if [ "$action" = build ] && [ "$canonical_digest" != - ]; then
			action=rebuild
			[ -n "$why" ] || why="$canonical was built from other platforms or another build context"
		fi
		# the verdict on a base digest never changes (its bytes do not):
		# recorded by the last run that read it (REFRESH_BASE=1 names it)
		waiting=$(recorded_verdict "$base_digest" "$commit" "$platforms")
		[ -z "$waiting" ] || action='wait'
	fi
	if [ -z "$source" ]; then
		# the build pushes the canonical tag and the aliases (and, under
		# REFRESH_BASE, its base tag and tracked tag: named once the build
		# has pinned the base)
		{ echo "$canonical"; cat "$dwork/aliases"; } >"$dwork/moving"
		source_digest=
	else
		# the canonical name is one more alias of the source
		{ echo "$canonical"; cat "$dwork/targets"; } >"$dwork/targets.all"
		mv "$dwork/targets.all" "$dwork/targets"
		awk -v build="$build_tag" '$0 != build' "$dwork/targets" >"$dwork/moving"
		source_digest=$(digest_in "$dwork/probe" "$source")
	fi
	# Where the tags are now (from the probe: no request of its own).
	awk -F '\t' 'NR == FNR { at[$1] = $2; next } { print $0 "\t" (($0 in at) ? at[$0] : "-") }' \
		"$dwork/probe" "$dwork/moving" >"$dwork/held"
	ntags=$(wc -l <"$dwork/held")
	would_move=$(awk -F '\t' -v src="$source_digest" '$2 != "-" && $2 != src { n++ } END { print n + 0 }' "$dwork/held")
	would_create=$(awk -F '\t' '$2 == "-" { n++ } END { print n + 0 }' "$dwork/held")
	decide_fewer
	if [ -z "$action" ]; then
		action=alias-only
		[ $((would_move + would_create)) -ne 0 ] || action=in-place
	fi

	unknown=$(wc -l <"$dwork/unknown")
	reads=
	[ "$unknown" -eq 0 ] ||
		reads="; first $unknown GET: the platforms of $unknown images that no record or name tells"
	if [ -s "$dwork/losing" ]; then
		lose=$(wc -l <"$dwork/losing")
		read -r example lost <"$dwork/losing"
		decision="refuse: $lose tags would lose platforms, e.g. ${example##*:} loses $lost (ALLOW_FEWER_PLATFORMS=1 allows it)"
		action=refuse
		return 0
	fi
	case $action in
	wait)
		decision="wait: ${why:+$why; }$base is ${base%:*}@$base_digest, which is not the build of the group's commit for $waiting (read by an earlier run; no request)" ;;
	build | rebuild)
		decision="$action: ${why:+$why; }for $platforms from $base (1 GET checks that it is the build of the group's commit first, else the group waits); push its $ntags tags: $would_move to move, $would_create new$reads" ;;
	in-place) decision="in-place: its $ntags tags are at $source$reads" ;;
	*)
		decision="$action: ${why:+$why; }point its $ntags tags at $source: $would_move to move, $would_create new (1 GET)$reads" ;;
	esac
	[ -z "$following" ] || decision="$decision; $following"
}

# decide_fewer: a tag never moves to an image that lacks a platform its
# image has (unless ALLOW_FEWER_PLATFORMS=1): for each image other than the
# source that the tags are at, its platforms as recorded or proven by a
# name (decide_platforms), else it is unknown (a GET before a tag moves).
# Only what the publish takes away counts: a platform the group's entry no
# longer offers was dropped upstream, and the tags follow it.  Repair
# restores the tags of the group's own build: it does not ask.
decide_fewer() {
	: >"$dwork/losing"
	following=
	[ -z "$ALLOW_FEWER_PLATFORMS" ] || return 0
	[ -z "${REPAIR:-}" ] || [ "$source" != "$build_tag" ] || return 0
	awk -F '\t' -v src="$source_digest" '$2 != "-" && $2 != src && !seen[$2]++ { print $2 }' \
		"$dwork/held" >"$dwork/held.digests"
	offered_platforms "$architectures" "$dwork/offered"
	offered=$(cat "$dwork/offered")
	: >"$dwork/following"
	while IFS= read -r digest; do
		decide_platforms "$digest"
		if [ -z "$held" ]; then
			grep -qxF "$digest" "$dwork/unknown" || echo "$digest" >>"$dwork/unknown"
			continue
		fi
		[ "$held" != "?" ] || continue
		lost=$(lost_platforms "$held" "$source_platforms" "$offered")
		[ -z "$lost" ] || awk -F '\t' -v d="$digest" -v lost="$lost" \
			'$2 == d { print $1 "\t" lost }' "$dwork/held" >>"$dwork/losing"
		gone=$(lost_platforms "$held" "$source_platforms,$offered")
		[ -z "$gone" ] || awk -F '\t' -v d="$digest" -v gone="$gone" \
			'$2 == d { print gone }' "$dwork/held" >>"$dwork/following"
	done <"$dwork/held.digests"
	if [ -s "$dwork/following" ]; then
		sort -u "$dwork/following" >"$dwork/gone"
		gone=$(paste -sd ' ' "$dwork/gone")
		following="following library/rust: $(wc -l <"$dwork/following") tags lose $gone, which its entry for the group no longer has"
	fi
}
