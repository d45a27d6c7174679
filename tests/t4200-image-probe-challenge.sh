#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The WWW-Authenticate parser, seen through image-probe: a scripted server
# answers 401 with a given challenge, logs the token request it gets, and
# answers the retried HEAD only when it carries that token.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

# the parser runs under ASan and UBSan when they are built
[ -z "${SANBIN:-}" ] || PATH=$SANBIN:$PATH
DIGEST=sha256:$(printf %064d 7)
export DIGEST

# serve CHALLENGE: starts the server; $ADDR is its address, requests.log
# its log of "METHOD PATH AUTHORIZATION" lines; its 200 answers carry Docker
# Hub's rate-limit headers.  "@REALM@" in CHALLENGE
# becomes its own token URL.
serve() {
	rm -f requests.log
	cat >"$TRASH/handler.py" <<'EOF'
import os, sys
from http.server import BaseHTTPRequestHandler
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, headers):
        self.send_response(code)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def handle_one(self):
        auth = self.headers.get("Authorization", "-")
        with open("requests.log", "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, auth))
        if self.path.startswith("/token"):
            body = b"{\"token\": \"T0K3N\"}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif auth == "Bearer T0K3N":
            self.answer(200, [("Docker-Content-Digest", os.environ["DIGEST"]),
                              ("Content-Type", "application/vnd.oci.image.index.v1+json"),
                              ("RateLimit-Limit", "100;w=21600"),
                              ("RateLimit-Remaining", "76;w=21600")])
        else:
            realm = "http://127.0.0.1:%d/token" % self.server.server_port
            self.answer(401, [("WWW-Authenticate", os.environ["CHALLENGE"].replace("@REALM@", realm))])
    do_GET = do_HEAD = handle_one
EOF
	ADDR=$(CHALLENGE=$1 start_python scripted scripted-server.py --handler "$TRASH/handler.py")
}

# probe_with CHALLENGE: image-probe through it; the token request's query
# in token.query
probe_with() {
	serve "$1" &&
	image-probe "$ADDR/some/repo:1" >out 2>err &&
	printf "%s\t%s\n" "$ADDR/some/repo:1" "$DIGEST" >expect &&
	test_cmp expect out &&
	sed -n "s/^GET \/token?\([^ ]*\) -$/\1/p" requests.log >token.query
}

test_expect_success 'plain Bearer challenge: service and scope passed on, URL-encoded' '
	probe_with "Bearer realm=\"@REALM@\",service=\"reg\",scope=\"repository:some/repo:pull\"" &&
	echo "service=reg&scope=repository%3Asome%2Frepo%3Apull" >expect &&
	test_cmp expect token.query &&
	test_grep "^HEAD /v2/some/repo/manifests/1 Bearer T0K3N$" requests.log &&
	test_grep "requests: HEAD=2 GET=0 PUT=0 token=1$" err &&
	test_grep "^image-probe: ratelimit-remaining: 76 of 100 per 21600s$" err
'

test_expect_success 'quoted strings: escapes, commas and spaces inside; odd spacing; case' '
	probe_with "bearer  Realm = \"@REALM@\" ,SERVICE=\"a \\\"b\\\", c\\\\d\",  scope=\"repository:some/repo:pull\"" &&
	echo "service=a%20%22b%22%2C%20c%5Cd&scope=repository%3Asome%2Frepo%3Apull" >expect &&
	test_cmp expect token.query
'

test_expect_success 'an unquoted token value and no scope: our own scope is asked' '
	probe_with "Bearer realm=\"@REALM@\",service=reg" &&
	echo "service=reg&scope=repository%3Asome%2Frepo%3Apull" >expect &&
	test_cmp expect token.query
'

test_expect_success 'another scheme first (with a token68): the Bearer one is used' '
	probe_with "Negotiate abc+/==, Bearer realm=\"@REALM@\",service=\"s\"" &&
	echo "service=s&scope=repository%3Asome%2Frepo%3Apull" >expect &&
	test_cmp expect token.query
'

test_expect_success 'malformed challenges: exit 1, clear message, no token request' '
	for c in "Bearer realm=\"@REALM@" "Bearer realm=\"@REALM@\",service=\"x\"y" \
		"Bearer realm=\"ftp://x/\"" "Bearer service=\"s\"" "Digest realm=\"x\"" "" \
		"Bearer realm=\"@REALM@\",service=\"a$(printf "\\001")b\""; do
		serve "$c" &&
		test_status 1 image-probe --attempts 1 "$ADDR/some/repo:1" >out 2>err &&
		test_empty out &&
		test_grep "some/repo:1: " err &&
		test_no_grep "^GET /token" requests.log || { echo "challenge: $c"; return 1; }
	done
'

test_done
