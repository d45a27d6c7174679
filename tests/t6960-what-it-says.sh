#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# What a run says is true: "N tags: M moved" counts the tags whose digest
# the run changed, the build's own pushes included; DRY_RUN=1 says "would"
# and publishes nothing; the last line counts published, waiting, failed;
# every request-count line names its group; a VERSION with TAGS_FROM out of
# reach says what it cannot judge; the README's registry-up example works.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'first publish: every tag new; the last line counts the groups' '
	standins "$LIBRARY" &&
	pub publish >out 2>&1 &&
	test_grep "done: .*0\.1\.77-base-96dc6d1355174f7a \(sha256:[0-9a-f]*\), 18 tags: 0 moved, 18 new$" out &&
	test_grep "done: .*0\.1\.77-base-55e478c699c5726a \(sha256:[0-9a-f]*\), 9 tags: 0 moved, 9 new$" out &&
	tail -n 1 out >last &&
	test_grep "^publish: 0\.1\.77 to $REGISTRY/cargo-chef: 2 of 2 groups published, 0 waiting for their base, 0 failed$" last
'

test_expect_success 'every request-count line names its group' '
	grep "requests: " out >counts &&
	test_no_grep "^image-[a-z]*: requests: " counts &&
	test_grep "^image-probe \[96dc6d1355174f7a\]: requests: HEAD=" counts &&
	test_grep "^image-alias \[55e478c699c5726a\]: requests: HEAD=" counts
'

test_expect_success 'DRY_RUN=1 of a rebuild: says would, publishes nothing' '
	cp -R "$SRC/tests/context" "$TRASH/context" &&
	echo "another build" >>"$TRASH/context/cargo-chef.txt" &&
	registry_mark &&
	pub publish DRY_RUN=1 CONTEXT="$TRASH/context" >out 2>&1 &&
	test_grep "^publish \[96dc6d1355174f7a\]: would: rebuild: .*96dc6d1355174f7a was built from other platforms or another build context; .* push its 18 tags: 18 to move, 0 new$" out &&
	test_no_grep "groups published" out &&
	test_grep "^publish: .*\(DRY_RUN=1\): nothing changed; of 2 groups, 0 done already, 2 would be published" out &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_long 'a rebuild moves every tag, and says so' '
	pub publish CONTEXT="$TRASH/context" >out 2>&1 &&
	test_grep "done: .*0\.1\.77-base-96dc6d1355174f7a \(sha256:[0-9a-f]*\), 18 tags: 18 moved, 0 new$" out &&
	test_grep "done: .*0\.1\.77-base-55e478c699c5726a \(sha256:[0-9a-f]*\), 9 tags: 9 moved, 0 new$" out
'

test_expect_success 'plan with VERSION and TAGS_FROM out of reach: says what it cannot judge' '
	pub plan VERSION=0.1.77 TAGS_FROM=http://127.0.0.1:1/cargo-chef.git CONTEXT="$TRASH/context" >out 2>err &&
	test_grep "^version: cannot list the tags of TAGS_FROM=http://127\.0\.0\.1:1/cargo-chef\.git$" err &&
	test_grep "whether VERSION=0\.1\.77 is the greatest release is not known: latest\* stays where it is; to publish it without asking, say TAGS_FROM=" err &&
	test_grep "^version 0\.1\.77 \(latest\* stays where it is\)" out &&
	pub plan VERSION=0.1.77 TAGS_FROM= CONTEXT="$TRASH/context" >out 2>err &&
	test_grep "TAGS_FROM is empty: latest\* stays where it is" err &&
	test_no_grep "not the greatest release" err
'

test_expect_success 'the README: make registry-up STATE=... prints the address to probe' '
	echo "registry $TRASH/embedded/registry" >>"$TRASH/.fixtures" &&
	pub publish IMAGE= STATE="$TRASH/embedded" >out 2>&1 &&
	addr=$(make -C "$SRC" --no-print-directory registry-up STATE="$TRASH/embedded") &&
	(cd "$SRC" && bin/image-probe "$addr/cargo-chef:0.1.77-rust-1" "$addr/cargo-chef:nope") >probe &&
	test_grep "^$addr/cargo-chef:0\.1\.77-rust-1	sha256:[0-9a-f]{64}$" probe &&
	test_grep "^$addr/cargo-chef:nope	-$" probe
'

test_done
