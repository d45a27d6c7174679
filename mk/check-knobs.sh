#!/bin/sh
# mk/check-knobs.sh [GOAL...]: every knob of the pipeline checked before the
# first request (mk/locked.sh runs it first), each wrong one said in one
# line naming it and what is wrong; exit 1 after the first.  The builder is
# checked to be installed only for the goals that build (publish, group,
# repair).  The knobs taken from the environment rather than the command
# line (KNOBS_FROM_ENVIRONMENT, from the Makefile) are named, so a stray
# VERSION or STATE of a CI job's environment does not act unseen.
set -eu
me=pipeline
. mk/lib.sh

builds=
for goal; do
	case $goal in publish | group | repair) builds=1 ;; esac
done

for name in ${KNOBS_FROM_ENVIRONMENT:-}; do
	eval "value=\${$name-}"
	# shellcheck disable=SC2154 # value is set by the eval above
	say "$name from the environment: $name=$value"
done

# no_controls NAME VALUE: a value with a control character (a newline, ...)
# is refused before any other check looks at it line by line.
no_controls() {
	case $2 in
	*[[:cntrl:]]*) die "$1: contains a control character" ;;
	esac
}

# repository NAME VALUE: a repository as tag-gen reads --image (no scheme,
# no tag or digest, lowercase), said in tag-gen's words.
repository() {
	case $2 in
	*://*) die "$1=$2: give a repository ([host[:port]/]name), not a URL" ;;
	esac
	if ! err=$(tag-gen --version 0.0.0 --image "$2" </dev/null 2>&1 >/dev/null); then
		die "$1=$2: ${err#*: --image \"*\": }"
	fi
}

# seconds NAME VALUE [MIN]: a whole number of seconds, MIN (default 1) or more.
seconds() {
	case $2 in
	'' | *[!0-9]* | ??????*) die "$1=$2: want a number of seconds (${3:-1} to 99999)" ;;
	esac
	[ "$2" -ge "${3:-1}" ] || die "$1=$2: want a number of seconds (${3:-1} to 99999)"
}

for name in IMAGE UPSTREAM LIBRARY TAGS_FROM VERSION BASE_REPO TAG_FORMAT VERSION_ARG \
	PLATFORMS BUILDER CONTEXT STATE DRY_RUN LOCK_WAIT TAGS_TIMEOUT LIBRARY_TIMEOUT \
	ALLOW_FEWER_PLATFORMS REFRESH_BASE MIRRORS; do
	eval "value=\${$name-}"
	no_controls "$name" "$value"
done

# UPSTREAM names an official image: it goes into LIBRARY's URL and
# BASE_REPO by default
case ${UPSTREAM-} in
'' | [!a-z0-9]* | *[!a-z0-9._-]* | *[._-]) die "UPSTREAM=${UPSTREAM-}: want an official image's name (rust, golang, python, ...)" ;;
esac

[ -z "$IMAGE" ] || repository IMAGE "$IMAGE"

# MIRRORS: repositories as IMAGE is, none IMAGE itself, none twice (as
# docker names them: docker.io/library/x is x)
full_name() {
	full_host=$(registry_of "$1")
	full_path=${1#"$full_host"/}
	case $full_host/$full_path in
	docker.io/*/*) echo "$full_host/$full_path" ;;
	docker.io/*) echo "docker.io/library/$full_path" ;;
	*) echo "$full_host/$full_path" ;;
	esac
}
mirrors_seen=' '
[ -z "$IMAGE" ] || mirrors_seen=" $(full_name "$IMAGE") "
set -f
for mirror in ${MIRRORS:-}; do
	repository MIRRORS "$mirror"
	name=$(full_name "$mirror")
	case $mirrors_seen in
	*" $name "*)
		[ -z "$IMAGE" ] || [ "$name" != "$(full_name "$IMAGE")" ] ||
			die "MIRRORS=$MIRRORS: $mirror is IMAGE itself"
		die "MIRRORS=$MIRRORS: $mirror is named twice" ;;
	esac
	mirrors_seen="$mirrors_seen$name "
done
set +f
[ -n "$BASE_REPO" ] || die "BASE_REPO=: empty; want the repository of the base images"
repository BASE_REPO "$BASE_REPO"

# the format is tag-gen's, said in its words; the tags it makes of the
# library file's aliases are checked by the plan, before any registry request
[ -n "${TAG_FORMAT-}" ] || die "TAG_FORMAT=: empty; want the aliases' names, with {version} and {tag}"
if ! err=$(tag-gen --version 0.0.0 --image chef --format "$TAG_FORMAT" </dev/null 2>&1 >/dev/null); then
	die "TAG_FORMAT=$TAG_FORMAT: ${err#*: --format \"*\": }"
fi
case ${VERSION_ARG-} in
BASE_IMAGE) die "VERSION_ARG=BASE_IMAGE: that build argument is the base image's" ;;
'' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) die "VERSION_ARG=${VERSION_ARG-}: want a build argument's name ([A-Za-z_][A-Za-z0-9_]*)" ;;
esac

if ! err=$(arch-filter --allow "$PLATFORMS" </dev/null 2>&1 >/dev/null); then
	die "PLATFORMS=$PLATFORMS: ${err#arch-filter: --allow: }"
fi

if [ -n "$VERSION" ]; then
	if ! err=$(printf 'v%s\n' "${VERSION#v}" | semver-check 2>&1 >/dev/null); then
		case $err in
		*'is a pre-release'*) ;; # said by the version stage: nothing to publish
		*) die "VERSION=$VERSION is not a semantic version (want X.Y.Z)" ;;
		esac
	fi
fi

[ -n "$LIBRARY" ] || die "LIBRARY=: empty; want a URL or a path"
case $LIBRARY in
http://* | https://* | file://*) ;;
*://*) die "LIBRARY=$LIBRARY: want an http(s) URL or a path" ;;
*) [ -f "$LIBRARY" ] || die "LIBRARY=$LIBRARY: no such file" ;;
esac
case $TAGS_FROM in
-*) die "TAGS_FROM=$TAGS_FROM: want a git repository (URL or path)" ;;
esac

case $BUILDER in
'' | buildx | buildah) ;;
*) die "BUILDER=$BUILDER: want buildx or buildah (empty: buildx when docker buildx works)" ;;
esac
case ${BUILDAH_PUSH:-each} in
each | once) ;;
*) die "BUILDAH_PUSH=$BUILDAH_PUSH: want once or each" ;;
esac
if [ -n "$builds" ] && [ -z "$DRY_RUN" ]; then
	case $BUILDER in
	buildx)
		docker buildx version >/dev/null 2>&1 ||
			die "BUILDER=buildx: docker buildx is not installed (or docker is not running)" ;;
	buildah)
		command -v buildah >/dev/null 2>&1 || die "BUILDER=buildah: buildah is not installed" ;;
	'')
		docker buildx version >/dev/null 2>&1 || command -v buildah >/dev/null 2>&1 ||
			die "BUILDER=: empty, and neither docker buildx nor buildah is installed" ;;
	esac
fi

[ -f "$CONTEXT/Dockerfile" ] || die "CONTEXT=$CONTEXT: no Dockerfile in it"

[ -n "$STATE" ] || die "STATE=: empty; want a directory"
if [ -e "$STATE" ]; then
	{ [ -d "$STATE" ] && [ -w "$STATE" ]; } || die "STATE=$STATE: not a writable directory"
else
	mkdir -p -- "$STATE" 2>/dev/null || die "STATE=$STATE: not a writable directory (cannot create it)"
fi

case $DRY_RUN in
'' | 1) ;;
*) die "DRY_RUN=$DRY_RUN: want 1 or empty" ;;
esac
case $ALLOW_FEWER_PLATFORMS in
'' | 1) ;;
*) die "ALLOW_FEWER_PLATFORMS=$ALLOW_FEWER_PLATFORMS: want 1 or empty" ;;
esac
case ${REFRESH_BASE:-} in
'' | 1) ;;
*) die "REFRESH_BASE=$REFRESH_BASE: want 1 or empty" ;;
esac
seconds LOCK_WAIT "$LOCK_WAIT" 0
seconds TAGS_TIMEOUT "$TAGS_TIMEOUT"
seconds LIBRARY_TIMEOUT "$LIBRARY_TIMEOUT"
