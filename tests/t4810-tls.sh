#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# TLS like docker, on loopback: HTTPS first, plain HTTP only after the TLS
# handshake failed (once a run per host); a certificate that does not verify
# is an error, not a fallback; REGISTRY_CA_FILE adds a CA to the system's.
# The registries are real docker-registry, one serving TLS only.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=2 REGISTRY_DEADLINE=20
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD REGISTRY_CA_FILE REGISTRY_CONNECT_TO
mkdir -p "$HOME" "$DOCKER_CONFIG"

PKI=$TRASH/pki
tls_ca "$PKI" && tls_cert "$PKI" server "DNS:localhost,IP:127.0.0.1"
# another CA's certificate for the same names: it does not verify
tls_ca "$PKI/other" && tls_cert "$PKI/other" server "DNS:localhost,IP:127.0.0.1"
export PKI

registry_start --tls "$PKI/server.pem" "$PKI/server.key"
TLS=$REGISTRY TLS_DIR=$REGISTRY_DIR
push_standin "$TLS/app:src" --platforms linux/amd64 >"$TRASH/tls.digest"
TLS_DIGEST=$(cat "$TRASH/tls.digest")
registry_start
PLAIN=$REGISTRY PLAIN_DIR=$REGISTRY_DIR
push_standin "$PLAIN/app:src" --platforms linux/amd64 >"$TRASH/plain.digest"
PLAIN_DIGEST=$(cat "$TRASH/plain.digest")
export TLS TLS_DIR TLS_DIGEST PLAIN PLAIN_DIR PLAIN_DIGEST

# on DIR: the registry the mark and counts of lib-registry.sh are about
on() { REGISTRY_DIR=$1; }

test_expect_success 'a TLS-only loopback registry is spoken to in HTTPS, with REGISTRY_CA_FILE' '
	on "$TLS_DIR" && registry_mark &&
	REGISTRY_CA_FILE=$PKI/ca.pem image-probe "$TLS/app:src" "$TLS/app:nope" >out 2>err &&
	printf "%s\t%s\n" "$TLS/app:src" "$TLS_DIGEST" "$TLS/app:nope" - >expect &&
	test_cmp expect out &&
	summary_matches_log image-probe err
'

test_expect_success 'image-alias pushes over TLS, with REGISTRY_CA_FILE' '
	on "$TLS_DIR" && registry_mark &&
	echo "$TLS/app:alias" | REGISTRY_CA_FILE=$PKI/ca.pem image-alias "$TLS/app:src" >out 2>err &&
	test "$(REF_SCHEME=https CURL_CA_BUNDLE=$PKI/ca.pem ref_digest "$TLS/app:alias")" = "$TLS_DIGEST" &&
	test "$(registry_count_since PUT "^/v2/app/manifests/alias\$" "^201\$")" = 1
'

test_expect_success 'a certificate that does not verify is an error, never a fallback to HTTP' '
	on "$TLS_DIR" && registry_mark &&
	test_status 1 image-probe "$TLS/app:src" >out 2>err &&
	test_empty out &&
	test_grep_i "certificate" err &&
	test "$(registry_count_since "*")" = 0 &&
	REGISTRY_CA_FILE=$PKI/other/ca.pem test_status 1 image-probe "$TLS/app:src" >out 2>err &&
	test_empty out &&
	test_grep_i "certificate" err &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'a plain-HTTP loopback registry still works: HTTP after the handshake failed' '
	on "$PLAIN_DIR" && registry_mark &&
	image-probe "$PLAIN/app:src" "$PLAIN/app:nope" >out 2>err &&
	printf "%s\t%s\n" "$PLAIN/app:src" "$PLAIN_DIGEST" "$PLAIN/app:nope" - >expect &&
	test_cmp expect out &&
	summary_matches_log image-probe err &&
	printf "%s\n" "$PLAIN/app:a1" "$PLAIN/app:a2" |
		REGISTRY_CA_FILE=$PKI/ca.pem image-alias "$PLAIN/app:src" >out 2>err &&
	test "$(ref_digest "$PLAIN/app:a2")" = "$PLAIN_DIGEST"
'

# connections IMAGE-PROBE-ARGS...: how many TCP connections image-probe opens
# to the plain registry's port.
connections() {
	strace -f -e trace=connect -o "$TRASH/connect.trace" image-probe "$@" >/dev/null 2>&1 &&
	grep -c "sin_port=htons(${PLAIN##*:})" "$TRASH/connect.trace"
}

test_expect_success 'the handshake fails once a run: the scheme is remembered for the host' '
	n=$(connections "$PLAIN/app:src" "$PLAIN/app:nope" "$PLAIN/app:a1" "$PLAIN/app:a2") &&
	test "$n" = 2
'

test_expect_success 'an unreadable REGISTRY_CA_FILE: exit 2, named, no request' '
	on "$TLS_DIR" && registry_mark &&
	REGISTRY_CA_FILE=$PKI/none.pem test_status 2 image-probe "$TLS/app:src" >out 2>err &&
	test_empty out &&
	test_grep "^image-probe: REGISTRY_CA_FILE: cannot read " err &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'the sanitizer build and valgrind agree: TLS, and the fallback to HTTP' '
	printf "%s\t%s\n" "$TLS/app:src" "$TLS_DIGEST" "$PLAIN/app:src" "$PLAIN_DIGEST" >expect &&
	test -z "${SANBIN:-}" || {
		REGISTRY_CA_FILE=$PKI/ca.pem "$SANBIN/image-probe" "$TLS/app:src" "$PLAIN/app:src" >out 2>err &&
		test_cmp expect out &&
		test_no_grep "runtime error|Sanitizer" err
	} &&
	! command -v valgrind >/dev/null || {
		REGISTRY_CA_FILE=$PKI/ca.pem memcheck image-probe "$TLS/app:src" "$PLAIN/app:src" >out 2>err &&
		test_cmp expect out
	}
'

test_done
