#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# One group's build fails: with make -k -j2 the other group still publishes,
# the failed one is named at the end, it has no stamp, and the rerun (once
# the cause is gone) builds it and only it.  The run's last line counts the
# groups published, waiting and failed, and names the failed ones.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

# break_base TAG: deletes a layer of TAG's linux/arm64 image from the
# registry: the base's index reads fine, pulling it fails (a build failure).
break_base() {
	index=$(curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/rust/manifests/$1") &&
	child=$(printf "%s" "$index" | jq -r ".manifests[] | select(.platform.architecture == \"arm64\") | .digest") &&
	layer=$(curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/rust/manifests/$child" | jq -r ".layers[0].digest") &&
	curl -sf -X DELETE "http://$REGISTRY/v2/rust/blobs/$layer"
}

test_expect_success 'a failing build leaves the other group published and is named at the end' '
	standins "$LIBRARY" &&
	break_base 1.19.0-jessie &&
	registry_mark &&
	test_status 2 pub publish -k -j2 >out 2>&1 &&
	test "$(builds)" = 1 &&
	test -n "$(digest_of 0.1.77-base-96dc6d1355174f7a)" &&
	test -z "$(digest_of 0.1.77-base-55e478c699c5726a)" &&
	tail -n 4 out >last &&
	test_grep "group 55e478c699c5726a FAILED: 8affdd6599d29fd20f987eef52234267f3c3e668:1.19.0/jessie" last &&
	test_grep "^publish: 0\.1\.77 to .*: 1 of 2 groups published, 0 waiting for their base, 1 failed: 55e478c699c5726a$" last &&
	test_grep "build of .*0\.1\.77-base-55e478c699c5726a failed" out &&
	ls "$STATE/stamps" >stamps &&
	test_grep "^96dc6d1355174f7a\." stamps &&
	test_no_grep "^55e478c699c5726a\." stamps
'

test_expect_success 'the rerun finishes the failed group, and only it' '
	standins "$LIBRARY" &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(builds)" = 1 &&
	test "$(registry_count_since HEAD "^/v2/cargo-chef/manifests/0\.1\.77-base-96dc")" = 0 &&
	tags_at_canonical
'

test_done
