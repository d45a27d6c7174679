#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Drift: a tag moved outside the pipeline.  make verify finds it and says
# how to repair; make publish trusts its stamps; make repair HEADs every
# tag, its stamps ignored, and points back what drifted: one GET per group
# that drifted, none for the others, nothing built.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

test_expect_success 'published; then a tag moved by hand to the other group' '
	standins "$LIBRARY" &&
	pub publish >out 2>&1 &&
	jessie=$(digest_of 0.1.77-base-55e478c699c5726a) &&
	curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/cargo-chef/manifests/$jessie" >m &&
	curl -sf -X PUT -H "Content-Type: $(jq -r .mediaType m)" --data-binary @m \
		"http://$REGISTRY/v2/cargo-chef/manifests/latest" &&
	test "$(digest_of latest)" = "$jessie"
'

test_expect_success 'verify finds it and says how to repair' '
	test_status 2 pub verify >out 2>&1 &&
	test_grep "^verify: .*:latest: at sha256:.*, not at .*0\.1\.77-base-96dc6d1355174f7a" out &&
	test_grep "^verify: to point them back: make repair" out
'

test_expect_success 'repair: the drifted tag back, one GET, nothing built' '
	registry_mark &&
	pub repair >out 2>&1 &&
	test "$(builds)" = 0 &&
	test "$(registry_count_since GET "^/v2/cargo-chef/manifests/")" = 1 &&
	test "$(registry_count_since POST)" = 0 &&
	tags_at_canonical &&
	pub verify >out 2>&1 &&
	registry_mark &&
	pub repair >out 2>&1 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_done
