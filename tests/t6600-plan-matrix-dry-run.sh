#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make plan, make matrix, DRY_RUN=1 and make group: what the run would do
# (HEAD requests only: the decision of mk/decide.sh), the GitHub Actions
# matrix, and one group alone.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'matrix: one entry per group, for the fan-out' '
	pub matrix >matrix.json 2>err &&
	jq -r ".include[] | [.group, .key, .platforms, .version] | @tsv" matrix.json >actual &&
	printf "%s\t%s\t%s\t%s\n" \
		55e478c699c5726a 8affdd6599d29fd20f987eef52234267f3c3e668:1.19.0/jessie linux/amd64,linux/arm64 0.1.77 \
		96dc6d1355174f7a 8affdd6599d29fd20f987eef52234267f3c3e668:1.19.0/stretch linux/amd64,linux/arm64 0.1.77 >expect &&
	test_cmp expect actual
'

test_expect_success 'plan: every group to build, the reads it would spend, HEADs only' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub plan >out 2>err &&
	test "$(grep -c "^  decision   build: for linux/amd64,linux/arm64 from $REGISTRY/rust:.* (1 GET checks that it is the build of the group.s commit first, else the group waits); push its [0-9]* tags: 0 to move, [0-9]* new$" out)" = 2 &&
	test_grep "^  canonical  $REGISTRY/cargo-chef:0\.1\.77-base-96dc6d1355174f7a$" out &&
	test_grep "^  platforms  linux/amd64 linux/arm64$" out &&
	test_grep "^  aliases    0\.1\.77-rust-1 .* latest latest-rust-1 .* latest-rust-stretch$" out &&
	test_grep "^publish would spend: 2 counted reads \(GET\), 2 builds" out &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_success 'DRY_RUN=1: says what it would do; no GET, no PUT, no stamp' '
	registry_mark &&
	pub publish DRY_RUN=1 >out 2>&1 &&
	test "$(grep -c "^publish \[[0-9a-f]*\]: would: build: for .* (1 GET checks that" out)" = 2 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0 &&
	test -z "$(ls "$STATE/stamps")"
'

test_expect_success 'make group G=...: that group only; an unknown key is an error' '
	registry_mark &&
	pub group G=55e478c699c5726a >out 2>&1 &&
	test "$(builds)" = 1 &&
	test -n "$(digest_of 0.1.77-base-55e478c699c5726a)" &&
	test -z "$(digest_of 0.1.77-base-96dc6d1355174f7a)" &&
	test_status 2 pub group G=0123456789abcdef >out 2>&1 &&
	test_grep "G=0123456789abcdef is not a group of the plan" out
'

test_expect_success 'plan after publish: done groups cost nothing; a moved alias is seen' '
	pub publish >out 2>&1 &&
	rm -f "$STATE"/stamps/* &&
	jessie=$(digest_of 0.1.77-base-55e478c699c5726a) &&
	curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/cargo-chef/manifests/$jessie" >m &&
	curl -sf -X PUT -H "Content-Type: $(jq -r .mediaType m)" --data-binary @m \
		"http://$REGISTRY/v2/cargo-chef/manifests/0.1.77-rust-1" &&
	registry_mark &&
	pub plan >out 2>err &&
	test_grep "^  decision   alias-only: point its 18 tags at .*-base-96dc6d1355174f7a\.[0-9a-f]{8}: 1 to move, 0 new \(1 GET\)$" out &&
	test_grep "^  decision   in-place: its 9 tags are at .*-base-55e478c699c5726a\.[0-9a-f]{8}$" out &&
	test_grep "^publish would spend: 1 counted reads \(GET\), 0 builds, 1 tags moved" out &&
	test "$(registry_count_since GET)" = 0 &&
	pub publish >out 2>&1 &&
	tags_at_canonical &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/")" = 1 &&
	pub plan >out 2>err &&
	test "$(grep -c "done (stamp): no request" out)" = 2
'

test_done
