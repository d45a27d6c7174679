#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Images the original workflow published, under its names (<ver>-base- and
# the hash of its "<commit>: <dir>" key), are found and not rebuilt: the
# canonical tag and every alias are pointed at them; with the platforms of
# the group, they count as built from its inputs (their build tag points at
# them), so runs with a fresh state (CI jobs) do not build them again.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'the workflow names: the hash of "<commit>: <dir>", with its space' '
	rust-groups --workflow-keys "$LIBRARY" | jq -r "[.group_key, .group_key_tag] | @tsv" >names &&
	test_grep "^8affdd6599d29fd20f987eef52234267f3c3e668: 1\.19\.0/jessie	" names &&
	while IFS="	" read -r name key; do
		test "$(printf "%s" "$name" | sha256sum | cut -c1-16)" = "$key" || return 1
	done <names
'

test_expect_success 'images under the workflow names are found, not rebuilt' '
	for key in $(rust-groups --workflow-keys "$LIBRARY" | jq -r .group_key_tag); do
		push_standin "$REGISTRY/cargo-chef:0.1.77-base-$key" --platforms "$PLATFORMS" \
			--content "built by the workflow: $key" >/dev/null || return 1
	done &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test "$(registry_count_since POST "^/v2/cargo-chef/blobs/uploads/")" = 0 &&
	test "$(registry_count_since GET "^/v2/rust/")" = 0 &&
	test_grep "found under the original workflow.s name .*0\.1\.77-base-d37294e6095a6b94: not rebuilt" out &&
	tags_at_canonical &&
	test "$(digest_of 0.1.77-base-55e478c699c5726a)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)" &&
	test "$(digest_of 0.1.77-rust-jessie)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)"
'

test_expect_success 'adopted for the same platforms: runs with a fresh state build nothing' '
	for run in 1 2 3; do
		registry_mark &&
		pub publish STATE="$TRASH/fresh-$run" >out.$run 2>&1 &&
		test "$(registry_count_since POST "^/v2/cargo-chef/blobs/uploads/")" = 0 &&
		test_no_grep "rebuilding" out.$run &&
		tags_at_canonical || return 1
	done &&
	test "$(digest_of 0.1.77-base-55e478c699c5726a)" = "$(digest_of 0.1.77-base-d37294e6095a6b94)"
'

test_expect_success 'adopted by an earlier run without its build tag: not rebuilt either' '
	for key in $(rust-groups --workflow-keys "$LIBRARY" | jq -r .group_key_tag); do
		push_standin "$REGISTRY/cargo-chef:0.1.76-base-$key" --platforms "$PLATFORMS" \
			--content "0.1.76 built by the workflow: $key" >/dev/null || return 1
	done &&
	pub plan VERSION=0.1.76 STATE="$TRASH/fresh-5" >/dev/null 2>&1 &&
	jq -r "[.workflow_canonical, .canonical] | map(sub(\"^.*:\"; \"\")) | @tsv" \
		"$TRASH/fresh-5/plan.jsonl" >pairs &&
	while IFS="	" read -r from to; do
		curl -fsS -H "Accept: $MANIFEST_ACCEPT" -D headers -o m \
			"http://$REGISTRY/v2/cargo-chef/manifests/$from" &&
		curl -fsS -X PUT -H "Content-Type: $(jq -r .mediaType m)" --data-binary @m \
			"http://$REGISTRY/v2/cargo-chef/manifests/$to" || return 1
	done <pairs &&
	registry_mark &&
	pub publish VERSION=0.1.76 STATE="$TRASH/fresh-6" >out 2>&1 &&
	test "$(registry_count_since POST "^/v2/cargo-chef/blobs/uploads/")" = 0 &&
	test_no_grep "rebuilding" out &&
	registry_mark &&
	pub publish VERSION=0.1.76 STATE="$TRASH/fresh-7" >out 2>&1 &&
	test "$(registry_count_since POST "^/v2/cargo-chef/blobs/uploads/")" = 0
'

test_done
