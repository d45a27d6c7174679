#!/bin/sh
# mk/report.sh plan|matrix|verify|summary: reads of the plan in $STATE.
#   plan     per group: canonical, state, platforms, aliases; then the
#            counted reads (GETs) and builds publish would spend.  HEADs only.
#   matrix   the groups as a GitHub Actions matrix, one JSON line.
#   verify   every tag at its canonical digest (HEADs only); exit 1 if not.
#   summary  what the run did (publish's last words); no request.
set -eu
me=$1
[ "$me" != summary ] || me=publish
. mk/lib.sh

plan=$STATE/plan.jsonl
work=
if [ "$1" != summary ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/report.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi
read -r version latest <"$STATE/version" || die "no version in $STATE/version"

# probe FILE: image-probe of the refs of FILE (one a line) into FILE.probe.
probe() {
	if [ -s "$1" ]; then
		image-probe <"$1" >"$1.probe" || die "cannot probe $IMAGE"
	else
		: >"$1.probe"
	fi
}

# fewer PROBE SOURCE_DIGEST PLATFORMS: sets fewer to what moving the tags of
# PROBE (those not at SOURCE_DIGEST) to an image of PLATFORMS would take
# away, by the platforms this state recorded (no request); adds to gets the
# reads publish would spend on images whose platforms it does not know.
# Platforms the group's entry ($line, the plan's) no longer offers are not
# counted: the tags follow upstream there (lost_platforms, mk/lib.sh).
fewer() {
	fewer='' lose=0 unknown=0 example=''
	offered_platforms "$line" "$work/offered"
	offered=$(cat "$work/offered")
	awk -F '\t' -v src="$2" '$2 != "-" && $2 != src && !seen[$2]++ { print $2 }' "$1" >"$work/held"
	: >"$work/lost"
	while IFS= read -r digest; do
		had=$(recorded_platforms "$digest")
		if [ -z "$had" ]; then
			unknown=$((unknown + 1))
			continue
		fi
		lost=$(lost_platforms "$had" "$3" "$offered")
		[ -z "$lost" ] || awk -F '\t' -v d="$digest" -v lost="$lost" \
			'$2 == d { print $1 "\t" lost }' "$1" >>"$work/lost"
	done <"$work/held"
	if [ -s "$work/lost" ] && [ -z "$ALLOW_FEWER_PLATFORMS" ]; then
		lose=$(wc -l <"$work/lost")
		read -r example lost <"$work/lost"
		fewer="refused: $lose tags would lose platforms, e.g. ${example##*:} loses $lost (ALLOW_FEWER_PLATFORMS=1 allows it)"
	elif [ "$unknown" -gt 0 ] && [ -z "$ALLOW_FEWER_PLATFORMS" ]; then
		fewer="tags at $unknown images whose platforms this state does not know: 1 GET each to check before they move"
		gets=$((gets + unknown))
	fi
}

plan() {
	if [ "$version" = none ]; then
		echo "nothing to publish (the version is not a release)"
		return 0
	fi
	context=$(cat "$STATE/context")
	if [ "$latest" = yes ]; then moves=moves; else moves="stays where it is"; fi
	echo "version $version (latest* $moves), image $IMAGE"
	# HEAD the canonical (and workflow) names of the groups not done yet
	: >"$work/refs"
	while IFS= read -r line; do
		stamp=$(stamp_name "$line" "$context")
		[ -f "$STATE/stamps/$stamp" ] && continue
		printf '%s\n' "$line" | jq -r '.canonical, .build_tag, (.workflow_canonical // empty)' >>"$work/refs"
	done <"$plan"
	probe "$work/refs"
	gets=0 builds=0 moves=0 heads=$(wc -l <"$work/refs")
	# build-push: with BUILDAH_PUSH=once a buildah build's aliases cost one
	# GET of its index
	reads_per_build=1 alias_read=
	[ "${BUILDER:-}" = buildx ] || [ "${BUILDAH_PUSH:-each}" != once ] ||
		reads_per_build=2 alias_read=", 1 to alias the build"
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -r '.group_key_tag, .group_key, .canonical, .build_tag,
			(.workflow_canonical // ""), .base, (.platforms | join(" ")),
			(.tags | map(sub("^.*:"; "")) | join(" "))' >"$work/fields"
		{
			read -r key
			read -r group
			read -r canonical
			read -r build_tag
			read -r workflow
			read -r base
			read -r platforms
			read -r aliases
		} <"$work/fields"
		fewer=
		stamp=$(stamp_name "$line" "$context")
		if [ -f "$STATE/stamps/$stamp" ]; then
			state="done (stamp): no request"
		else
			source=$(source_of "$work/refs.probe" "$canonical" "$build_tag" "$workflow")
			if [ -z "$source" ]; then
				state="to build from $base (1 GET to check it$alias_read)"
				[ "$(digest_in "$work/refs.probe" "$canonical")" = - ] ||
					state="to rebuild: built from other platforms or another build context; from $base (1 GET to check it$alias_read)"
				gets=$((gets + reads_per_build)) builds=$((builds + 1))
				printf '%s\n' "$line" | jq -r '.tags[]' >"$work/tags"
				echo "$canonical" >>"$work/tags"
				probe "$work/tags"
				heads=$((heads + $(wc -l <"$work/tags")))
				fewer "$work/tags.probe" "" "$(sorted_platforms "$platforms")"
			else
				# which tags would move: HEAD them now
				printf '%s\n' "$line" | jq -r '.tags[]' >"$work/tags"
				echo "$canonical" >>"$work/tags"
				probe "$work/tags"
				heads=$((heads + $(wc -l <"$work/tags")))
				want=$(digest_in "$work/refs.probe" "$source")
				n=$(awk -F '\t' -v d="$want" '$2 != d { n++ } END { print n + 0 }' "$work/tags.probe")
				state="exists"
				[ "$source" != "$workflow" ] || state="exists under the workflow's name $workflow"
				fewer "$work/tags.probe" "$want" "$(sorted_platforms "$platforms")"
				if [ "$n" -gt 0 ]; then
					state="$state; $n tags to move (1 GET)"
					gets=$((gets + 1)) moves=$((moves + n))
				else
					state="$state; every tag in place"
				fi
			fi
		fi
		echo
		echo "group $key  $group"
		echo "  canonical  $canonical"
		echo "  state      $state"
		echo "  platforms  $platforms"
		[ -z "$fewer" ] || echo "  fewer      $fewer"
		echo "  aliases    $aliases"
		# MIRRORS: each mirror's state (mk/mirror-report.sh)
		[ -z "${MIRRORS:-}" ] || mk/mirror-report.sh plan "$line" "$stamp"
	done <"$plan"
	echo
	echo "publish would spend: $gets counted reads (GET), $builds builds, $moves tags moved"
	echo "this plan spent: $heads HEAD requests (not counted), 0 GET"
}

matrix() {
	jq -cs --arg version "$version" '{include: map({group: .group_key_tag,
		key: .group_key, rust: .representative_rust_tag, platforms: (.platforms | join(",")),
		version: $version})}' "$plan"
}

verify() {
	[ "$version" != none ] || { echo "nothing to verify (no release to publish)"; return 0; }
	jq -r '.canonical, .tags[]' "$plan" >"$work/refs"
	probe "$work/refs"
	jq -r '.canonical as $c | .tags[] | [., $c] | @tsv' "$plan" >"$work/pairs"
	groups=$(wc -l <"$plan") tags=0 bad=0
	while IFS="$(printf '\t')" read -r tag canonical; do
		tags=$((tags + 1))
		want=$(digest_in "$work/refs.probe" "$canonical")
		got=$(digest_in "$work/refs.probe" "$tag")
		if [ "$want" = - ]; then
			echo "verify: $tag: its canonical $canonical does not exist"
		elif [ "$got" != "$want" ]; then
			echo "verify: $tag: at $got, not at $canonical ($want)"
		else
			continue
		fi
		bad=$((bad + 1))
	done <"$work/pairs"
	if [ $bad -gt 0 ]; then
		echo "verify: $bad of $tags tags of $groups groups are not at their canonical image"
		echo "verify: to point them back: make repair, with the knobs of this run (HEADs; 1 GET per group that drifted)"
		return 1
	fi
	echo "verify: $groups groups, $tags tags: every tag at its canonical digest"
}

summary() {
	[ "$version" != none ] || { say "nothing to publish"; return 0; }
	# shell builtins only: this is the last word of every run, even a no-op.
	# A group is published when its stamp exists (groups.mk keeps the
	# stamps of this plan only), waits or failed by its status.
	groups=0 published=0 waiting=0 failed=0 failed_keys='' mirrors_failed=0 mirrors_failed_keys=''
	while IFS= read -r _; do groups=$((groups + 1)); done <"$plan"
	for f in "$STATE"/stamps/*; do
		case $f in *'/*' | *.tmp.*) continue ;; esac
		published=$((published + 1))
	done
	for f in "$STATE"/status/*; do
		[ -e "$f" ] || continue
		read -r word _ <"$f" || :
		case $word in
		waiting:) waiting=$((waiting + 1)) ;;
		failed:) failed=$((failed + 1)) failed_keys="$failed_keys ${f##*/}" ;;
		mirror-failed:) # MIRRORS: "mirror-failed: mirror REPO: ..." (mk/mirror-group.sh)
			read -r _ _ mirror _ <"$f" || :
			mirror_key=${f##*/}
			mirrors_failed=$((mirrors_failed + 1))
			mirrors_failed_keys="$mirrors_failed_keys ${mirror_key%@*} on ${mirror%:}," ;;
		esac
	done
	if [ -n "$DRY_RUN" ]; then
		say "$version to $IMAGE (DRY_RUN=1): nothing changed; of $groups groups, $published done" \
			"already, $((groups - published)) would be published as said above"
		return 0
	fi
	line="$published of $groups groups published, $waiting waiting for their base, $failed failed"
	[ $failed -eq 0 ] || line="$line:$failed_keys"
	rest=$((groups - published - waiting - failed))
	[ $rest -le 0 ] || line="$line; $rest not tried (after a failure; make -k tries every group)"
	[ $mirrors_failed -eq 0 ] || line="$line; $mirrors_failed mirror publishes failed:${mirrors_failed_keys%,}"
	say "$version to $IMAGE: $line"
}

case $1 in
verify) # MIRRORS: every mirror checked too, whatever IMAGE's verdict
	status=0
	verify || status=1
	[ -z "${MIRRORS:-}" ] || mk/mirror-report.sh verify || status=1
	exit $status ;;
plan | matrix | summary) "$1" ;;
*) die "usage: $0 plan|matrix|verify|summary" ;;
esac
