#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# What README.md's "Switching over" says happens to the images the original
# workflow published: the first run adopts them (its aliases point at them,
# nothing is built), and a later run without that state (a new job of the
# workflow starts with an empty state/) rebuilds each adopted group once
# from docker/'s Dockerfile, after which nothing is built again.
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
	pub publish >out 2>&1 &&
	test "$(builds)" = 0 &&
	test "$(grep -c "found under the original workflow.s name" out)" = 2 &&
	tags_at_canonical &&
	test "$(digest_of 0.1.77-rust-jessie)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)"
'

test_expect_success 'a run with a fresh state rebuilds each adopted group once' '
	rm -rf "$STATE" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(grep -c "was built from other platforms or another build context: rebuilding" out)" = 2 &&
	tags_at_canonical &&
	test "$(digest_of 0.1.77-rust-jessie)" != "$(digest_of 0.1.77-base-d37294e6095a6b94)"
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
