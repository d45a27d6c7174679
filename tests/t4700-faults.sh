#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Faults between the registry tools and a registry (tests/fixtures/
# fault-proxy.py in front of a real one): 429 with Retry-After, 500, 503 and
# dropped connections for the first attempts still end with every target
# right; a registry that never recovers ends with exit 1 within the
# configured bound; a stalled transfer times out per --stall-timeout.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=5 REGISTRY_DEADLINE=30
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD

registry_start
push_standin "$REGISTRY/app:src" --platforms linux/amd64,linux/arm64 >"$TRASH/src.digest"
SRC_DIGEST=$(cat "$TRASH/src.digest")
export SRC_DIGEST

# alias_through PROXY PREFIX N [OPTIONS]: image-alias, through PROXY, of
# app:src to app:PREFIX1..N; leaves targets, out, err, and the expected
# output in expect.
alias_through() {
	proxy=$1 prefix=$2 n=$3
	shift 3
	: >targets && : >expect &&
	for i in $(seq "$n"); do
		echo "$proxy/app:$prefix$i" >>targets &&
		printf "%s\t%s\tupdated\n" "$proxy/app:$prefix$i" "$SRC_DIGEST" >>expect || return 1
	done &&
	image-alias "$@" "$proxy/app:src" <targets >out 2>err
}

# all_right PREFIX N: the registry itself serves app:src at app:PREFIX1..N.
all_right() {
	for i in $(seq "$2"); do
		d=$(ref_digest "$REGISTRY/app:$1$i")
		if [ "$d" != "$SRC_DIGEST" ]; then
			echo "app:$1$i is '$d'"
			return 1
		fi
	done
}

# injected LOG: how many faults the proxy injected.
injected() {
	grep -c "(injected)\$" "$1"
}

proxy_start 429 --first 2 --retry-after 1
export P429=$PROXY L429=$PROXY_LOG
proxy_start 503 --first 3 --retry-after 0
export P503=$PROXY L503=$PROXY_LOG
proxy_start 500 --first 2
export P500=$PROXY L500=$PROXY_LOG
proxy_start drop --first 3
export PDROP=$PROXY LDROP=$PROXY_LOG
proxy_start 500 --rate 0.2 --seed 4
export PRATE=$PROXY LRATE=$PROXY_LOG

test_expect_success '429 with Retry-After: waited for, then every target is right' '
	start=$(date +%s) &&
	alias_through "$P429" r 3 &&
	end=$(date +%s) &&
	test_cmp expect out &&
	all_right r 3 &&
	test "$(injected "$L429")" = 2 &&
	echo "elapsed $((end - start))" &&
	test $((end - start)) -ge 2 &&
	test_grep "$(tool_summary_re image-alias)" err
'

test_expect_success 'the summary counts the refused requests too' '
	sed -n "s/^image-alias: requests: HEAD=\([0-9]*\) GET=\([0-9]*\) PUT=\([0-9]*\) .*/\1 \2 \3/p" err >actual &&
	for m in HEAD GET PUT; do
		grep -c " $m " "$L429" || :
	done | tr "\n" " " | sed "s/ \$/\n/" >expect &&
	test_cmp expect actual
'

test_expect_success '503 for the first attempts: every target is right' '
	alias_through "$P503" s 3 &&
	test_cmp expect out &&
	all_right s 3 &&
	test "$(injected "$L503")" = 3
'

test_expect_success '500 for the first attempts: every target is right' '
	alias_through "$P500" f 2 &&
	test_cmp expect out &&
	all_right f 2 &&
	test "$(injected "$L500")" = 2
'

test_expect_success 'dropped connections for the first attempts: every target is right' '
	alias_through "$PDROP" d 3 &&
	test_cmp expect out &&
	all_right d 3 &&
	test "$(injected "$LDROP")" = 3
'

test_expect_success '500 at random (seeded) over 10 targets: every target is right' '
	alias_through "$PRATE" x 10 &&
	test_cmp expect out &&
	all_right x 10 &&
	n=$(injected "$LRATE") &&
	echo "injected $n" &&
	test "$n" -gt 0
'

test_expect_success 'image-probe through a flaky proxy answers as without it' '
	image-probe "$PRATE/app:src" "$PRATE/app:x1" "$PRATE/app:none" >out 2>err &&
	printf "%s\t%s\n" "$PRATE/app:src" "$SRC_DIGEST" "$PRATE/app:x1" "$SRC_DIGEST" \
		"$PRATE/app:none" - >expect &&
	test_cmp expect out
'

proxy_start 503 --forever --retry-after 0
export PDOWN=$PROXY LDOWN=$PROXY_LOG
proxy_start 429 --forever --retry-after 1
export PBUSY=$PROXY LBUSY=$PROXY_LOG
proxy_start drop --forever
export PGONE=$PROXY LGONE=$PROXY_LOG
proxy_start 500 --forever --match "^PUT .*/manifests/p3\$"
export PPUT=$PROXY LPUT=$PROXY_LOG
proxy_start stall --forever --stall 30
export PSTALL=$PROXY LSTALL=$PROXY_LOG
proxy_start stall --first 1 --stall 30
export PSTALL1=$PROXY LSTALL1=$PROXY_LOG

test_expect_success 'a registry that never recovers (503): exit 1 after --attempts sends' '
	start=$(date +%s) &&
	test_status 1 image-probe --attempts 3 --deadline 5 "$PDOWN/app:src" >out 2>err &&
	end=$(date +%s) &&
	echo "elapsed $((end - start))" &&
	test $((end - start)) -le 7 &&
	test_empty out &&
	test_grep "503|UNAVAILABLE|[Uu]navailable" err &&
	test "$(injected "$LDOWN")" = 3 &&
	test_grep "^image-probe: requests: HEAD=3 GET=0 PUT=0 token=0\$" err
'

test_expect_success 'a registry that never recovers (429 + Retry-After): exit 1 within --deadline' '
	start=$(date +%s) &&
	test_status 1 image-probe --attempts 100 --deadline 3 "$PBUSY/app:src" >out 2>err &&
	end=$(date +%s) &&
	echo "elapsed $((end - start))" &&
	test $((end - start)) -le 5 &&
	test_empty out &&
	test_grep "429|TOOMANYREQUESTS|[Tt]oo many" err &&
	n=$(injected "$LBUSY") &&
	test "$n" -ge 2 && test "$n" -le 5
'

test_expect_success 'a registry that always drops the connection: exit 1, bounded' '
	echo "$PGONE/app:g1" >targets &&
	start=$(date +%s) &&
	test_status 1 image-alias --attempts 3 --deadline 5 "$PGONE/app:src" <targets >out 2>err &&
	end=$(date +%s) &&
	test $((end - start)) -le 7 &&
	test_empty out &&
	test "$(injected "$LGONE")" = 3
'

test_expect_success 'env REGISTRY_ATTEMPTS bounds the sends as --attempts does' '
	: >"$LDOWN" &&
	test_status 1 env REGISTRY_ATTEMPTS=2 image-probe "$PDOWN/app:src" >out 2>err &&
	test "$(injected "$LDOWN")" = 2
'

test_expect_success 'a 4xx other than 429 is not retried' '
	registry_mark &&
	printf "%s\n" "$REGISTRY/nonexistent:bad" >targets &&
	test_status 1 image-alias "$REGISTRY/nonexistent:src" <targets >out 2>err &&
	test_empty out &&
	test_grep "nonexistent:src" err &&
	test "$(registry_count_since HEAD /manifests/)" = 1
'

# image-alias(1): the targets done are printed, the others named on stderr
test_expect_success 'a PUT that keeps failing: earlier targets done, the rest named' '
	test_status 1 alias_through "$PPUT" p 4 --attempts 2 --deadline 5 &&
	head -n 2 expect >done &&
	test_cmp done out &&
	all_right p 2 &&
	test_grep "not done: .*app:p3, .*app:p4\$" err &&
	d=$(ref_digest "$REGISTRY/app:p3") &&
	test -z "$d" &&
	test "$(injected "$LPUT")" = 2
'

test_expect_success 'a stall times out per --stall-timeout, each attempt' '
	start=$(date +%s) &&
	test_status 1 image-probe --attempts 2 --deadline 20 --stall-timeout 2 "$PSTALL/app:src" >out 2>err &&
	end=$(date +%s) &&
	echo "elapsed $((end - start))" &&
	test $((end - start)) -ge 3 && test $((end - start)) -le 8 &&
	test_empty out &&
	test "$(injected "$LSTALL")" = 2
'

test_expect_success 'the deadline bounds stalled attempts too' '
	: >"$LSTALL" &&
	start=$(date +%s) &&
	test_status 1 image-probe --attempts 10 --deadline 3 --stall-timeout 2 "$PSTALL/app:src" >out 2>err &&
	end=$(date +%s) &&
	echo "elapsed $((end - start))" &&
	test $((end - start)) -le 6
'

test_expect_success 'a stall on the first attempt only: retried, every target right' '
	alias_through "$PSTALL1" t 2 --stall-timeout 2 &&
	test_cmp expect out &&
	all_right t 2 &&
	test "$(injected "$LSTALL1")" = 1
'

test_done
