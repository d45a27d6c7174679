#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The base freshness check: a group whose base is not yet the build of its
# commit on every platform waits (exit 0, no stamp) while the others publish;
# a base without annotations is built from as named, with a warning.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY
# group 96dc6d1355174f7a is 1.19.0/stretch, 55e478c699c5726a 1.19.0/jessie
stretch=0.1.77-base-96dc6d1355174f7a
jessie=0.1.77-base-55e478c699c5726a
export stretch jessie

test_expect_success 'a base not rebuilt yet for one platform: that group waits, the other publishes' '
	standins "$LIBRARY" &&
	rust-groups "$LIBRARY" | grep "1.19.0/stretch" >stretch.json &&
	push_standin "$REGISTRY/rust:1.19.0" --platforms "$PLATFORMS" --content old \
		--annotate-for linux/amd64 "org.opencontainers.image.revision=$(jq -r ".group_key[:40]" stretch.json)" \
		--annotate-for linux/arm64 org.opencontainers.image.revision=0123456789012345678901234567890123456789 \
		>/dev/null &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 1 &&
	test -n "$(digest_of "$jessie")" &&
	test -z "$(digest_of "$stretch")" &&
	test_grep "not yet: .*rust:1\.19\.0 is not the build of" out &&
	test_grep "stale linux/arm64 0123456789012345678901234567890123456789" out &&
	test_grep "group 96dc6d1355174f7a waiting: " out &&
	test_grep "1 of 2 groups published, 1 waiting" out &&
	test_status 2 pub verify >verify.out 2>&1 &&
	test_grep "canonical .*$stretch does not exist" verify.out
'

test_expect_success 'once the base is rebuilt, the rerun builds the waiting group only' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 1 &&
	test "$(registry_count_since GET "^/v2/rust/manifests/1\.19\.0$")" = 1 &&
	tags_at_canonical &&
	test_grep "2 of 2 groups published, 0 waiting" out
'

test_expect_success 'the build is pinned to the digest of the base that was checked' '
	base=$(ref_digest "$REGISTRY/rust:1.19.0") &&
	test_grep "from $REGISTRY/rust@$base" out
'

test_expect_success 'a base without annotations: built as named, with a warning' '
	release v0.1.78 &&
	push_standin "$REGISTRY/rust:1.19.0-jessie" --platforms "$PLATFORMS" --content mirror >/dev/null &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test_grep "warning: .*rust:1\.19\.0-jessie carries no revision annotations" out &&
	tags_at_canonical
'

test_done
