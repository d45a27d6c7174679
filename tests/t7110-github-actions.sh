#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# A run you can follow in GitHub Actions (mk/gha.sh): with GITHUB_ACTIONS=true
# each build's output is shown live inside ::group::/::endgroup::, a group
# waiting for its base is a ::warning::, a failed one an ::error::, and
# $GITHUB_STEP_SUMMARY gets a Markdown table, one row per group.  Outside
# GitHub Actions the output stays as it was.  Revision 006: four groups, of
# which one waits (its base is stale for linux/arm64) and one fails (a layer
# of its base is gone), against the real registry.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 006)
SUMMARY=$TRASH/summary.md
export LIBRARY SUMMARY
# 96dc6d1355174f7a is 1.19.0/stretch (it waits), 739faa18fc8de35e
# 1.20.0-jessie (it fails); 55e478c699c5726a and d508e76c2e694708 are built
waits=96dc6d1355174f7a fails=739faa18fc8de35e
export waits fails

# break_base TAG: deletes a layer of TAG's linux/arm64 image: the base's
# index reads fine, pulling it fails (a build failure)
break_base() {
	index=$(curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/rust/manifests/$1") &&
	child=$(printf "%s" "$index" | jq -r ".manifests[] | select(.platform.architecture == \"arm64\") | .digest") &&
	layer=$(curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/rust/manifests/$child" | jq -r ".layers[0].digest") &&
	curl -sf -X DELETE "http://$REGISTRY/v2/rust/blobs/$layer"
}

# row KEY: the summary's row of group KEY
row() {
	grep -F "| \`$1\` |" "$SUMMARY"
}

test_expect_success 'GITHUB_ACTIONS=true: a waiting, a failing and two built groups' '
	standins "$LIBRARY" &&
	push_standin "$REGISTRY/rust:1.19.0" --platforms "$PLATFORMS" --content old \
		--annotate-for linux/amd64 "org.opencontainers.image.revision=8affdd6599d29fd20f987eef52234267f3c3e668" \
		--annotate-for linux/arm64 org.opencontainers.image.revision=0123456789012345678901234567890123456789 \
		>/dev/null &&
	break_base 1.20.0-jessie &&
	registry_mark &&
	test_status 2 pub publish -k GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$SUMMARY" >out 2>&1 &&
	test "$(builds)" = 2
'

test_expect_success 'each build is a group of the log, shown live, workflow commands stopped' '
	test "$(grep -c "^::group::build of group [0-9a-f]\{16\} (" out)" = 3 &&
	test "$(grep -c "^::endgroup::\$" out)" = 3 &&
	test_grep "^::group::build of group 55e478c699c5726a \(1\.19\.0-jessie\)\$" out &&
	test_grep "^::group::build of group $fails \(1\.20\.0-jessie\)\$" out &&
	test_no_grep "^::group::build of group $waits" out &&
	# between the markers: the build output, which the log file holds too
	awk "/^::group::build of group 55e478c699c5726a /,/^::endgroup::/" out >group &&
	test_grep "^::stop-commands::[0-9a-f]{32}\$" group &&
	token=$(sed -n "s/^::stop-commands:://p" group) &&
	test "$(tail -n 2 group | head -n 1)" = "::$token::" &&
	test_grep "COPY cargo-chef.txt" group &&
	test_grep "COPY cargo-chef.txt" "$STATE/logs/55e478c699c5726a.log" &&
	test_grep "Writing manifest list to image destination" group
'

test_expect_success 'a waiting group is a warning, a failed one an error, each naming it' '
	test_grep "^::warning::group $waits \(1\.19\.0\) waits: its base $REGISTRY/rust:1\.19\.0 is not yet the build of 8affdd6599d29fd20f987eef52234267f3c3e668 for linux/arm64\$" out &&
	test_grep "^::error::group $fails \(1\.20\.0-jessie\) failed: bf30ee63bff0a381ccacdb86436bb7da5dc9c853:1\.20\.0/jessie" out &&
	test "$(grep -c "^::warning::" out)" = 1 &&
	test "$(grep -c "^::error::" out)" = 1
'

test_expect_success 'the step summary: a table, one row per group, with what the registry holds' '
	test_grep "^\| group \| rust \| state \| canonical digest \| tags \| platforms \|\$" "$SUMMARY" &&
	test "$(grep -c "^| \`[0-9a-f]\{16\}\` |" "$SUMMARY")" = 4 &&
	d=$(digest_of 0.1.77-base-55e478c699c5726a) && test -n "$d" &&
	row 55e478c699c5726a >r &&
	test_grep "^\| \`55e478c699c5726a\` \| \`1\.19\.0-jessie\` \| built \| \`$d\` \| 5 \| linux/amd64, linux/arm64 \|\$" r &&
	d=$(digest_of 0.1.77-base-d508e76c2e694708) && test -n "$d" &&
	row d508e76c2e694708 >r &&
	test_grep "^\| \`d508e76c2e694708\` \| \`1\.20\.0\` \| built \| \`$d\` \| 18 \| " r &&
	row $waits >r && test_grep "^\| \`$waits\` \| \`1\.19\.0\` \| waiting \|  \| 9 \| " r &&
	row $fails >r && test_grep "^\| \`$fails\` \| \`1\.20\.0-jessie\` \| failed \|  \| 9 \| " r
'

test_expect_success 'outside GitHub Actions the output stays as it was' '
	cp "$SUMMARY" summary.before &&
	pub group G=$waits GITHUB_STEP_SUMMARY="$SUMMARY" >plain 2>&1 &&
	test_grep "not yet: .*rust:1\.19\.0 is not the build of" plain &&
	test_no_grep "::" plain &&
	test_cmp summary.before "$SUMMARY"
'

test_expect_success 'make group: one row, a group that exists is said to exist' '
	: >"$SUMMARY" &&
	pub group G=55e478c699c5726a GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$SUMMARY" >out 2>&1 &&
	test "$(grep -c "^| \`[0-9a-f]\{16\}\` |" "$SUMMARY")" = 1 &&
	row 55e478c699c5726a >r &&
	test_grep "\| existed \| \`sha256:[0-9a-f]{64}\` \| 5 \|" r &&
	test_no_grep "^::(group|warning|error)" out
'

test_expect_success 'the matrix names each group'"'"'s representative tag, for the job names' '
	pub matrix >matrix.json 2>err &&
	jq -r ".include[] | [.group, .rust] | @tsv" matrix.json | sort >actual &&
	jq -r "[.group_key_tag, .representative_rust_tag] | @tsv" "$STATE/plan.jsonl" | sort >expect &&
	test_cmp expect actual &&
	test "$(wc -l <actual)" = 4
'

test_expect_success 'workflow command data is escaped as GitHub requires' '
	(cd "$SRC" && mk/gha.sh escape "$(printf "100%% done\r\nnext")") >actual &&
	printf "100%%25 done%%0D%%0Anext\n" >expect &&
	test_cmp expect actual &&
	(cd "$SRC" && mk/gha.sh escape "$(printf "a\n\nb")") >actual &&
	echo "a%0A%0Ab" >expect &&
	test_cmp expect actual
'

test_done
