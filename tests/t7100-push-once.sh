#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The two ways a buildah build pushes its image (mk/build-push.sh).
# BUILDAH_PUSH=once: each child manifest and the build tag's index once,
# then image-alias puts the same index bytes at the canonical tag and at
# every alias (a HEAD and a PUT each, after one GET of the bytes): manifest
# PUTs per build = children + canonical + build tag + aliases.
# BUILDAH_PUSH=each, the default: one `manifest push --all` per tag, which
# re-sends every child manifest for each, and reads nothing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

# expected_puts: per group of the plan, children + canonical + build tag +
# aliases, summed
expected_puts() {
	jq -s 'map((.platforms | length) + 2 + (.tags | length)) | add' "$STATE/plan.jsonl"
}

test_expect_success 'once: a build PUTs each child, the build tag, the canonical and each alias once' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish BUILDAH_PUSH=once >out 2>&1 &&
	test "$(builds)" = 2 &&
	tags_at_canonical &&
	want=$(expected_puts) &&
	got=$(registry_count_since PUT "^/v2/cargo-chef/manifests/" "^201$") &&
	{ test "$got" = "$want" || { echo "manifest PUTs: $got, want $want"; false; }; } &&
	children=$(jq -s "map(.platforms | length) | add" "$STATE/plan.jsonl") &&
	test "$(registry_count_since PUT "^/v2/cargo-chef/manifests/sha256:")" = "$children"
'

test_expect_success 'once: no tag is PUT twice, and the index bytes are read once per build' '
	test "$(registry_count_since PUT "^/v2/cargo-chef/manifests/[^s]")" = "$(jq -s "map(2 + (.tags | length)) | add" "$STATE/plan.jsonl")" &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/sha256:")" = 2 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/[^s]")" = 0
'

test_expect_success 'the rerun sends nothing' '
	registry_mark &&
	pub publish BUILDAH_PUSH=once >out 2>&1 &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'each, the default: a whole push per tag, and no read' '
	release v0.1.78 &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	tags_at_canonical &&
	want=$(jq -s "map(((.platforms | length) + 1) * ((.tags | length) + 2)) | add" "$STATE/plan.jsonl") &&
	test "$(registry_count_since PUT "^/v2/cargo-chef/manifests/" "^201$")" = "$want" &&
	test "$(registry_count_since GET "^/v2/cargo-chef/")" = 0
'

test_expect_success 'BUILDAH_PUSH is checked before any build' '
	release v0.1.79 &&
	registry_mark &&
	test_status 2 pub publish BUILDAH_PUSH=twice >out 2>&1 &&
	test_grep "BUILDAH_PUSH=twice: want once or each" out &&
	test "$(builds)" = 0
'

test_done
