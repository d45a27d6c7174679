#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# image-tags: every tag of a repository, sorted, from a real registry (one
# page: distribution 2.8 sends no Link), an unknown and an empty repository,
# token auth with the pull scope; then a scripted server's paged answers:
# path-absolute, absolute and relative next links among other links,
# "tags": null, a retried page, and the links refused (another host, a
# loop, a malformed header) or answers refused (a bad tag, not JSON).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

export REGISTRY_BACKOFF_MS=20 HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD
mkdir -p "$HOME" "$DOCKER_CONFIG"

# summary LIST [TOKEN]: the expected summary line (no HEAD, GET or PUT ever)
summary() {
	echo "image-tags: requests: HEAD=0 GET=0 PUT=0 token=${2:-0} list=$1"
}
# summary_is LIST [TOKEN]: the summary line of err is that one
summary_is() {
	summary "$@" >expect.sum &&
	grep "requests:" err >actual.sum &&
	test_cmp expect.sum actual.sum
}

registry_start
R=$REGISTRY
D=$(push_standin "$R/app:one" --platforms linux/amd64)
printf '%s\n' "$R/app:two" "$R/app:Zed" "$R/app:0.1" "$R/app:latest" "$R/app:_x" |
	image-alias "$R/app:one" >/dev/null 2>&1
E=$(push_standin "$R/empty:gone" --platforms linux/amd64 --content empty)
export R D E

test_expect_success 'every tag, sorted in byte order, one tags/list request, no manifest request' '
	test -n "$D" &&
	registry_mark &&
	image-tags "$R/app" >out 2>err &&
	printf "%s\n" one two Zed 0.1 latest _x | LC_ALL=C sort >expect &&
	test_cmp expect out &&
	summary_is 1 &&
	test "$(registry_count_since GET "^/v2/app/tags/list[?]n=1000$" "^200$")" = 1 &&
	test "$(registry_count_since "*")" = 1
'

test_expect_success 'an unknown repository: exit 1 with the registry message, nothing on stdout' '
	test_status 1 image-tags "$R/never/pushed" >out 2>err &&
	test_empty out &&
	test_grep "^image-tags: $R/never/pushed: NAME_UNKNOWN: repository name not known to registry \(HTTP 404\)$" err &&
	summary_is 1
'

test_expect_success 'a repository whose only manifest was deleted ("tags": null): empty, exit 0' '
	code=$(curl -s -o /dev/null -w "%{http_code}" -X DELETE \
		"http://$R/v2/empty/manifests/$E") &&
	test "$code" = 202 &&
	curl -s "http://$R/v2/empty/tags/list" | jq -e ".tags == null" &&
	image-tags "$R/empty" >out 2>err &&
	test_empty out &&
	summary_is 1
'

test_expect_success 'a reference with a tag is refused before any request' '
	registry_mark &&
	test_status 1 image-tags "$R/app:one" >out 2>err &&
	test_empty out &&
	test_grep "invalid repository: it has a tag or digest" err &&
	test_grep "requests: HEAD=0 GET=0 PUT=0 token=0$" err &&
	test "$(registry_count_since "*")" = 0
'

# A token-auth registry: the listing asks for the pull scope, once.
PASS=pw-Tags-4Rz8
token_registry_start tina "$PASS"
T=$REGISTRY
push_standin "$T/private/app:v1" --platforms linux/amd64 >/dev/null
export T PASS

test_expect_success 'token auth: one token for repository:NAME:pull, the listing retried with it' '
	: >"$TOKEN_LOG" &&
	REGISTRY_CREDENTIALS_HOST=$T REGISTRY_USER=tina REGISTRY_PASSWORD=$PASS image-tags "$T/private/app" >out 2>err &&
	echo v1 >expect &&
	test_cmp expect out &&
	summary_is 2 1 &&
	test_grep "scope=repository:private/app:pull user=tina status=200" "$TOKEN_LOG" &&
	test "$(token_count)" = 1 &&
	test_no_grep "$PASS" err
'

# serve: a scripted registry answering GETs from pages.json, an object of
# "PATH?QUERY": {"status",
# "links" (Link values; "@ADDR@" and "@PORT@" become its own), "body" (a
# JSON value, or "raw": the text), "fail" (how many answers are 503 first)};
# any other path gets 404 NAME_UNKNOWN.  $ADDR is its address,
# requests.log one "PATH?QUERY" a line.
serve() {
	rm -f requests.log
	cat >"$TRASH/handler.py" <<'EOF'
import json
from http.server import BaseHTTPRequestHandler
pages = json.load(open("pages.json"))
served = {}
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        with open("requests.log", "a") as f:
            f.write(self.path + "\n")
        page = pages.get(self.path)
        served[self.path] = served.get(self.path, 0) + 1
        if page is None:
            page = {"status": 404, "body": {"errors": [{"code": "NAME_UNKNOWN",
                    "message": "repository name not known to registry"}]}}
        elif served[self.path] <= page.get("fail", 0):
            page = {"status": 503, "raw": ""}
        body = page["raw"].encode() if "raw" in page else json.dumps(page["body"]).encode()
        self.send_response(page.get("status", 200))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        addr = "127.0.0.1:%d" % self.server.server_port
        for link in page.get("links", []):
            self.send_header("Link", link.replace("@ADDR@", addr)
                             .replace("@PORT@", str(self.server.server_port)))
        self.end_headers()
        self.wfile.write(body)
EOF
	ADDR=$(start_python scripted scripted-server.py --handler "$TRASH/handler.py")
}

# the sanitizer build from here on, when there is one
[ -z "${SANBIN:-}" ] || PATH=$SANBIN:$PATH

test_expect_success 'four pages: path-absolute, absolute and relative next links, a null last page' '
	cat >pages.json <<-\EOF &&
	{"/v2/r/tags/list?n=1000": {"body": {"name": "r", "tags": ["d", "b"]},
	   "links": ["</v2/r/tags/list?n=1000&last=d>; rel=\"next\""]},
	 "/v2/r/tags/list?n=1000&last=d": {"body": {"name": "r", "tags": ["a", "c", "b"]},
	   "links": ["<http://@ADDR@/v2/r/tags/list?n=1000>; rel=\"first prev\", <http://@ADDR@/v2/r/tags/list?last=c>; title=\"a, b; c\"; rel=next"]},
	 "/v2/r/tags/list?last=c": {"body": {"name": "r", "tags": ["B"]},
	   "links": ["<http://elsewhere.example/x>; rel=\"prev\"", "<../tags/./list?last=zz#top>; Rel=\"NEXT\"; rel=prev"]},
	 "/v2/r/tags/list?last=zz": {"body": {"name": "r", "tags": null}}}
	EOF
	serve &&
	image-tags "$ADDR/r" >out 2>err &&
	printf "%s\n" B a b c d >expect &&
	test_cmp expect out &&
	summary_is 4 &&
	printf "%s\n" "/v2/r/tags/list?n=1000" "/v2/r/tags/list?n=1000&last=d" \
		"/v2/r/tags/list?last=c" "/v2/r/tags/list?last=zz" >expect &&
	test_cmp expect requests.log
'

test_expect_success 'a page answered 503 is retried, and counted' '
	cat >pages.json <<-\EOF &&
	{"/v2/r/tags/list?n=1000": {"body": {"tags": ["x"]}, "links": ["<?n=1000&last=x>; rel=next"]},
	 "/v2/r/tags/list?n=1000&last=x": {"body": {"tags": ["y"]}, "fail": 1}}
	EOF
	serve &&
	image-tags "$ADDR/r" >out 2>err &&
	printf "%s\n" x y >expect &&
	test_cmp expect out &&
	test_grep "retrying in" err &&
	summary_is 3
'

# refused PAGES_JSON REQUESTS MESSAGE-RE: image-tags fails on those pages
# after REQUESTS list requests, saying MESSAGE ("@ADDR@": the server's
# address), printing nothing.
refused() {
	printf "%s\n" "$1" >pages.json &&
	serve &&
	test_status 1 image-tags --attempts 1 "$ADDR/r" >out 2>err &&
	test_empty out &&
	test_grep "^image-tags: $ADDR/r: ${3//@ADDR@/$ADDR}" err &&
	summary_is "$2" &&
	test "$(wc -l <requests.log)" = "$2"
}

test_expect_success 'a next link to another host (or port, or scheme) is refused, not followed' '
	for other in "http://localhost:@PORT@/v2/r/tags/list?last=a" "//127.0.0.1:1/v2/r/tags/list" \
		"https://@ADDR@/v2/r/tags/list?last=a" "http://@ADDR@@evil.example/v2/r/tags/list"; do
		refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\"]},
			\"links\": [\"<$other>; rel=next\"]}}" 1 \
			"page 1: next page refused: it leads to another (scheme or )?host$" ||
			{ echo "link: $other"; return 1; }
	done
'

test_expect_success 'pages that loop are refused at the first page seen again' '
	refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\"]},
		\"links\": [\"</v2/r/tags/list?last=a>; rel=next\"]},
		\"/v2/r/tags/list?last=a\": {\"body\": {\"tags\": [\"b\"]},
		\"links\": [\"<list?n=1000>; rel=next\"]}}" 2 \
		"page 2: the next page is http://@ADDR@/v2/r/tags/list[?]n=1000 again: the pages loop$"
'

test_expect_success 'a malformed Link header or a link with a space is refused' '
	refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\"]},
		\"links\": [\"</v2/r/tags/list?last=a; rel=next\"]}}" 1 \
		"page 1: next page refused: the Link header is malformed$" &&
	refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\"]},
		\"links\": [\"</v2/r/tags/list?last=a b>; rel=next\"]}}" 1 \
		"page 1: next page refused: it holds a character a URL may not$"
'

test_expect_success 'an answer with an invalid tag, or no tag list, fails' '
	refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\", \"-bad\"]}}}" 1 \
		"the tags/list answer holds \"-bad\", not a valid tag$" &&
	refused "{\"/v2/r/tags/list?n=1000\": {\"raw\": \"<html>\"}}" 1 \
		"the tags/list answer is not \\{\"tags\": \\[...\\]\\}$" &&
	refused "{\"/v2/r/tags/list?n=1000\": {\"body\": {\"tags\": [\"a\"]},
		\"links\": [\"</v2/r/gone>; rel=next\"]}}" 2 \
		"page 2: NAME_UNKNOWN: repository name not known to registry \\(HTTP 404\\)$"
'

test_expect_success 'valgrind over paged answers: no leak, no error' '
	! command -v valgrind >/dev/null || {
		cat >pages.json <<-\EOF &&
		{"/v2/r/tags/list?n=1000": {"body": {"tags": ["b", "a"]}, "links": ["<?last=b>; rel=next"]},
		 "/v2/r/tags/list?last=b": {"body": {"tags": ["c"]}, "links": ["<//elsewhere/>; rel=next"]}}
		EOF
		serve &&
		test_status 1 memcheck "$BIN/image-tags" "$ADDR/r" >out 2>err &&
		test_grep "another host" err &&
		memcheck "$BIN/image-tags" "$R/app" >out 2>err &&
		test "$(wc -l <out)" = 6
	}
'

test_done
