#!/bin/sh
# mk/mirror-group.sh KEY16 ID STAMP: publishes one group of the plan to one
# of MIRRORS (the one whose mirror_id is ID, mk/mirror-lib.sh) and writes
# STAMP ($STATE/mirror-stamps/ID/<the group's stamp name>) once it is done.
# IMAGE is the source of truth: the group was decided and published there
# first (mk/publish-group.sh), and its stamp records the digest; the mirror
# gets the same tags at that digest.
#  1. HEAD the group's tags on the mirror (reads of the mirror only).  A new
#     build pushed them there already (mk/build-push.sh): nothing to do.
#  2. No tag there at the digest (a mirror added later, or down during the
#     build): the image is copied from IMAGE with its children and blobs,
#     digests kept (skopeo copy --all --preserve-digests), never rebuilt.
#  3. image-alias points the others at it (HEADs; a GET of the mirror only
#     when one must move).
# A mirror's failure is not IMAGE's: it is recorded in
# $STATE/status/KEY16@ID, the script exits 0 so that every other group and
# mirror is still published, and the run fails at its end (--check).  With
# REPAIR set (make repair), it fails at once.
#
# mk/mirror-group.sh --check [KEY16]: names the mirror publishes of this run
# that failed (of KEY16's group, or of every group); exit 1 if any did.
# Knobs: MIRRORS, STATE, DRY_RUN, REGISTRY_CA_FILE.
set -eu
me=mirror
. mk/lib.sh
. mk/mirror-lib.sh

if [ "${1:-}" = --check ]; then
	me=publish failed=0
	for f in "$STATE"/status/*@*; do
		[ -e "$f" ] || continue
		name=${f##*/}
		[ -z "${2:-}" ] || [ "${name%@*}" = "$2" ] || continue
		read -r word detail <"$f" || :
		[ "$word" = mirror-failed: ] || continue
		say "$detail"
		# gha: an error annotation in GitHub Actions (mk/gha.sh)
		[ "${GITHUB_ACTIONS:-}" != true ] || printf '::error::%s\n' "$(mk/gha.sh escape "$detail")" >&2
		failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ] ||
		die "$failed mirror publishes failed (IMAGE's are done); the next run finishes only what is missing"
	exit 0
fi

[ $# -eq 3 ] || die "usage: $0 KEY16 MIRROR_ID STAMP | --check [KEY16]"
key=$1 id=$2 stamp=$3
mirror=$(mirror_of "$id") || die "no mirror $id in MIRRORS=${MIRRORS:-}"
me="mirror $mirror [$key]"
status=$STATE/status/$key@$id
image_stamp=$STATE/stamps/${stamp##*/}
mkdir -p "$STATE/status"
rm -f "$status"
stage_workdir "mirror-$key"
reason='' interrupted=''
die() {
	echo "$me: error: $*" >&2
	reason=$*
	exit 1
}
finish() {
	[ "$stage_status" -ne 0 ] || return 0
	echo "mirror-failed: mirror $mirror: group $key failed: ${reason:-see above}" >"$status"
	# a mirror's failure does not stop the other groups (the run fails at
	# its end); a signal, or make repair, fails at once
	[ -n "$interrupted" ] || [ -n "${REPAIR:-}" ] || exit 0
}
stage_atexit finish
trap 'interrupted=1; exit 1' HUP INT TERM

# tool CMD...: a registry tool, its summary of requests named by the group
# and the mirror (under make -j the lines interleave).
tool() {
	tool_status=0
	"$@" 2>"$work/stderr" || tool_status=$?
	sed "s|^\([a-z-]*\): requests: |\1 [$key $mirror]: requests: |" "$work/stderr" >&2
	return $tool_status
}

if [ ! -f "$image_stamp" ]; then
	# IMAGE's publish waits, was refused, or is a dry run: nothing to follow yet
	[ -z "$DRY_RUN" ] || say "would follow IMAGE: the same tags, at the digest IMAGE gets"
	exit 0
fi
line=$(head -n 1 "$image_stamp")
digest=$(sed -n 's/^digest //p' "$image_stamp")
case $digest in sha256:*) ;; *) die "no digest in $image_stamp" ;; esac
printf '%s\n' "$line" | jq -r '.canonical, .build_tag, .tags[]' >"$work/image-refs"
{
	read -r canonical
	read -r build_tag
} <"$work/image-refs"
m_canonical=$(on_mirror "$canonical" "$mirror")
m_build=$(on_mirror "$build_tag" "$mirror")
awk -v m="$mirror" 'NR != 2 { sub(/^.*:/, ""); print m ":" $0 }' "$work/image-refs" >"$work/refs"
host=$(registry_of "$mirror")

# 1. Where the tags are on the mirror (HEADs of the mirror only).
{ echo "$m_build"; cat "$work/refs"; } >"$work/probe-refs"
tool image-probe <"$work/probe-refs" >"$work/probe" ||
	die "cannot probe its tags on $host (is it up? its credentials are those of config.json for $host)"
source=$(awk -F '\t' -v d="$digest" '$2 == d { print $1; exit }' "$work/probe")
awk -F '\t' -v d="$digest" -v b="$m_build" '$2 != d && $1 != b { print $1 }' "$work/probe" >"$work/targets"
ntags=$(wc -l <"$work/refs")
if [ "$(digest_in "$work/probe" "$m_build")" != "$digest" ]; then
	# the build tag says "built from these inputs": the mirror gets it when
	# IMAGE has it at the digest (a HEAD of IMAGE, free)
	tool image-probe "$build_tag" >"$work/image-build" || die "cannot probe $build_tag"
	[ "$(digest_in "$work/image-build" "$build_tag")" != "$digest" ] || echo "$m_build" >>"$work/targets"
fi

how=
if [ -s "$work/targets" ] && [ -z "$source" ]; then
	if [ -n "$DRY_RUN" ]; then
		say "would copy $canonical ($digest) from IMAGE (skopeo copy --all) and point its $ntags tags at it"
		exit 0
	fi
	# 2. Copied from IMAGE, with its children and blobs, digests kept.
	command -v skopeo >/dev/null 2>&1 || die "skopeo is not installed (it copies an image to a mirror)"
	auth_file "$work/auth.json"
	certdir=$(ca_cert_dir "$work")
	src_tls=$(skopeo_tls src "$canonical" "$certdir" | tr '\n' ' ')
	dest_tls=$(skopeo_tls dest "$m_canonical" "$certdir" | tr '\n' ' ')
	say "copying $canonical ($digest) from IMAGE, with its children and blobs"
	# shellcheck disable=SC2086 # options without blanks, split on purpose
	if ! skopeo copy --all --preserve-digests --retry-times "${REGISTRY_ATTEMPTS:-5}" \
		$src_tls $dest_tls --src-authfile "$work/auth.json" --dest-authfile "$work/auth.json" \
		"docker://${canonical%:*}@$digest" "docker://$m_canonical" >"$work/skopeo.log" 2>&1 </dev/null; then
		tail -n 5 "$work/skopeo.log" | sed 's/^/  /' >&2 || :
		die "cannot copy $canonical to $m_canonical (skopeo copy)"
	fi
	tool image-probe "$m_canonical" >"$work/copied" || die "cannot probe $m_canonical"
	copied=$(digest_in "$work/copied" "$m_canonical")
	[ "$copied" = "$digest" ] || die "the copy $m_canonical is at $copied, not at $digest"
	source=$m_canonical how="copied from IMAGE; "
	awk -v c="$m_canonical" '$0 != c' "$work/targets" >"$work/rest"
	mv "$work/rest" "$work/targets"
fi

# 3. Every other tag at it.
moved=$(wc -l <"$work/targets")
if [ -n "$DRY_RUN" ]; then
	if [ "$moved" -eq 0 ]; then
		say "would leave its $ntags tags where they are, at $digest"
	else
		say "would point $moved of its $ntags tags at $source"
	fi
	exit 0
fi
if [ "$moved" -gt 0 ]; then
	tool image-alias "$source" <"$work/targets" >"$work/aliases" ||
		die "cannot point its tags at $source"
	awk -F '\t' -v d="$digest" '$2 != d { bad = 1 } END { exit bad }' "$work/aliases" ||
		die "its tags are not at $digest (image-alias: $(cat "$work/aliases"))"
fi
say "done: $m_canonical ($digest), $ntags tags: ${how}$moved pointed"
stage_begin "$stamp" # $tmp: the stamp, then moved into place
{
	printf '%s\n' "$line"
	echo "digest $digest"
	echo "mirror $mirror"
} >"$tmp"
mv -f "$tmp" "$stamp"
