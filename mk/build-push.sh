#!/bin/sh
# mk/build-push.sh BUILDER BASE VERSION PLATFORMS TAGFILE CANONICAL: builds
# CONTEXT for PLATFORMS from BASE (pinned by digest) with CHEF_TAG=VERSION and
# pushes it as CANONICAL and as every tag of TAGFILE (one a line): pushing
# the aliases with the build costs no registry read.
#   buildx:  docker buildx build --platform ... --push --tag ... (QEMU for
#            foreign platforms; a matrix job of .github/workflows/publish.yml)
#   buildah: daemonless; storage under $STATE/buildah/<key>, removed after
set -eu
me=build-push
. mk/lib.sh

[ $# -eq 6 ] || die "usage: $0 BUILDER BASE VERSION PLATFORMS TAGFILE CANONICAL"
builder=$1 base=$2 version=$3 platforms=$4 tagfile=$5 canonical=$6

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

# registry_of REF: the registry host of an image reference; docker.io when
# its first part names none (no dot, colon, or localhost), as docker reads it.
registry_of() {
	first=
	case $1 in */*) first=${1%%/*} ;; esac
	case $first in
	*.* | *:* | localhost) echo "$first" ;;
	*) echo docker.io ;;
	esac
}

case $builder in
buildx)
	set -- docker buildx build --platform "$platforms" --provenance=false --push \
		--build-arg "BASE_IMAGE=$base" --build-arg "CHEF_TAG=$version" \
		--file "$CONTEXT/Dockerfile" --tag "$canonical"
	while IFS= read -r tag; do
		set -- "$@" --tag "$tag"
	done <"$tagfile"
	"$@" "$CONTEXT" ;;
buildah)
	key=${canonical##*-base-}
	root=$STATE/buildah/$key
	list=publish-$key
	b() {
		buildah --root "$root/root" --runroot "$root/run" --storage-driver vfs "$@"
	}
	cleanup() {
		rm -rf "$root" 2>/dev/null || say "warning: cannot remove $root"
	}
	authdir=
	trap 'cleanup; [ -z "$authdir" ] || rm -rf "$authdir"' EXIT
	# Credentials in the environment win, as for the registry tools; buildah
	# gets them in an auth file of its own (never in its arguments), else
	# it reads $DOCKER_CONFIG/config.json (or ~/.docker's) as they do.
	if [ -n "${REGISTRY_USER:-}" ] && [ -n "${REGISTRY_PASSWORD:-}" ]; then
		authdir=$(mktemp -d "${TMPDIR:-/tmp}/build-auth.XXXXXX")
		REGISTRY_AUTH_FILE=$authdir/auth.json
		export REGISTRY_AUTH_FILE
		jq -n --arg from "$(registry_of "$base")" --arg to "$(registry_of "$canonical")" '
			("\($ENV.REGISTRY_USER):\($ENV.REGISTRY_PASSWORD)" | @base64) as $auth
			| {auths: {($from): {$auth}, ($to): {$auth}}}' >"$REGISTRY_AUTH_FILE"
	fi
	pull_tls=--tls-verify=true
	! loopback "$base" || pull_tls=--tls-verify=false
	push_tls=--tls-verify=true
	! loopback "$canonical" || push_tls=--tls-verify=false
	# from empty storage each time: an attempt that failed half way must
	# leave nothing in the list for the next one
	# --pull=always: when a platform's pull fails, buildah would otherwise
	# build from the image already in store for another platform (a warning)
	build() {
		cleanup
		b bud --isolation chroot --pull=always "$pull_tls" --platform "$platforms" --manifest "$list" \
			--build-arg "BASE_IMAGE=$base" --build-arg "CHEF_TAG=$version" \
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
	{ echo "$canonical"; cat "$tagfile"; } >"$root/refs"
	while IFS= read -r ref; do
		retry "${REGISTRY_ATTEMPTS:-5}" b manifest push --all --format oci "$push_tls" "$list" "docker://$ref" </dev/null
	done <"$root/refs" ;;
*) die "BUILDER=$builder: want buildx or buildah" ;;
esac
