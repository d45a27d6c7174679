#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# A publish never takes away: narrowing PLATFORMS would move every tag to an
# image with fewer platforms than it has; the group fails naming the tags
# and the platforms, `make plan` says it beforehand, and finding what a tag
# holds costs at most one GET per group, none when this state knows it.
# ALLOW_FEWER_PLATFORMS=1 moves them.  A platform that library/rust's entry
# itself no longer has is not taken away by the publish but by upstream
# (rust:<tag> no longer has it either): the tags follow, and the run says so.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

# platforms_of TAG: the platforms of cargo-chef:TAG (the test's own GET)
platforms_of() {
	curl -fsS -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/cargo-chef/manifests/$1" |
		jq -r '[.manifests[].platform | .os + "/" + .architecture] | sort | join(",")'
}
manifest_gets() {
	registry_count_since GET "^/v2/cargo-chef/manifests/"
}
# new_commits FILE: FILE with every GitCommit another (new groups, as a new
# rust release makes them, on the same platforms)
new_commits() {
	awk '/^GitCommit: / { c = substr($2, 40, 1); $2 = substr($2, 1, 39) (c == "e" ? "f" : "e") } 1' "$1"
}

test_expect_success 'published for two platforms' '
	standins "$LIBRARY" &&
	pub publish >out 2>&1 &&
	test "$(platforms_of latest)" = linux/amd64,linux/arm64 &&
	plan_tag_digests >before
'

test_expect_success 'plan with one platform: says which tags would lose what, HEADs only' '
	registry_mark &&
	pub plan PLATFORMS=linux/amd64 >out 2>err &&
	test "$(grep -c "^  decision   refuse: [0-9]* tags would lose platforms, e.g. .* loses linux/arm64 (ALLOW_FEWER_PLATFORMS=1 allows it)$" out)" = 2 &&
	test "$(registry_count_since GET)" = 0
'

test_expect_success 'publish with one platform: each group refused, nothing built or moved' '
	registry_mark &&
	test_status 2 pub publish -k PLATFORMS=linux/amd64 >out 2>&1 &&
	test_grep "refused: $(group_tags 55e478c699c5726a) tags would move to an image for linux/amd64, without platforms they have:" out &&
	test_grep "^  $REGISTRY/cargo-chef:latest loses linux/arm64$" out &&
	test_grep "^  $REGISTRY/cargo-chef:0\.1\.77-rust-1\.19\.0-jessie loses linux/arm64$" out &&
	test_grep "FAILED: .*1\.19\.0/jessie" out &&
	test_grep "FAILED: .*1\.19\.0/stretch" out &&
	test "$(builds)" = 0 &&
	test "$(manifest_gets)" = 0 &&
	plan_tag_digests >after &&
	test_cmp before after
'

test_expect_success 'a fresh state: one GET per group to learn it, still refused' '
	registry_mark &&
	test_status 2 pub publish -k PLATFORMS=linux/amd64 STATE="$TRASH/fresh" >out 2>&1 &&
	test "$(grep -c "loses linux/arm64$" out)" -gt 2 &&
	test "$(builds)" = 0 &&
	test "$(manifest_gets)" = 2 &&
	plan_tag_digests >after &&
	test_cmp before after
'

test_expect_success 'ALLOW_FEWER_PLATFORMS=1: built for one platform, the tags follow' '
	registry_mark &&
	pub publish PLATFORMS=linux/amd64 ALLOW_FEWER_PLATFORMS=1 >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(platforms_of latest)" = linux/amd64 &&
	tags_at_canonical
'

test_expect_long 'a new version on the same platforms: no GET to know what the tags hold' '
	release v0.1.78 &&
	registry_mark &&
	pub publish PLATFORMS=linux/amd64 >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(manifest_gets)" = 0 &&
	tags_at_canonical
'

test_expect_success 'a new release, each run in a fresh state (a CI job): no GET to know what the tags hold' '
	release v0.1.79 &&
	registry_mark &&
	STATE=$TRASH/fresh-release &&
	pub publish PLATFORMS=linux/amd64 >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(manifest_gets)" = 0 &&
	test_no_grep "would read the platforms" out &&
	tags_at_canonical
'

test_expect_long 'a fresh state, platforms changed: one GET per image the tags are at, no more' '
	release v0.1.80 &&
	registry_mark &&
	STATE=$TRASH/fresh-wider &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(manifest_gets)" = 2 &&
	tags_at_canonical
'

test_expect_long 'a fresh state, new commits upstream: a GET per image no name leads to, none with the records of earlier runs (the workflow carries them)' '
	new_commits "$LIBRARY" >new-commits.txt &&
	standins new-commits.txt &&
	pub plan LIBRARY="$TRASH/new-commits.txt" STATE="$TRASH/fresh-commits" >plan.out 2>&1 &&
	test "$(grep -c "first 1 GET: the platforms of 1 images that no record or name tells" plan.out)" = 2 &&
	test_grep "^publish would spend: 4 counted reads \(GET\), 2 builds, 25 tags moved$" plan.out &&
	mkdir seeded && cp -R "$TRASH/fresh-wider/platforms" seeded/ &&
	STATE=$TRASH/seeded &&
	registry_mark &&
	pub publish LIBRARY="$TRASH/new-commits.txt" >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(manifest_gets)" = 0 &&
	test_no_grep "no record or name tells" out &&
	tags_at_canonical
'

test_expect_success 'upstream drops an architecture: the tags follow it, and the run says so' '
	release v0.1.81 &&
	pub publish >out 2>&1 &&
	test "$(platforms_of latest)" = linux/amd64,linux/arm64 &&
	sed "s/, arm64v8//" "$LIBRARY" >no-arm64.txt &&
	standins no-arm64.txt &&
	registry_mark &&
	pub publish LIBRARY="$TRASH/no-arm64.txt" >out 2>&1 &&
	test "$(builds)" = 2 &&
	test "$(manifest_gets)" = 0 &&
	test "$(platforms_of latest)" = linux/amd64 &&
	test "$(grep -c "following library/rust: [0-9]* tags lose linux/arm64, which its entry for the group no longer has$" out)" = 2 &&
	tags_at_canonical
'

test_expect_success 'and narrowing PLATFORMS is still refused beside it' '
	release v0.1.82 &&
	pub publish >out 2>&1 &&
	test_status 2 pub publish -k PLATFORMS=linux/arm64 >out 2>&1 &&
	test_grep "loses linux/amd64$" out
'

test_done
