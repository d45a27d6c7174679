#!/bin/sh
# mk/build-push.sh BUILDER BASE VERSION PLATFORMS TAGFILE CANONICAL: builds
# CONTEXT for PLATFORMS from BASE (pinned by digest) with the build arguments
# BASE_IMAGE=BASE and $VERSION_ARG=VERSION (default CHEF_TAG) and pushes it
# as CANONICAL (publish-group.sh gives the build tag: the group is the
# plan's line whose build_tag or canonical it is, its key16 that line's
# group_key_tag).
#   buildah: daemonless; storage under $STATE/buildah/<key>, removed after.
#            BUILDAH_PUSH=each (the default): one `manifest push --all` to
#            CANONICAL and to every tag of TAGFILE, each re-sending every
#            child manifest and re-checking every blob (HEADs and PUTs, no
#            counted read).  BUILDAH_PUSH=once: each child manifest and the
#            index pushed once, to CANONICAL; the tags of TAGFILE are left
#            to image-alias (publish-group.sh's next step: a HEAD and a PUT
#            of the index bytes each), which must first GET those bytes: a
#            fifth of the requests, but one counted read a build (Docker
#            Hub counts a manifest GET as a pull, and buildah does not give
#            the bytes it pushed).
#   buildx:  docker buildx build --platform ... --push --tag ... with every
#            tag of TAGFILE (QEMU for foreign platforms; not exercised by
#            the tests)
set -eu
me=build-push
. mk/lib.sh

[ $# -eq 6 ] || die "usage: $0 BUILDER BASE VERSION PLATFORMS TAGFILE CANONICAL"
builder=$1 base=$2 version=$3 platforms=$4 tagfile=$5 canonical=$6
push_pattern=${BUILDAH_PUSH:-each}
case $push_pattern in
once | each) ;;
*) die "BUILDAH_PUSH=$push_pattern: want once or each" ;;
esac
version_arg=${VERSION_ARG:-CHEF_TAG}
case $version_arg in
BASE_IMAGE | [!A-Za-z_]* | *[!A-Za-z0-9_]*) die "VERSION_ARG=$version_arg: want a build argument's name" ;;
esac

# retry N CMD...: CMD until it succeeds, N times at most, waiting
# REGISTRY_BACKOFF_MS milliseconds (default 500) after the first failure,
# twice as long after each next one (the registry tools' knobs).
retry() {
	max=$1 n=1 ms=${REGISTRY_BACKOFF_MS:-500}
	shift
	until "$@"; do
		[ "$n" -lt "$max" ] || return 1
		say "attempt $n of $max failed: again in ${ms} ms"
		sleep "$(awk -v ms="$ms" 'BEGIN { print ms / 1000 }')"
		n=$((n + 1)) ms=$((ms * 2))
	done
}

case $builder in
buildx)
	set -- docker buildx build --platform "$platforms" --provenance=false --push \
		--build-arg "BASE_IMAGE=$base" --build-arg "$version_arg=$version" \
		--file "$CONTEXT/Dockerfile" --tag "$canonical"
	while IFS= read -r tag; do
		set -- "$@" --tag "$tag"
	done <"$tagfile"
	"$@" "$CONTEXT" ;;
buildah)
	# the group's key16, from the plan (a file name below: only hex passes)
	key=$(jq -r --arg ref "$canonical" \
		'select(.build_tag == $ref or .canonical == $ref) | .group_key_tag' "$STATE/plan.jsonl")
	case $key in
	'' | *[!0-9a-f]*) die "$canonical is no group's build tag in $STATE/plan.jsonl" ;;
	esac
	root=$STATE/buildah/$key
	list=publish-$key
	# TMPDIR: buildah's temporary files (else under /var/tmp) inside the
	# storage, so that those of a killed build go with it (the next run
	# removes $STATE/buildah)
	b() {
		TMPDIR=$root/tmp buildah --root "$root/root" --runroot "$root/run" --storage-driver vfs "$@"
	}
	cleanup() {
		rm -rf "$root" "$root.refs" 2>/dev/null || say "warning: cannot remove $root"
	}
	# the auth file and the CA's cert dir, removed at exit with the storage
	stage_workdir build-auth
	authdir=$work
	stage_atexit cleanup
	# The environment's credentials are IMAGE's registry's only
	# (REGISTRY_CREDENTIALS_HOST, set by mk/lib.sh; unset: nobody's), as
	# for the registry tools: the base registry gets what config.json holds
	# for it, or nothing.  buildah gets them in an auth file of its own
	# (never in its arguments): config.json with that one entry replaced.
	if [ -n "${REGISTRY_CREDENTIALS_HOST:-}" ] && [ -n "${REGISTRY_USER:-}" ] && [ -n "${REGISTRY_PASSWORD:-}" ]; then
		REGISTRY_AUTH_FILE=$authdir/auth.json
		export REGISTRY_AUTH_FILE
		auth_file "$REGISTRY_AUTH_FILE"
	fi
	# TLS as the registry tools speak it: always verified (REGISTRY_CA_FILE's
	# CAs added, through a --cert-dir), and plain HTTP only to a loopback
	# registry whose TLS handshake fails (curl's exit 35).  buildah has no
	# connect-to: REGISTRY_CONNECT_TO's names must resolve for it.
	certdir=$(ca_cert_dir "$authdir")
	tls_of() { # REF: buildah's TLS options for REF's registry
		if plain_http "$1"; then
			echo --tls-verify=false
			return
		fi
		echo --tls-verify=true
		[ -z "$certdir" ] || echo "--cert-dir=$certdir"
	}
	pull_tls=$(tls_of "$base" | tr '\n' ' ')
	push_tls=$(tls_of "$canonical" | tr '\n' ' ')
	# from empty storage each time: an attempt that failed half way must
	# leave nothing in the list for the next one
	# --pull=always: when a platform's pull fails, buildah would otherwise
	# build from the image already in store for another platform (a warning)
	build() {
		cleanup
		mkdir -p "$root/tmp"
		# shellcheck disable=SC2086 # options without blanks, split on purpose
		b bud --isolation chroot --pull=always $pull_tls --platform "$platforms" --manifest "$list" \
			--build-arg "BASE_IMAGE=$base" --build-arg "$version_arg=$version" \
			--file "$CONTEXT/Dockerfile" "$CONTEXT"
	}
	# buildah retries a dropped connection while pulling, but not a 5xx,
	# and nothing at all in `manifest push`: retry both here.  A build that
	# fails by itself is tried 3 times (the price of not parsing buildah's
	# messages); a push sends the same bytes again, which is idempotent.
	# --format oci, the list's own: after a failed upload buildah would try
	# it converted to the Docker format, under another digest than the
	# canonical image's.
	retry 3 build
	# a file, not a pipe: sh keeps only the last member's status
	echo "$canonical" >"$root.refs"
	[ "$push_pattern" = once ] || cat "$tagfile" >>"$root.refs"
	while IFS= read -r ref; do
		# shellcheck disable=SC2086 # options without blanks, split on purpose
		retry "${REGISTRY_ATTEMPTS:-5}" b manifest push --all --format oci $push_tls "$list" "docker://$ref" </dev/null
	done <"$root.refs"
	# MIRRORS: the same pushes to each mirror, from this one build.  A
	# mirror's failure is not the build's: mk/mirror-group.sh finishes
	# there what is missing (copied from IMAGE).  buildx does not push to
	# the mirrors (one failing tag fails its whole build): they are copied.
	mirror_auth=
	if [ -z "${REGISTRY_AUTH_FILE:-}" ]; then
		mirror_auth=$(docker_config) || mirror_auth=
	fi
	set -f
	for mirror in ${MIRRORS:-}; do
		mirror_tls=$(tls_of "$mirror" | tr '\n' ' ')
		while IFS= read -r ref; do
			# shellcheck disable=SC2086 # options without blanks, split on purpose
			retry "${REGISTRY_ATTEMPTS:-5}" b manifest push --all --format oci $mirror_tls \
				${mirror_auth:+--authfile "$mirror_auth"} "$list" "docker://$mirror:${ref##*:}" </dev/null || {
				say "warning: cannot push to the mirror $mirror; its publish finishes it"
				break
			}
		done <"$root.refs"
	done
	set +f ;;
*) die "BUILDER=$builder: want buildx or buildah" ;;
esac
