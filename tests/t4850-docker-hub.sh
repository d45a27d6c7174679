#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Docker Hub's names and shape, on loopback only: REGISTRY_CONNECT_TO sends
# registry-1.docker.io:443 and auth.docker.io:443 to tests/fixtures/docker-hub.py
# (certificates for those names from a CA made here, REGISTRY_CA_FILE), a thin
# front that gives a real docker-registry Docker Hub's token auth: anonymous
# pull tokens for library/, credentialled push tokens, tokens that expire
# mid-run, 429 without Retry-After, ratelimit-remaining.
#
# Fail closed: the script runs in a network namespace of its own, where only
# loopback exists, and its first test proves it (no interface but lo, the
# names do not resolve).  Without a namespace no test of these names runs.
if [ -z "${HUB_NETNS:-}" ]; then
	export HUB_NETNS=1
	for ns in "unshare -n" "unshare -rn"; do
		if $ns true 2>/dev/null; then
			# shellcheck disable=SC2016 # $0 of the inner shell
			exec $ns sh -c 'ip link set lo up && exec bash "$0"' "$0"
		fi
	done
	HUB_NETNS=none
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

if [ "$HUB_NETNS" = none ]; then
	test_expect_success 'a network namespace of its own (unshare -n) for Docker Hub names' 'false'
	test_done
	exit
fi

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=3 REGISTRY_DEADLINE=20
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD REGISTRY_CREDENTIALS_HOST REGISTRY_CONNECT_TO
mkdir -p "$HOME" "$DOCKER_CONFIG"

test_expect_success 'only loopback here: no other interface, Docker Hub names do not resolve' '
	ip -o link show >links &&
	test "$(grep -vc ": lo:" links)" = 0 &&
	! getent hosts registry-1.docker.io auth.docker.io &&
	test_status 1 image-probe docker.io/library/rust:1 >out 2>err &&
	test_grep_i "resolve" err
'
# everything after needs that proof
if [ "$test_failed" -ne 0 ]; then
	test_done
	exit
fi

PKI=$TRASH/pki
tls_ca "$PKI" && tls_cert "$PKI" hub "DNS:registry-1.docker.io,DNS:auth.docker.io"
registry_start
BACKEND=$REGISTRY
push_standin "$BACKEND/library/rust:1" --platforms linux/amd64 >"$TRASH/rust.digest"
push_standin "$BACKEND/chef/cargo-chef:src" --platforms linux/amd64 >"$TRASH/src.digest"
RUST_DIGEST=$(cat "$TRASH/rust.digest") SRC_DIGEST=$(cat "$TRASH/src.digest")
printf '%s\n' chef:pw-Chef-2Zq8 >"$TRASH/hub.users"
export PKI BACKEND RUST_DIGEST SRC_DIGEST REGISTRY_CA_FILE=$PKI/ca.pem

# hub_start NAME [docker-hub.py options]: a Docker Hub front; sets $HUB_LOG
# and $HUB_CONNECT_TO, the mapping that reaches it
hub_start() {
	name=$1
	shift
	start_python "$name" docker-hub.py --upstream "$BACKEND" \
		--cert "$PKI/hub.pem" --key "$PKI/hub.key" --users "$TRASH/hub.users" \
		--auth-port-file "$TRASH/$name.auth-port" "$@" >/dev/null || return 1
	wait_for_file "$TRASH/$name.auth-port" || return 1
	HUB_LOG=$TRASH/$name.log
	HUB_CONNECT_TO="registry-1.docker.io:443:127.0.0.1:$(cat "$TRASH/$name.port"),auth.docker.io:443:127.0.0.1:$(cat "$TRASH/$name.auth-port")"
	export HUB_LOG HUB_CONNECT_TO
}

hub_start hub
export REGISTRY_CONNECT_TO=$HUB_CONNECT_TO

test_expect_success 'docker.io/library/rust:1 and rust:1 by their real names, one anonymous token' '
	image-probe docker.io/library/rust:1 rust:1 rust:nope >out 2>err &&
	printf "%s\t%s\n" docker.io/library/rust:1 "$RUST_DIGEST" rust:1 "$RUST_DIGEST" \
		rust:nope - >expect &&
	test_cmp expect out &&
	test_grep "^image-probe: requests: HEAD=[0-9]+ GET=0 PUT=0 token=1\$" err &&
	test_grep "^token scope=repository:library/rust:pull user=anonymous -> 200 granted=library/rust:pull\$" "$HUB_LOG" &&
	test "$(grep -c "^token " "$HUB_LOG")" = 1
'

test_expect_success 'a push repository: a credentialled push token, the credentials to auth.docker.io only' '
	: >"$HUB_LOG" &&
	echo docker.io/chef/cargo-chef:v1 |
		REGISTRY_CREDENTIALS_HOST=docker.io REGISTRY_USER=chef REGISTRY_PASSWORD=pw-Chef-2Zq8 \
		image-alias chef/cargo-chef:src >out 2>err &&
	printf "docker.io/chef/cargo-chef:v1\t%s\tupdated\n" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	test_grep "^token scope=repository:chef/cargo-chef:pull,push user=chef -> 200 granted=chef/cargo-chef:pull,push\$" "$HUB_LOG" &&
	test "$(ref_digest "$BACKEND/chef/cargo-chef:v1")" = "$SRC_DIGEST"
'

test_expect_success 'anonymous gets no push: insufficient_scope, said plainly' '
	echo docker.io/chef/cargo-chef:v2 | test_status 1 image-alias chef/cargo-chef:src >out 2>err &&
	test_grep "insufficient_scope|lacks push" err
'

test_expect_success 'ratelimit-remaining is reported; a HEAD costs none, a GET one' '
	image-probe rust:1 >out 2>err &&
	test_grep "^image-probe: ratelimit-remaining: ([0-9]+) of 100 per 21600s\$" err &&
	before=$(sed -n "s/^image-probe: ratelimit-remaining: \([0-9]*\) of.*/\1/p" err) &&
	image-manifest rust:1 >out 2>err &&
	test_grep "^image-manifest: ratelimit-remaining: $((before - 1)) of 100 per 21600s\$" err
'

hub_start expiring --ttl 1 --delay manifests/slow
EXPIRING=$HUB_CONNECT_TO EXPIRING_LOG=$HUB_LOG
hub_start lying --ttl 1 --expires-in 300 --delay manifests/slow
LYING=$HUB_CONNECT_TO LYING_LOG=$HUB_LOG
export EXPIRING EXPIRING_LOG LYING LYING_LOG

test_expect_success 'a token that expires mid-run is renewed before it is refused (expires_in)' '
	REGISTRY_CONNECT_TO=$EXPIRING image-probe rust:slow rust:1 >out 2>err &&
	printf "%s\t%s\n" rust:slow - rust:1 "$RUST_DIGEST" >expect &&
	test_cmp expect out &&
	test "$(grep -c "^token .* -> 200" "$EXPIRING_LOG")" = 2 &&
	test_no_grep "invalid_token" "$EXPIRING_LOG"
'

test_expect_success 'a token refused after expiry (expires_in lied): one new token, the request again' '
	REGISTRY_CONNECT_TO=$LYING image-probe rust:slow rust:1 >out 2>err &&
	printf "%s\t%s\n" rust:slow - rust:1 "$RUST_DIGEST" >expect &&
	test_cmp expect out &&
	test "$(grep -c "^token .* -> 200" "$LYING_LOG")" = 2 &&
	test "$(grep -c "invalid_token" "$LYING_LOG")" = 1
'

hub_start throttled --toomanyrequests 2
THROTTLED=$HUB_CONNECT_TO THROTTLED_LOG=$HUB_LOG
hub_start throttled_always --toomanyrequests 1000
ALWAYS=$HUB_CONNECT_TO ALWAYS_LOG=$HUB_LOG
export THROTTLED THROTTLED_LOG ALWAYS ALWAYS_LOG

test_expect_success '429 toomanyrequests without Retry-After: backoff, then the answer' '
	REGISTRY_CONNECT_TO=$THROTTLED image-probe rust:1 >out 2>err &&
	printf "%s\t%s\n" rust:1 "$RUST_DIGEST" >expect &&
	test_cmp expect out &&
	test "$(grep -c -- "-> 429" "$THROTTLED_LOG")" = 2 &&
	test "$(grep -c "retrying in" err)" = 2
'

test_expect_success '429 for ever: bounded by --attempts, exit 1, named' '
	REGISTRY_CONNECT_TO=$ALWAYS test_status 1 image-probe --attempts 3 rust:1 >out 2>err &&
	test_empty out &&
	test_grep "HTTP 429; gave up after 3 attempts" err &&
	test "$(grep -c -- "-> 429" "$ALWAYS_LOG")" = 3
'

# san_agrees: the sanitizer build, through the token server that lies about
# expiry, prints what expect holds (nothing to run without SANBIN)
san_agrees() {
	[ -z "${SANBIN:-}" ] && return
	REGISTRY_CONNECT_TO=$LYING "$SANBIN/image-probe" rust:slow rust:1 >out 2>err &&
		test_cmp expect out &&
		test_no_grep "runtime error|Sanitizer" err
}

test_expect_success 'the sanitizer build agrees: connect-to, a token refused after expiry' '
	printf "%s\t%s\n" rust:slow - rust:1 "$RUST_DIGEST" >expect &&
	san_agrees
'

test_expect_long 'the sanitizer build and valgrind agree: connect-to, renewed tokens, a push' '
	printf "%s\t%s\n" rust:slow - rust:1 "$RUST_DIGEST" >expect &&
	san_agrees &&
	! command -v valgrind >/dev/null || {
		# valgrind runs the tools tens of times slower (its TLS handshakes
		# alone take seconds under load): the 20 s deadline of this script is
		# for the tools run natively
		export REGISTRY_DEADLINE=120
		REGISTRY_CONNECT_TO=$EXPIRING memcheck image-probe rust:slow rust:1 >out 2>err &&
		test_cmp expect out &&
		echo docker.io/chef/cargo-chef:v3 |
			REGISTRY_CREDENTIALS_HOST=docker.io REGISTRY_USER=chef REGISTRY_PASSWORD=pw-Chef-2Zq8 \
			memcheck image-alias chef/cargo-chef:src >out 2>err
	}
'

test_expect_success 'REGISTRY_CONNECT_TO is validated strictly: exit 2, named, before any request' '
	wc -l <"$HUB_LOG" >before &&
	for bad in "registry-1.docker.io:443:127.0.0.1" "registry-1.docker.io:0:127.0.0.1:5000" \
		"registry-1.docker.io:443:127.0.0.1:99999" ":443:127.0.0.1:5000" \
		"registry-1.docker.io:443::5000" "a b:443:127.0.0.1:5000" "x:1:y:2," \
		"x-:1:y:2" "x:1:y:2:3" "x:01:y:2"; do
		REGISTRY_CONNECT_TO=$bad test_status 2 image-probe rust:1 >out 2>err &&
		test_empty out &&
		test_grep "^image-probe: REGISTRY_CONNECT_TO: " err || exit 1
	done &&
	wc -l <"$HUB_LOG" >after &&
	test_cmp before after
'

test_done
