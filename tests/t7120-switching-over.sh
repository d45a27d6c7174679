#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# What README.md's "Switching over" says happens to the images the original
# workflow published: the first run adopts them (its aliases point at them,
# nothing is built) and, as they have the group's platforms, points their
# build tags at them too; so a later run without that state (a new job of
# the workflow starts with an empty state/) finds them and builds nothing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'the first run adopts the workflow'"'"'s images: no build' '
	standins "$LIBRARY" &&
	for key in $(rust-groups --workflow-keys "$LIBRARY" | jq -r .group_key_tag); do
		push_standin "$REGISTRY/cargo-chef:0.1.77-base-$key" --platforms "$PLATFORMS" \
			--content "built by the workflow: $key" >/dev/null || return 1
	done &&
	registry_mark &&
	pub publish >out.1 2>&1 &&
	test "$(grep -c "^publish .*: building " out.1)" = 0 &&
	test "$(grep -c "found under the original workflow.s name .*its build tag points at it too" out.1)" = 2 &&
	tags_at_canonical &&
	test "$(digest_of 0.1.77-rust-jessie)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)" &&
	build_tag=$(jq -r "select(.representative_rust_tag == \"1.19.0-jessie\") | .build_tag" "$STATE/plan.jsonl") &&
	test "$(ref_digest "$build_tag")" = "$(digest_of 0.1.77-base-d37294e6095a6b94)"
'

test_expect_success 'a run with a fresh state finds them by their build tags: nothing built' '
	rm -rf "$STATE" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(grep -c "^publish .*: building " out)" = 0 &&
	test "$(registry_count_since PUT)" = 0 &&
	tags_at_canonical &&
	test "$(digest_of 0.1.77-rust-jessie)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)"
'

test_expect_success 'then nothing is built again, even from a fresh state' '
	rm -rf "$STATE" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 0 &&
	test "$(registry_count_since PUT)" = 0 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/")" = 0
'

test_done
