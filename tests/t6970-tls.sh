#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make publish and make verify against a registry that serves TLS only, on
# loopback, with a CA made here (REGISTRY_CA_FILE): the registry tools and
# buildah both verify its certificate.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=3 REGISTRY_DEADLINE=30
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD REGISTRY_CONNECT_TO
mkdir -p "$HOME" "$DOCKER_CONFIG"
# buildah (1.28) refuses to push when $DOCKER_CONFIG has no config.json
echo "{}" >"$DOCKER_CONFIG/config.json"
PLATFORMS=linux/amd64

PKI=$TRASH/pki
tls_ca "$PKI" && tls_cert "$PKI" server "DNS:localhost,IP:127.0.0.1"
registry_start --tls "$PKI/server.pem" "$PKI/server.key"
# what the assertions read with curl, verifying the certificate
export REF_SCHEME=https CURL_CA_BUNDLE=$PKI/ca.pem PKI
tags_repo v0.1.77
# one group: the first entry of revision 005
head -n 9 "$(rev 005)" >"$TRASH/library"
LIBRARY=$TRASH/library
export LIBRARY
standins "$LIBRARY"

test_expect_success 'without the CA the publish fails: the certificate does not verify' '
	registry_mark &&
	! pub publish >out 2>&1 &&
	test_grep_i "certificate" out &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'publish over TLS with REGISTRY_CA_FILE: built, every tag at its canonical' '
	registry_mark &&
	REGISTRY_CA_FILE=$PKI/ca.pem pub publish >out 2>&1 &&
	test_grep "1 of 1 groups published" out &&
	test "$(builds)" = 1 &&
	tags_at_canonical
'

test_expect_success 'verify over TLS: every tag at its canonical digest' '
	REGISTRY_CA_FILE=$PKI/ca.pem pub verify >out 2>&1
'

test_done
