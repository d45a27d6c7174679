#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make publish end to end against a real registry with real buildah builds:
# the first publish, the rerun, the next library revision, a new release,
# then an older VERSION.  Revisions 005 -> 006 of library/rust: 2 groups,
# then 2 new groups (1.20) that take the floating aliases (1, latest, ...).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'first publish: one build per group, every tag at its canonical image' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(jq -s length "$STATE/plan.jsonl")" = 2 &&
	tags_at_canonical &&
	test "$(digest_of latest)" = "$(digest_of "$(canonical_of latest)")" &&
	test "$(digest_of latest-rust-jessie)" = "$(digest_of "$(canonical_of jessie)")" &&
	test_grep "2 of 2 groups published" out
'

test_expect_success 'a fresh group costs no read: aliases were pushed by the build' '
	test "$(registry_count_since GET "^/v2/cargo-chef/")" = 0 &&
	test "$(registry_count_since GET "^/v2/rust/manifests/1\.19\.0(-jessie)?$")" = 2
'

test_expect_success 'the rerun builds nothing and sends no request at all' '
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(registry_count_since "*")" = 0 &&
	test_no_grep "building|image-probe|image-alias" out
'

# the digests before the next revision, read by the test bodies
old1=$(digest_of 0.1.77-rust-1)
old119=$(digest_of 0.1.77-rust-1.19)
export old1 old119
LIBRARY=$(rev 006)
test_expect_success 'the next revision: only the new groups are built, moved aliases follow' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/")" = 0 &&
	tags_at_canonical &&
	test "$(canonical_of 1)" = "$(canonical_of 1.20)" &&
	test "$(digest_of 0.1.77-rust-1)" != "$old1" &&
	test "$(digest_of latest)" = "$(digest_of 0.1.77-rust-1.20)" &&
	test "$(digest_of 0.1.77-rust-1.19)" = "$old119"
'

test_expect_success 'a new release: every group built once for it, latest* moved' '
	release v0.1.78 &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 4 &&
	test "$(registry_count_since PUT "^/v2/cargo-chef/manifests/0[.]1[.]78-base-[0-9a-f]+[.][0-9a-f]+$" "^201$" )" = 4 &&
	tags_at_canonical &&
	test "$(digest_of latest)" = "$(digest_of 0.1.78-rust-1)" &&
	test "$(digest_of latest-rust-jessie)" = "$(digest_of 0.1.78-rust-jessie)" &&
	test "$(digest_of 0.1.78-rust-1)" != "$(digest_of 0.1.77-rust-1)"
'

test_expect_success 'an older VERSION publishes its tags and leaves latest* alone' '
	latest=$(digest_of latest) &&
	registry_mark &&
	pub publish VERSION=0.1.77 >out 2>&1 &&
	test_grep "not the greatest release" out &&
	test "$(builds)" = 0 &&
	test "$(registry_count_since PUT "/manifests/latest")" = 0 &&
	test "$(digest_of latest)" = "$latest" &&
	test "$(digest_of latest-rust-1)" = "$(digest_of 0.1.78-rust-1)" &&
	tags_at_canonical &&
	test_no_grep "/cargo-chef:latest" "$STATE/plan.jsonl"
'

test_expect_success 'make verify: every tag at its canonical digest, by HEAD only' '
	registry_mark &&
	pub verify VERSION=0.1.77 >out 2>&1 &&
	test_grep "every tag at its canonical digest" out &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_done
