#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The registry tools against a hostile or broken registry (tests/fixtures/
# hostile-registry.py, plain HTTP and HTTPS on loopback): whatever it sends,
# each tool ends with exit 1, one bounded message of printable ASCII on
# stderr and nothing on stdout, and memory, time, credentials, redirects,
# media types, digests and the terminal stay safe.
#
# HTTPS cases address the fixture as 127.1:PORT: the same loopback address
# (127.0.0.1), but a host name the tools do not take for loopback, so they
# use HTTPS and treat it as a remote registry.  If a tool failed to refuse
# what it should, its traffic still cannot leave loopback.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=2 REGISTRY_DEADLINE=30
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD
TOOLS="image-probe image-manifest image-tags image-alias"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$TRASH/tls.key" -out "$TRASH/tls.pem" 2>/dev/null
H=$(start_python hostile hostile-registry.py --tls-cert "$TRASH/tls.pem" \
	--tls-key "$TRASH/tls.key" --tls-port-file "$TRASH/hostile.tls-port")
HTTP_PORT=${H#*:}
HS=127.1:$(cat "$TRASH/hostile.tls-port")
HLOG=$TRASH/hostile.log
export H HS HTTP_PORT HLOG REGISTRY_CA_FILE=$TRASH/tls.pem

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# hostile NAME TOOL ARGS...: runs TOOL (stdin from NAME.in when there is
# one) under a 4 GiB address-space cap and a 60 s timeout; leaves NAME.out,
# NAME.err, NAME.rc, NAME.rss (peak resident KiB) and NAME.ms (elapsed).
hostile() {
	name=$1 tool=$2
	shift 2
	in=/dev/null
	[ -f "$name.in" ] && in=$name.in
	start=$(ms)
	(
		ulimit -v 4194304
		exec /usr/bin/time -f %M -o "$name.time" timeout 60 "$BIN/$tool" "$@"
	) <"$in" >"$name.out" 2>"$name.err"
	echo $? >"$name.rc"
	echo $(($(ms) - start)) >"$name.ms"
	tail -n 1 "$name.time" >"$name.rss"
}

# failed_cleanly NAME TOOL: exit 1, nothing on stdout, and on stderr at most
# 8 KiB of printable ASCII in lines of at most 2 KiB, exactly one of them a
# message (besides the request summary, the rate-limit line, retries and
# image-alias's "not done").
failed_cleanly() {
	name=$1 tool=$2
	rc=$(cat "$name.rc")
	if [ "$rc" != 1 ]; then
		echo "$name: exit $rc, not 1; stdout $(wc -c <"$name.out") bytes;" \
			"peak RSS $(($(cat "$name.rss") / 1024)) MiB; $(cat "$name.ms") ms; stderr:"
		head -c 1500 "$name.err"
		return 1
	fi
	test_empty "$name.out" || return 1
	bytes=$(wc -c <"$name.err")
	if [ "$bytes" -gt 8192 ]; then
		echo "$name: $bytes bytes on stderr, more than 8 KiB:"
		head -c 1500 "$name.err"
		return 1
	fi
	if [ "$(LC_ALL=C awk 'length > 2048' "$name.err" | wc -l)" -ne 0 ]; then
		echo "$name: a line on stderr longer than 2 KiB"
		head -c 1500 "$name.err"
		return 1
	fi
	if LC_ALL=C grep -n "$(printf '[^\t -~]')" "$name.err" >"$name.raw"; then
		echo "$name: stderr holds bytes that are not printable ASCII:"
		od -c "$name.raw" | head -20
		return 1
	fi
	n=$(grep -cv -e "^$tool: requests: " -e "^$tool: ratelimit-remaining: " \
		-e "; retrying in [0-9.]*s\$" -e "^$tool: not done: " "$name.err")
	if [ "$n" != 1 ]; then
		echo "$name: $n messages on stderr, not 1:"
		head -c 1500 "$name.err"
		return 1
	fi
}

# run_case CASE TOOL HOST [OPTIONS...]: TOOL against the fixture's CASE at
# HOST (image-alias: source CASE/img:src, target CASE/img:t1), then
# failed_cleanly; the files are named CASE-TOOL.
run_case() {
	c=$1 tool=$2 host=$3
	shift 3
	name=$c-$tool
	case $tool in
	image-tags) set -- "$@" "$host/$c/img" ;;
	image-alias)
		echo "$host/$c/img:t1" >"$name.in"
		set -- "$@" "$host/$c/img:src"
		;;
	*) set -- "$@" "$host/$c/img:src" ;;
	esac
	hostile "$name" "$tool" "$@"
	failed_cleanly "$name" "$tool"
}

# rss_below NAME MIB: the peak resident size stayed below MIB MiB.
rss_below() {
	kib=$(cat "$1.rss")
	echo "$1: peak RSS $((kib / 1024)) MiB"
	[ "$kib" -lt $(($2 * 1024)) ] || { echo "$1: more than $2 MiB"; return 1; }
}

# took_at_most NAME MS: the run ended within MS milliseconds.
took_at_most() {
	t=$(cat "$1.ms")
	echo "$1: took $t ms"
	[ "$t" -le "$2" ] || { echo "$1: more than $2 ms"; return 1; }
}

# logged RE: how many requests the fixture logged that match RE.
logged() {
	grep -cE -e "$1" "$HLOG" || :
}

# no_request RE: the fixture was sent no request matching RE.
no_request() {
	n=$(logged "$1")
	[ "$n" = 0 ] || { echo "$n requests match /$1/:"; grep -E -e "$1" "$HLOG" | head -5; return 1; }
}

# ---- memory and the size of what a server says ------------------------------

for t in $TOOLS; do
	test_expect_success "errobjs: an error body of 4 MiB of error objects, $t" "
		run_case errobjs $t \"\$H\" && rss_below errobjs-$t 64
	"
done
for t in $TOOLS; do
	test_expect_success "errempty: an error body of 4 MiB of empty objects, $t" "
		run_case errempty $t \"\$H\" && rss_below errempty-$t 64
	"
done
for t in image-manifest image-tags; do
	test_expect_success "errnear: an error body just under the bound of JSON values, $t" "
		run_case errnear $t \"\$H\" && rss_below errnear-$t 64
	"
done
for t in image-manifest image-tags; do
	test_expect_success "errbig: an error body without end, $t" "
		run_case errbig $t \"\$H\" && rss_below errbig-$t 64
	"
done
for t in $TOOLS; do
	test_expect_success "errlong: an error message of 1 MiB, $t" "
		run_case errlong $t \"\$H\"
	"
done
for t in image-manifest image-tags; do
	test_expect_success "errctllong: a message of 4096 escape bytes, $t" "
		run_case errctllong $t \"\$H\"
	"
done
for t in image-probe image-tags; do
	test_expect_success "hdrflood: WWW-Authenticate headers without end, $t" "
		run_case hdrflood $t \"\$H\" && rss_below hdrflood-$t 64
	"
done
for t in $TOOLS; do
	test_expect_success "tokobjs: a token answer of 4 MiB of empty objects, $t" "
		run_case tokobjs $t \"\$H\" && rss_below tokobjs-$t 64
	"
done
for t in image-probe image-tags; do
	test_expect_success "tokerr: a token refusal of 4 MiB of error objects, $t" "
		run_case tokerr $t \"\$H\" && rss_below tokerr-$t 64
	"
done
test_expect_success 'toklong: a token of 3 MiB is refused, not sent' '
	run_case toklong image-probe "$H" &&
	test_grep_i "token.*(too long|longer|more than)" toklong-image-probe.err &&
	no_request "/toklong/.* auth=bearer"
'
for t in image-probe image-tags; do
	test_expect_success "realmlong: a realm of 50 KB whose token server fails, $t" "
		run_case realmlong $t \"\$H\" --attempts 1
	"
done

test_expect_success 'tagtiny: pages of tiny tags: capped, memory bounded' '
	run_case tagtiny image-tags "$H" &&
	rss_below tagtiny-image-tags 150 &&
	test_grep "more than [0-9]+ tags" tagtiny-image-tags.err
'
test_expect_success 'tagpages: 1100 pages of 1000 tags: capped, memory bounded' '
	run_case tagpages image-tags "$H" &&
	rss_below tagpages-image-tags 200 &&
	test_grep "more than [0-9]+ tags" tagpages-image-tags.err
'
test_expect_success 'tagvalues: a page of 4 MiB of empty objects' '
	run_case tagvalues image-tags "$H" && rss_below tagvalues-image-tags 64
'
test_expect_success 'taglinklong: a next link of 30 KB that loops' '
	run_case taglinklong image-tags "$H" &&
	test_grep "loop" taglinklong-image-tags.err
'

# ---- credentials never in cleartext; no downgrade ---------------------------

test_expect_success 'realmhttp: an http:// realm from an HTTPS registry is refused before any request' '
	REGISTRY_CREDENTIALS_HOST=$HS REGISTRY_USER=alice REGISTRY_PASSWORD=secret-pw-1 run_case realmhttp image-probe "$HS" &&
	test_grep_i "realm" realmhttp-image-probe.err &&
	test_grep "[-]-insecure" realmhttp-image-probe.err &&
	no_request "/token/realmhttp" &&
	test_no_grep secret-pw-1 realmhttp-image-probe.err
'
test_expect_success 'realmhttp: refused for anonymous tokens too, image-tags' '
	run_case realmhttp image-tags "$HS" &&
	test_grep_i "realm" realmhttp-image-tags.err &&
	no_request "/token/realmhttp"
'
test_expect_success 'realmhttp with --insecure: the http:// realm is used' '
	before=$(logged "^http .* /token/realmhttp.* auth=basic") &&
	REGISTRY_CREDENTIALS_HOST=127.1:$HTTP_PORT REGISTRY_USER=alice REGISTRY_PASSWORD=secret-pw-1 \
		run_case realmhttp image-probe "127.1:$HTTP_PORT" --insecure &&
	test "$(logged "^http .* /token/realmhttp.* auth=basic")" = $((before + 1)) &&
	test_grep "HTTP 500" realmhttp-image-probe.err
'
test_expect_success 'realmloop: an http:// realm on 127.0.0.1 from an HTTPS registry is used' '
	REGISTRY_CREDENTIALS_HOST=$HS REGISTRY_USER=alice REGISTRY_PASSWORD=secret-pw-1 run_case realmloop image-probe "$HS" &&
	test "$(logged "^http .* /token/realmloop.* auth=basic")" = 1 &&
	test_grep "HTTP 500" realmloop-image-probe.err
'
for t in image-manifest image-tags image-alias; do
	test_expect_success "redirdown: a redirect from HTTPS to HTTP is refused, $t" "
		run_case redirdown $t \"\$HS\" &&
		test_grep_i 'redirect' redirdown-$t.err &&
		no_request '^http .*/redirdown/'
	"
done
test_expect_success 'tokdown: a token request redirected from HTTPS to HTTP is refused' '
	REGISTRY_CREDENTIALS_HOST=$HS REGISTRY_USER=alice REGISTRY_PASSWORD=secret-pw-1 run_case tokdown image-probe "$HS" &&
	test_grep_i "redirect" tokdown-image-probe.err &&
	no_request "^http .*/tokdown"
'
test_expect_success 'tagredir: a listing redirected to another host is refused like a Link' '
	run_case tagredir image-tags "$H" &&
	test_grep "another host" tagredir-image-tags.err &&
	no_request "^http localhost"
'

# ---- media types and digests ---------------------------------------------------

for c in ctlie ctlie2; do
	test_expect_success "$c: a Content-Type that contradicts the mediaType, image-manifest" "
		run_case $c image-manifest \"\$H\" &&
		test_grep 'mediaType' $c-image-manifest.err
	"
done
test_expect_success 'ctlie: image-alias PUTs nothing under a type the bytes contradict' '
	run_case ctlie image-alias "$H" &&
	test_grep "mediaType" ctlie-image-alias.err &&
	no_request " PUT /v2/ctlie/"
'
test_expect_success 'ctjson: image-alias PUTs under the type the bytes declare' '
	run_case ctjson image-alias "$H" &&
	grep -F " PUT /v2/ctjson/" "$HLOG" >ctjson.puts &&
	test -s ctjson.puts &&
	! grep -vF " ct=application/vnd.docker.distribution.manifest.v2+json" ctjson.puts
'
for t in image-probe image-manifest image-alias; do
	test_expect_success "twodigest: two Docker-Content-Digest headers that disagree, $t" "
		run_case twodigest $t \"\$H\" &&
		test_grep 'Docker-Content-Digest' twodigest-$t.err
	"
done
test_expect_success 'twodigestput: a PUT answered with two digests that disagree' '
	run_case twodigestput image-alias "$H" &&
	test_grep "Docker-Content-Digest" twodigestput-image-alias.err
'

# ---- time --------------------------------------------------------------------------

for t in $TOOLS; do
	test_expect_success "slowtoken: --deadline bounds challenge, token and request, $t" "
		run_case slowtoken $t \"\$H\" --deadline 3 &&
		took_at_most slowtoken-$t 3800 &&
		test_grep deadline slowtoken-$t.err
	"
done
for t in $TOOLS; do
	test_expect_success "retryafter: a Retry-After beyond the deadline says so, $t" "
		run_case retryafter $t \"\$H\" --deadline 10 --attempts 5 &&
		took_at_most retryafter-$t 3000 &&
		test_grep 'Retry-After' retryafter-$t.err &&
		test_grep deadline retryafter-$t.err
	"
done
test_expect_success 'retrydate: a Retry-After date beyond the deadline says so' '
	run_case retrydate image-probe "$H" --deadline 10 --attempts 5 &&
	took_at_most retrydate-image-probe 3000 &&
	test_grep "Retry-After" retrydate-image-probe.err
'
test_expect_success 'retrysum: token retries and request retries share one deadline' '
	run_case retrysum image-manifest "$H" --deadline 3 --attempts 20 &&
	took_at_most retrysum-image-manifest 3800 &&
	test_grep deadline retrysum-image-manifest.err
'
test_expect_success 'tagslow: --deadline bounds the whole listing' '
	run_case tagslow image-tags "$H" --deadline 3 &&
	took_at_most tagslow-image-tags 3800 &&
	test_grep deadline tagslow-image-tags.err
'
for t in image-probe image-manifest; do
	test_expect_success "trickle: headers that trickle end at the deadline, $t" "
		run_case trickle $t \"\$H\" --deadline 3 &&
		took_at_most trickle-$t 3800
	"
done

# ---- the terminal ---------------------------------------------------------------

for t in $TOOLS; do
	test_expect_success "errctl: control bytes and bidi overrides in a registry's message, $t" "
		run_case errctl $t \"\$H\"
	"
done
for t in image-probe image-alias; do
	test_expect_success "tokctl: control bytes and bidi overrides from a token server, $t" "
		run_case tokctl $t \"\$H\"
	"
done
test_expect_success 'putdigestctl: a PUT answered with a digest of control bytes' '
	run_case putdigestctl image-alias "$H"
'
test_expect_success 'a reference with an escape sequence on stdin, image-probe' '
	printf "%s/x:a\033[2Jb\n" "$H" >ref-c0.in &&
	hostile ref-c0 image-probe &&
	failed_cleanly ref-c0 image-probe
'
test_expect_success 'a reference with a bidi override, image-tags' '
	hostile ref-bidi image-tags "$H/x$(printf "\342\200\256")evil" &&
	failed_cleanly ref-bidi image-tags
'
test_expect_success 'a reference with a C1 control (CSI), image-manifest' '
	hostile ref-c1 image-manifest "$H/x:a$(printf "\302\233")31m" &&
	failed_cleanly ref-c1 image-manifest
'
test_expect_success 'targets with a bidi isolate and a carriage return, image-alias' '
	printf "%s/x:a\342\201\246b\n%s/x:c\rd\n" "$H" "$H" >ref-target.in &&
	hostile ref-target image-alias "$H/x:src" &&
	failed_cleanly ref-target image-alias
'
test_expect_success 'a source with a bell, image-alias' '
	hostile ref-source image-alias "$H/x:a$(printf "\007")" &&
	failed_cleanly ref-source image-alias
'

test_done
