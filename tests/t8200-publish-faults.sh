#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make publish through a flaky registry: a chain of fault-injecting proxies
# (tests/fixtures/fault-proxy.py) in front of the real one, each injecting
# its fault into 1% of the requests it sees, seeded: 429 with Retry-After,
# 500, 503 with Retry-After, dropped connections, 1 s stalls.  IMAGE and
# BASE_REPO name the outermost proxy, so the registry tools and buildah's
# pulls and pushes all go through the faults.  After every run, read from
# the registry itself: no tag points at another group's image (each is at
# its own group's canonical digest, absent, or where it was before), no
# stamp claims a group whose tags are not all right, a failed run failed
# cleanly (exit 2, the group named, no stamp); reruns through the faults
# finish.  Revision 005 (2 groups, 25 tags), then, in make check-long, 006
# (2 more groups, which take the floating aliases from the first two).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

export REGISTRY_BACKOFF_MS=50
small_platforms
pipeline_setup
standins "$(rev 005)"
[ -z "${TEST_LONG:-}" ] || standins "$(rev 006)"

# the chain, innermost first; $FLAKY is the outermost proxy.  The innermost
# answers 500 to the first 5 PUTs of one alias: all the attempts of one
# run's push of it, one PUT each as buildah is held to the list's format.
export REGISTRY_ATTEMPTS=5
STUCK=0.1.77-rust-1.19.0-jessie
DIRECT=$REGISTRY
proxy_start 500 --first 5 --match "^PUT /v2/cargo-chef/manifests/$STUCK\$"
REGISTRY=$PROXY seed=1
for mode in stall drop 503 500 429; do
	proxy_start "$mode" --rate 0.01 --seed "$seed" --stall 1 --retry-after 1
	REGISTRY=$PROXY seed=$((seed + 1))
done
FLAKY=$PROXY REGISTRY=$DIRECT
export FLAKY

# injected RE: faults injected so far into requests matching RE.
injected() {
	cat "$TRASH"/proxy*.log | grep "(injected)\$" | grep -Ec -e "$1" || :
}

# tags_right: every tag of the plan at its own canonical digest.
tags_right() {
	plan_tag_digests | awk -F '\t' '$2 == "" || $2 != $3 { print "wrong: " $0; bad = 1 }
		END { exit bad }'
}

# publish_through_faults: make -j2 publish through the faults until a run
# succeeds, 5 runs at most, checking the registry and the stamps after
# each run against plan_tag_digests taken before the first (in ./before).
publish_through_faults() {
	n=0
	while [ "$n" -lt 5 ]; do
		n=$((n + 1))
		status=0
		pub publish -j2 IMAGE="$FLAKY/cargo-chef" BASE_REPO="$FLAKY/rust" >"out.$n" 2>&1 ||
			status=$?
		echo "run $n: exit $status; $(injected .) faults injected so far"
		tags_own_or_before before && stamps_true || return 1
		case $status in
		0) tags_right; return ;;
		2) test_grep "^pipeline: group [0-9a-f]{16} FAILED: " "out.$n" || return 1 ;;
		*) cat "out.$n"; return 1 ;;
		esac
	done
	echo "5 runs through the faults did not finish"
	return 1
}

LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'a push that fails 5 times: the run fails cleanly, no stamp for its group' '
	: >before &&
	test_status 2 pub publish -j2 IMAGE="$FLAKY/cargo-chef" BASE_REPO="$FLAKY/rust" >out 2>&1 &&
	test_grep "^pipeline: group 55e478c699c5726a FAILED: " out &&
	test_grep "build of .*:0\.1\.77-base-55e478c699c5726a failed" out &&
	! ls "$STATE/stamps" | grep "^55e478c699c5726a" &&
	test -z "$(direct_digest "$REGISTRY/cargo-chef:$STUCK")" &&
	tags_own_or_before before &&
	stamps_true
'

test_expect_success 'reruns through the faults finish: every tag right, no wrong one meanwhile' '
	publish_through_faults &&
	test "$(builds)" -ge 2
'

test_expect_success 'faults of each kind were injected, into blob transfers (buildah) too' '
	for mode in 429 500 503 drop stall; do
		echo "$mode: $(injected " -> $mode \\(")"
	done &&
	test "$(injected .)" -ge 5 &&
	test "$(injected " /v2/[^ ]*/blobs/")" -ge 1
'

test_expect_success 'the rerun through the faults sends no request at all' '
	cat "$TRASH"/proxy*.log >log.before &&
	pub publish IMAGE="$FLAKY/cargo-chef" BASE_REPO="$FLAKY/rust" >out 2>&1 &&
	cat "$TRASH"/proxy*.log >log.after &&
	test_cmp log.before log.after
'

[ -n "${TEST_LONG:-}" ] || test_done
LIBRARY=$(rev 006)
test_expect_success 'the next revision through the faults: aliases move to their new group only' '
	plan_tag_digests >before &&
	publish_through_faults &&
	test "$(jq -s length "$STATE/plan.jsonl")" = 4 &&
	echo "faults injected in all: $(injected .)"
'

test_done
