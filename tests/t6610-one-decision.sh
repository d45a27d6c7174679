#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# One decision, made in one place (mk/decide.sh): for the same state, make
# plan, DRY_RUN=1 and make publish print the same decision for each group,
# across the kinds of action: build, done, in-place, alias-only, rebuild
# (and why), refuse, adopt, wait; publish then does what it said.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

# from_plan OUT / from_publish OUT: "KEY16<TAB>DECISION" per group, sorted
# (publish says "decision: ...", DRY_RUN=1 "would: ...")
from_plan() {
	awk '/^group / { key = $2 } sub(/^  decision   /, "") && !/^done / { print key "\t" $0 }' "$1" | sort
}
from_publish() {
	sed -En 's/^publish \[([0-9a-f]*)\]: (decision|would): /\1\t/p' "$1" | sort
}
# agree [VAR=V...]: plan, DRY_RUN=1 and publish (-k: a refused group fails
# it) print the same decisions; their kinds, sorted, in kinds
agree() {
	pub plan "$@" >plan.out 2>plan.err &&
	pub publish DRY_RUN=1 "$@" >dry.out 2>&1 &&
	{ pub publish -k "$@" >publish.out 2>&1 || :; } &&
	from_plan plan.out >plan.d && from_publish dry.out >dry.d &&
	from_publish publish.out >publish.d &&
	test -s plan.d && test_cmp plan.d dry.d && test_cmp plan.d publish.d &&
	cut -f2 plan.d | sed "s/:.*//" | sort | paste -sd " " >kinds
}

test_expect_success 'build: the same decision thrice, then built' '
	standins "$LIBRARY" &&
	registry_mark &&
	agree &&
	test "$(cat kinds)" = "build build" &&
	test "$(builds)" = 2 &&
	tags_at_canonical
'

test_expect_success 'done: plan says so, publish sends nothing' '
	registry_mark &&
	pub plan >out 2>&1 &&
	test "$(grep -c "^  decision   done (stamp): no request$" out)" = 2 &&
	pub publish DRY_RUN=1 >out 2>&1 &&
	pub publish >out 2>&1 &&
	test_no_grep "decision:" out &&
	test "$(registry_count_since HEAD)" = 0 &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_expect_success 'in-place and alias-only (a tag moved by hand)' '
	rm -f "$STATE"/stamps/* &&
	jessie=$(digest_of 0.1.77-base-55e478c699c5726a) &&
	curl -sf -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/cargo-chef/manifests/$jessie" >m &&
	curl -sf -X PUT -H "Content-Type: $(jq -r .mediaType m)" --data-binary @m \
		"http://$REGISTRY/v2/cargo-chef/manifests/0.1.77-rust-1.19.0" &&
	agree &&
	test "$(cat kinds)" = "alias-only in-place" &&
	test_grep "alias-only: point its $(group_tags 96dc6d1355174f7a) tags at .*: 1 to move, 0 new \(1 GET\)$" plan.d &&
	tags_at_canonical
'

test_expect_success 'rebuild, and why: another build context' '
	cp -R "$SRC/tests/context" "$TRASH/context" &&
	echo "another build" >>"$TRASH/context/cargo-chef.txt" &&
	registry_mark &&
	agree CONTEXT="$TRASH/context" &&
	test "$(cat kinds)" = "rebuild rebuild" &&
	test_grep "rebuild: .* was built from other platforms or another build context; for " plan.d &&
	test "$(builds)" = 2
'

test_expect_success 'refuse: fewer platforms, known from the state' '
	registry_mark &&
	agree CONTEXT="$TRASH/context" PLATFORMS=linux/amd64 &&
	test "$(cat kinds)" = "refuse refuse" &&
	test_grep "FAILED: " publish.out &&
	test "$(builds)" = 0 &&
	test "$(registry_count_since GET)" = 0
'

test_expect_success 'adopt: the original workflow'"'"'s images of a new release' '
	release v0.1.78 &&
	for key in $(rust-groups --workflow-keys "$LIBRARY" | jq -r .group_key_tag); do
		push_standin "$REGISTRY/cargo-chef:0.1.78-base-$key" --platforms "$PLATFORMS" \
			--content "0.1.78 by the workflow: $key" >/dev/null || return 1
	done &&
	registry_mark &&
	agree &&
	test "$(cat kinds)" = "adopt adopt" &&
	test "$(registry_count_since POST "^/v2/cargo-chef/blobs/uploads/")" = 0 &&
	tags_at_canonical
'

test_expect_success 'wait: a base known (REFRESH_BASE=1 HEADs it) not to be the build of the commit' '
	release v0.1.79 &&
	rust-groups "$LIBRARY" | grep "1.19.0/stretch" >stretch.json &&
	push_standin "$REGISTRY/rust:1.19.0" --platforms "$PLATFORMS" --content old \
		--annotate-for linux/amd64 "org.opencontainers.image.revision=$(jq -r ".group_key[:40]" stretch.json)" \
		--annotate-for linux/arm64 org.opencontainers.image.revision=0123456789012345678901234567890123456789 \
		>/dev/null &&
	pub publish REFRESH_BASE=1 >out 2>&1 &&
	test_grep "group 96dc6d1355174f7a waiting: " out &&
	registry_mark &&
	agree REFRESH_BASE=1 &&
	test "$(cat kinds)" = "wait" &&
	test_grep "wait: .*rust:1\.19\.0 is .*@sha256:[0-9a-f]*, which is not the build of the group.s commit for linux/arm64" plan.d &&
	test "$(registry_count_since GET)" = 0 &&
	test "$(registry_count_since PUT)" = 0
'

test_done
