#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The input stages and the lock: the version (release tags, pre-releases,
# VERSION), the library file (a path; a URL by conditional GET), outputs
# rewritten only when they change, and two runs on one state never at once.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'the version is the greatest release tag; unchanged inputs keep their files' '
	pub matrix >matrix.json 2>err &&
	echo "0.1.77 yes" >expect &&
	test_cmp expect "$STATE/version" &&
	touch -d "2000-01-01" "$STATE/version" "$STATE/library" "$STATE/plan.jsonl" "$STATE/groups.mk" &&
	pub matrix >matrix2.json 2>err &&
	test_cmp matrix.json matrix2.json &&
	test -z "$(find "$STATE/version" "$STATE/library" "$STATE/plan.jsonl" "$STATE/groups.mk" -newer "$TAGS")"
'

test_expect_success 'a pre-release as the greatest tag: nothing to publish, exit 0, no request' '
	release v0.2.0-rc.1 &&
	registry_mark &&
	pub publish >out 2>&1 &&
	test_grep "not a release: nothing to publish" out &&
	test_grep "nothing to publish" out &&
	test "$(registry_count_since "*")" = 0 &&
	test_empty "$STATE/plan.jsonl" &&
	git -C "$TAGS" tag -d v0.2.0-rc.1 >/dev/null
'

test_expect_success 'VERSION: a pre-release publishes nothing; a non-version is an error' '
	pub publish VERSION=0.1.78-beta.1 >out 2>&1 &&
	test_grep "VERSION=0.1.78-beta.1 is a pre-release: nothing to publish" out &&
	test_status 2 pub publish VERSION=latest >out 2>&1 &&
	test_grep "VERSION=latest is not a semantic version" out
'

test_expect_success 'a URL library: conditional GET, a 304 rewrites nothing' '
	mkdir web && cp "$(rev 005)" web/rust || exit 1
	# alone in the background, so that $! is the server itself; --directory
	# names $TRASH in its arguments: fixtures_stop then stops it
	python3 -m http.server --bind 127.0.0.1 --directory "$TRASH/web" 0 >web.log 2>&1 &
	echo "pid $!" >>"$TRASH/.fixtures" &&
	for i in $(seq 50); do grep -q "Serving HTTP" web.log && break; sleep 0.1; done &&
	port=$(sed -n "s/.*port \([0-9]*\).*/\1/p" web.log | head -n 1) &&
	url=http://127.0.0.1:$port/rust &&
	pub matrix LIBRARY="$url" >m1 2>err &&
	test_cmp "$(rev 005)" "$STATE/library" &&
	test -s "$STATE/library.modified" &&
	pub matrix LIBRARY="$url" >m2 2>err &&
	test_grep "\"GET /rust HTTP/1.1\" 304" web.log &&
	test_cmp m1 m2 &&
	cp "$(rev 006)" web/rust && touch -d "+1 minute" web/rust &&
	pub matrix LIBRARY="$url" >m3 2>err &&
	test_cmp "$(rev 006)" "$STATE/library" &&
	test "$(jq ".include | length" m3)" = 4
'

test_expect_success 'the lock: a second run on the same state refuses or waits, saying why' '
	(exec 9>>"$STATE/lock" && flock 9 && exec sleep 30) &
	holder=$! &&
	sleep 0.3 &&
	registry_mark &&
	test_status 2 pub publish LOCK_WAIT=0 >out 2>&1 &&
	test_grep "is in use by .*not waiting \(LOCK_WAIT=0\)" out &&
	test_status 2 pub publish LOCK_WAIT=1 >out 2>&1 &&
	test_grep "waiting up to 1s" out &&
	test_grep "still in use after 1s" out &&
	test "$(registry_count_since "*")" = 0 &&
	kill $holder &&
	pub matrix LOCK_WAIT=5 >out 2>&1
'

test_done
