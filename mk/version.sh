#!/bin/sh
# mk/version.sh OUT: stage 1, the version to publish.  Writes OUT as one line
# "X.Y.Z yes|no": the release to publish and whether latest* may move to it
# (only when it is the greatest release among the tags of TAGS_FROM, so an
# older VERSION or the rerun of an old job never moves latest* back), or
# "none" when there is nothing to publish (not a release: said, exit 0).
# OUT is rewritten only when it changes, as $STATE/previous: the release
# before it, when latest* moves (else empty).  Knobs: VERSION, TAGS_FROM, and
# TAGS_TIMEOUT, the seconds git ls-remote may take (a server that accepts
# and never answers would hold the run forever).
set -eu
me=version
. mk/lib.sh

out=$1
stage_begin "$out"
tags=$tmp.tags

if [ -n "$TAGS_FROM" ]; then
	# no prompt for a password: nobody is there to type it
	status=0
	GIT_TERMINAL_PROMPT=0 timeout "${TAGS_TIMEOUT:-60}" \
		git ls-remote --tags --refs "$TAGS_FROM" >"$tags" || status=$?
	why="cannot list the tags of TAGS_FROM=$TAGS_FROM"
	[ $status -ne 124 ] ||
		why="git ls-remote of TAGS_FROM=$TAGS_FROM did not answer within ${TAGS_TIMEOUT:-60}s (TAGS_TIMEOUT)"
	if [ $status -ne 0 ]; then
		[ -n "$VERSION" ] || die "$why"
		# VERSION is given: it can be published, but not known to be the
		# greatest release, so latest* stays (never moved back by mistake)
		say "$why"
		say "so whether VERSION=$VERSION is the greatest release is not known: latest* stays where it is;" \
			"to publish it without asking, say TAGS_FROM= (latest* then stays too)"
		: >"$tags"
		unknown_greatest=1
	fi
fi

if [ -n "$VERSION" ]; then
	version=${VERSION#v}
	if ! semver-check --is-release "$version" 2>/dev/null; then
		case $version in
		[0-9]*.[0-9]*.[0-9]*-*)
			say "VERSION=$VERSION is a pre-release: nothing to publish"
			echo none >"$tmp" ;;
		*) die "VERSION=$VERSION is not a semantic version (want X.Y.Z)" ;;
		esac
	else
		latest=no
		if [ -s "$tags" ] && greatest=$(semver-check --releases-only "$tags" 2>/dev/null) &&
			[ "$greatest" = "$version" ]; then
			latest=yes
		fi
		if [ $latest = no ] && [ -z "$TAGS_FROM" ]; then
			say "TAGS_FROM is empty: latest* stays where it is; $version is published under its own tags"
		elif [ $latest = no ] && [ -z "${unknown_greatest:-}" ]; then
			say "$version is not the greatest release of TAGS_FROM: latest* stays where it is"
		fi
		echo "$version $latest" >"$tmp"
	fi
else
	[ -n "$TAGS_FROM" ] || die "set VERSION=X.Y.Z or TAGS_FROM (a git repository of release tags)"
	set +e
	version=$(semver-check "$tags" 2>"$tmp.err")
	status=$?
	set -e
	case $status in
	0) echo "$version yes" >"$tmp" ;;
	1)
		say "the greatest tag of TAGS_FROM is not a release: nothing to publish"
		sed 's/^/  /' "$tmp.err" >&2
		echo none >"$tmp" ;;
	*) cat "$tmp.err" >&2; die "semver-check failed" ;;
	esac
fi
# The previous release, when latest* moves to this one: where the latest*
# tags are before it (mk/decide.sh: its build tag tells their platforms).
read -r version latest <"$tmp" || :
: >"$tmp.previous"
if [ "${latest:-}" = yes ] && [ -s "$tags" ]; then
	awk -F '\t' -v v="$version" '{ t = $NF; sub(/^refs\/tags\//, "", t); sub(/^v/, "", t) } t != v' \
		"$tags" >"$tags.others"
	semver-check --releases-only "$tags.others" >"$tmp.previous" 2>/dev/null || : >"$tmp.previous"
fi
replace_if_changed "$tmp.previous" "$STATE/previous"
stage_end
