#!/bin/bash
# The canonical name (<ver>-base-<key16>) names the group's sources only; an
# added platform or a changed build context must still be noticed and built
# (lessons.md).  Each build also pushes its build tag, <canonical>.<8 hex of
# the platforms and the context>: a canonical image without the build tag of
# the current inputs is rebuilt, found out with HEAD requests alone.  Going
# back to fewer platforms takes them away from the tags: ALLOW_FEWER_PLATFORMS.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

# platforms of the canonical image behind rust alias $1 (GET with curl: the
# test's own read, not the pipeline's)
platforms_of() {
	curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REGISTRY/v2/cargo-chef/manifests/$(canonical_of "$1")" |
		jq -r '[.manifests[].platform | .os + "/" + .architecture] | sort | join(",")'
}

test_expect_success 'first publish for one platform' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish PLATFORMS=linux/amd64 >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(platforms_of 1.19.0-jessie)" = linux/amd64
'

test_expect_success 'plan: an added platform is a rebuild, said with HEADs only' '
	registry_mark &&
	pub plan >out 2>&1 &&
	test "$(grep -c "^  decision   rebuild: .* was built from other platforms" out)" = 2 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/")" = 0
'

test_expect_success 'an added platform: every group rebuilt, its tags follow' '
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test_grep "built from other platforms or another build context: rebuilding" out &&
	test "$(platforms_of 1.19.0-jessie)" = linux/amd64,linux/arm64 &&
	tags_at_canonical
'

test_expect_long 'a changed build context: every group rebuilt once' '
	cp -R "$SRC/tests/context" "$TRASH/context" &&
	echo "another build" >>"$TRASH/context/cargo-chef.txt" &&
	registry_mark &&
	pub publish CONTEXT="$TRASH/context" >out 2>&1 &&
	test "$(builds)" = 2 &&
	tags_at_canonical &&
	registry_mark &&
	pub publish CONTEXT="$TRASH/context" >out 2>&1 &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'back to the first inputs: fewer platforms, refused unless allowed' '
	registry_mark &&
	test_status 2 pub publish PLATFORMS=linux/amd64 >out 2>&1 &&
	test_grep "loses linux/arm64" out &&
	test "$(platforms_of 1.19.0-jessie)" = linux/amd64,linux/arm64 &&
	pub publish PLATFORMS=linux/amd64 ALLOW_FEWER_PLATFORMS=1 >out 2>&1 &&
	test "$(builds)" = 0 &&
	test "$(registry_count_since GET "^/v2/rust/")" = 0 &&
	test "$(platforms_of 1.19.0-jessie)" = linux/amd64 &&
	tags_at_canonical
'

test_done
