#!/bin/sh
# mk/report.sh plan|matrix|verify|summary: reads of the plan in $STATE.
#   plan     per group: canonical, the decision publish would make
#            (mk/decide.sh), platforms, aliases; then the counted reads
#            (GETs) and builds publish would spend.  HEADs only.
#   matrix   the groups as a GitHub Actions matrix, one JSON line.
#   verify   every tag at its canonical digest (HEADs only); exit 1 if not.
#   summary  what the run did (publish's last words); no request.
set -eu
me=$1
[ "$me" != summary ] || me=publish
. mk/lib.sh
. mk/decide.sh

plan=$STATE/plan.jsonl
work=
if [ "$1" != summary ]; then
	stage_workdir report
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

plan() {
	if [ "$version" = none ]; then
		echo "nothing to publish (the version is not a release)"
		return 0
	fi
	context=$(cat "$STATE/context")
	if [ "$latest" = yes ]; then moves=moves; else moves="stays where it is"; fi
	echo "version $version (latest* $moves), image $IMAGE"
	[ "${REFRESH_BASE:-}" != 1 ] ||
		echo "REFRESH_BASE=1: a group whose base changed since its image was built is rebuilt"
	gets=0 builds=0 moves=0 heads=0
	# build-push: with BUILDAH_PUSH=once a buildah build's aliases cost one
	# GET of its index
	reads_per_build=1
	[ "${BUILDER:-}" = buildx ] || [ "${BUILDAH_PUSH:-each}" != once ] || reads_per_build=2
	mkdir -p "$work/group"
	while IFS= read -r line; do
		decide_fields_of "$line" "$work/group"
		stamp=$(stamp_name "$line" "$context" "$key" "$base")
		if [ -f "$STATE/stamps/$stamp" ]; then
			decision="done (stamp): no request"
		else
			# the decision publish would make (mk/decide.sh): HEADs only
			decide_probe "$line" "$work/group"
			heads=$((heads + $(wc -l <"$work/group/refs")))
			decide_judge
			gets=$((gets + unknown))
			case $action in
			build | rebuild) gets=$((gets + reads_per_build)) builds=$((builds + 1)) moves=$((moves + would_move)) ;;
			alias-only | adopt) gets=$((gets + 1)) moves=$((moves + would_move)) ;;
			esac
		fi
		platforms=$(printf '%s' "$platforms" | tr , ' ')
		# the tags, without their repository
		aliases=$(sed 's/^.*://' "$work/group/aliases" | paste -sd ' ' -)
		echo
		echo "group $key  $group"
		echo "  canonical  $canonical"
		echo "  decision   $decision"
		echo "  platforms  $platforms"
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
