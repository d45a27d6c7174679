#!/bin/sh
# mk/plan.sh OUT: stage 3, the plan.  The library file's groups, limited to
# PLATFORMS and named for VERSION in IMAGE:
#   rust-groups | arch-filter --allow PLATFORMS | tag-gen --version V --image IMAGE
# one JSON line per group, each with two more fields: "base", the base image
# to build from (BASE_REPO:<representative tag>), and "workflow_canonical",
# the name the original workflow gave the same image (its group key has a
# space: rust-groups --workflow-keys), so what it published is found; and
# "build_tag", the canonical tag followed by ".<8 hex>" of the hash of what
# the build is made from besides the group's sources (its platforms and the
# build context): pushed with every build, its absence next to an existing
# canonical image says that a platform was added or the Dockerfile changed.
# Empty when the version stage found nothing to publish.  Rewritten only when
# it changes.
set -eu
me=plan
. mk/lib.sh

out=$1
tmp=$(tmpfile "$out")
trap 'remove "$tmp" "$tmp.groups" "$tmp.workflow" "$tmp.platforms" "$tmp.tags" "$tmp.plan"' EXIT
read -r version latest <"$STATE/version" || die "no version in $STATE/version"

if [ "$version" != none ]; then
	[ -n "$IMAGE" ] || die "IMAGE is empty"
	set -- --version "$version" --image "$IMAGE"
	[ "$latest" = yes ] || set -- "$@" --no-latest
	rust-groups "$STATE/library" >"$tmp.groups"
	rust-groups --workflow-keys "$STATE/library" >"$tmp.workflow"
	# one file per step, not a pipe: sh keeps only the last member's status
	arch-filter --allow "$PLATFORMS" "$tmp.groups" >"$tmp.platforms"
	tag-gen "$@" "$tmp.platforms" >"$tmp.tags"
	jq -c --slurpfile workflow "$tmp.workflow" \
			--arg image "$IMAGE" --arg version "$version" --arg base "$BASE_REPO" '
			# a group is the same group under both keys: join by its aliases
			def aliases: .rust_aliases | sort | join(",");
			($workflow | map({key: aliases, value: .group_key_tag}) | from_entries) as $wkey
			| . + {base: ($base + ":" + .representative_rust_tag)}
			| if $wkey[aliases] then
				. + {workflow_canonical: ($image + ":" + $version + "-base-" + $wkey[aliases])}
			  else . end' "$tmp.tags" >"$tmp.plan"
	context=$(cat "$STATE/context")
	while IFS= read -r line; do
		group_platforms=$(printf '%s\n' "$line" | jq -r '.platforms | join(",")')
		inputs=$(sha256 "$group_platforms" "$context")
		inputs=$(printf '%.8s' "$inputs")
		printf '%s\n' "$line" | jq -c --arg inputs "$inputs" '. + {build_tag: (.canonical + "." + $inputs)}'
	done <"$tmp.plan" >"$tmp"
fi
replace_if_changed "$tmp" "$out"
