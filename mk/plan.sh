#!/bin/sh
# mk/plan.sh OUT: stage 3, the plan.  The library file's groups, limited to
# PLATFORMS and named for VERSION in IMAGE, one pipe:
#   rust-groups | arch-filter --allow PLATFORMS | tag-gen --version V --image IMAGE ...
# one JSON line per group.  Every name comes from the filters (tags.c):
# "canonical" and "tags" (aliases in TAG_FORMAT); "base", the base image to
# build from (BASE_REPO:<representative tag>); "build_tag", the canonical
# tag followed by ".<8 hex>" of the hash of what the build is made from
# besides the group's sources (its platforms and the build context), pushed
# with every build: its absence next to an existing canonical image says
# that a platform was added or the Dockerfile changed; and, for cargo-chef's
# own names only (UPSTREAM=rust and the default TAG_FORMAT), the original
# workflow's canonical name for the same sources, "workflow_canonical", so
# what it published is found.  Empty when the version stage found nothing
# to publish.  Rewritten only when it changes.
set -eu
me=plan
. mk/lib.sh

out=$1
stage_begin "$out"
read -r version latest <"$STATE/version" || die "no version in $STATE/version"

if [ "$version" != none ]; then
	[ -n "$IMAGE" ] || die "IMAGE is empty"
	context=$(cat "$STATE/context")
	set -- --version "$version" --image "$IMAGE" --format "${TAG_FORMAT:?}" \
		--base "$BASE_REPO" --context "$context"
	[ "$latest" = yes ] || set -- "$@" --no-latest
	# the previous release, when latest* moves (mk/version.sh): its build
	# tag of the same inputs tells where the latest* tags are, by a HEAD
	previous=
	[ ! -s "$STATE/previous" ] || read -r previous <"$STATE/previous"
	[ -z "$previous" ] || set -- "$@" --previous "$previous"
	# the original workflow published rust's images only (and tag-gen names
	# them only in its own format)
	keys=
	[ "${UPSTREAM:?}" != rust ] || keys=--with-workflow-keys
	# sh keeps only the last member's status: each member writes its name
	# to $tmp.failed when it fails
	: >"$tmp.failed"
	# shellcheck disable=SC2086 # $keys is one option or none
	{ rust-groups $keys "$STATE/library" || echo rust-groups >>"$tmp.failed"; } |
		{ arch-filter --allow "$PLATFORMS" || echo arch-filter >>"$tmp.failed"; } |
		{ tag-gen "$@" || echo tag-gen >>"$tmp.failed"; } >"$tmp"
	[ ! -s "$tmp.failed" ] || die "$(paste -sd ' ' "$tmp.failed") failed"
fi
stage_end
