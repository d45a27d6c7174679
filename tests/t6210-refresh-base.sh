#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Bases kept fresh (REFRESH_BASE=1): each run HEADs every group's base; a
# group whose base was re-pushed under the same commit (a security update
# of Debian) is rebuilt once and its aliases move; the base an image was
# built from is known by names and HEADs only (its base tag), so a fresh
# state knows it too.  The first run with the knob takes the base of then
# as the base of the images built before it: no build.  Without the knob,
# a re-pushed base changes nothing and nothing is sent.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY
# group 96dc6d1355174f7a is 1.19.0/stretch (base rust:1.19.0)
stretch=0.1.77-base-96dc6d1355174f7a
export stretch

# repush_stretch TEXT: rust:1.19.0 again, the build of the same commit, other bytes
repush_stretch() {
	commit=$(rust-groups "$LIBRARY" | jq -r 'select(.group_key | endswith(":1.19.0/stretch")) | .group_key[:40]') &&
	push_standin "$REGISTRY/rust:1.19.0" --platforms "$PLATFORMS" --content "$1" \
		--annotate-for linux/amd64 "org.opencontainers.image.revision=$commit" \
		--annotate-for linux/arm64 "org.opencontainers.image.revision=$commit" >/dev/null
}
uploads() {
	registry_count_since POST "^/v2/cargo-chef/blobs/uploads/"
}

test_expect_success 'REFRESH_BASE=yes: refused before any request, naming the knob' '
	registry_mark &&
	test_status 2 pub plan REFRESH_BASE=yes >out 2>&1 &&
	test_grep "^pipeline: error: REFRESH_BASE=yes: want 1 or empty$" out &&
	test "$(registry_count_since HEAD)" = 0
'

test_expect_success 'without the knob: a base re-pushed under the same commit, nothing sent' '
	standins "$LIBRARY" &&
	pub publish >out 2>&1 &&
	repush_stretch "security update 1" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(registry_count_since HEAD)" = 0 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_success 'the first REFRESH_BASE=1 run: images built before it are kept, 1 GET a group' '
	before=$(digest_of "$stretch") &&
	registry_mark &&
	pub publish REFRESH_BASE=1 >out 2>&1 &&
	test "$(uploads)" = 0 &&
	test "$(grep -c "decision: alias-only: built before REFRESH_BASE=1: its base is taken to be " out)" = 2 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/")" = 2 &&
	test "$(registry_count_since GET "^/v2/rust/")" = 0 &&
	test "$(digest_of "$stretch")" = "$before" &&
	tags_at_canonical
'

test_expect_success 'REFRESH_BASE=1, nothing changed: one HEAD per base, nothing else' '
	registry_mark &&
	pub publish REFRESH_BASE=1 >out 2>&1 &&
	test "$(registry_count_since HEAD "^/v2/rust/manifests/")" = 2 &&
	test "$(registry_count_since HEAD "^/v2/cargo-chef/")" = 0 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_success 'a base re-pushed under the same commit: plan says it, the group is rebuilt once' '
	before=$(digest_of "$stretch") &&
	repush_stretch "security update 2" &&
	pub plan REFRESH_BASE=1 >plan.out 2>&1 &&
	test_grep "^  decision   rebuild: its base changed since it was built: .*rust:1\.19\.0 is .*rust@sha256:[0-9a-f]* now \(REFRESH_BASE=1\)" plan.out &&
	test "$(grep -c "^  decision   done (stamp)" plan.out)" = 1 &&
	registry_mark &&
	pub publish REFRESH_BASE=1 >rebuilt.out 2>&1 &&
	test "$(grep -c "^publish .*: building " rebuilt.out)" = 1 &&
	test "$(registry_count_since GET "^/v2/rust/manifests/1\.19\.0$")" = 1 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/")" = 0 &&
	test "$(digest_of "$stretch")" != "$before" &&
	test "$(digest_of latest)" = "$(digest_of "$stretch")" &&
	n=$(group_tags 96dc6d1355174f7a) &&
	test_grep "done: .*$stretch .*, $n tags: $n moved, 0 new$" rebuilt.out &&
	tags_at_canonical &&
	registry_mark &&
	pub publish REFRESH_BASE=1 STATE="$TRASH/fresh" >fresh.out 2>&1 &&
	test "$(uploads)" = 0 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_success 'a base re-pushed from another commit: the group waits, as without the knob' '
	before=$(digest_of "$stretch") &&
	push_standin "$REGISTRY/rust:1.19.0" --platforms "$PLATFORMS" --content "next commit" \
		--annotate org.opencontainers.image.revision=0123456789012345678901234567890123456789 >/dev/null &&
	registry_mark &&
	pub publish REFRESH_BASE=1 >out 2>&1 &&
	test_grep "not yet: .*rust:1\.19\.0 is not the build of" out &&
	test "$(uploads)" = 0 &&
	test "$(digest_of "$stretch")" = "$before"
'

test_done
