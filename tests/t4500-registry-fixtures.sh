#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The real-registry fixtures: mk/registry.sh, tests/standin-image.sh, the token
# server and the fault proxy do what the other tests rely on.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

ACCEPT=$MANIFEST_ACCEPT
manifest() { # REGISTRY REPO REF: the manifest body
	curl -fsS -H "Accept: $ACCEPT" "http://$1/v2/$2/manifests/$3"
}

jwt_claims() { # a JWT on stdin -> its claims
	python3 -c "import base64, sys
t = sys.stdin.read().split(\".\")[1]
print(base64.urlsafe_b64decode(t + \"=\" * (-len(t) % 4)).decode())"
}

registry_start

test_expect_success 'the registry answers on loopback and writes addr and pid' '
	echo "$REGISTRY" >expect &&
	test_cmp expect "$REGISTRY_DIR/addr" &&
	test_grep "^127\.0\.0\.1:[0-9]+$" "$REGISTRY_DIR/addr" &&
	kill -0 "$(cat "$REGISTRY_DIR/pid")" &&
	curl -fsS "http://$REGISTRY/v2/" >out &&
	printf "{}" >expect &&
	test_cmp expect out
'

test_expect_success 'start again is a no-op printing the same address' '
	"$REGISTRY_SH" start "$REGISTRY_DIR" >out &&
	echo "$REGISTRY" >expect &&
	test_cmp expect out
'

test_expect_success 'the standin is an OCI index of the platforms, in order, annotated' '
	push_standin "$REGISTRY/rust:1" --platforms linux/amd64,linux/arm64,linux/arm/v7 \
		--annotate org.opencontainers.image.revision=abc123 \
		--annotate "org.opencontainers.image.source=https://github.com/docker-library/rust#abc123:stable/trixie" \
		--annotate-for linux/arm64 only=arm64 >digest &&
	test_grep "^sha256:[0-9a-f]{64}$" digest &&
	manifest "$REGISTRY" rust 1 >index.json &&
	echo "$(sha256sum <index.json | cut -c1-64)" >actual &&
	cut -c8- digest >expect &&
	test_cmp expect actual &&
	ref_digest "$REGISTRY/rust:1" >actual &&
	test_cmp digest actual &&
	ref_digest "$REGISTRY/rust:missing" >actual &&
	test_empty actual &&
	jq -r ".mediaType, (.manifests[] | [.platform.os, .platform.architecture,
		.platform.variant // \"-\", .annotations[\"org.opencontainers.image.revision\"],
		.annotations[\"org.opencontainers.image.source\"], .annotations.only // \"-\"] | @tsv)" \
		index.json >actual &&
	src="https://github.com/docker-library/rust#abc123:stable/trixie" &&
	printf "%s\n" application/vnd.oci.image.index.v1+json \
		"linux	amd64	-	abc123	$src	-" \
		"linux	arm64	-	abc123	$src	arm64" \
		"linux	arm	v7	abc123	$src	-" >expect &&
	test_cmp expect actual
'

test_expect_success 'the same content gives the same digest, other content another' '
	push_standin "$REGISTRY/rust:1-again" --platforms linux/amd64,linux/arm64,linux/arm/v7 \
		--annotate org.opencontainers.image.revision=abc123 \
		--annotate "org.opencontainers.image.source=https://github.com/docker-library/rust#abc123:stable/trixie" \
		--annotate-for linux/arm64 only=arm64 >again &&
	test_cmp digest again &&
	push_standin "$REGISTRY/rust:other" --platforms linux/amd64 --content other >other &&
	push_standin "$REGISTRY/rust:other2" --platforms linux/amd64 --content other2 >other2 &&
	! test_cmp other other2
'

test_expect_success 'every child manifest is served, and its content names its platform' '
	jq -r ".manifests[].digest" index.json >children &&
	test_line_count=$(wc -l <children) &&
	test "$test_line_count" -eq 3 &&
	while read -r d; do
		manifest "$REGISTRY" rust "$d" >child.json &&
		layer=$(jq -r ".layers[0].digest" child.json) &&
		curl -fsS "http://$REGISTRY/v2/rust/blobs/$layer" | tar -xzOf - content || return 1
	done <children >contents &&
	printf "%s\n" standin linux/amd64 standin linux/arm64 standin linux/arm/v7 >expect &&
	test_cmp expect contents
'

# buildah checks each diff_id when the pipeline builds FROM a stand-in
test_expect_success 'each layer is the one file content, root-owned, at time 0, its diff_id in the config' '
	while read -r d; do
		manifest "$REGISTRY" rust "$d" >child.json &&
		curl -fsS "http://$REGISTRY/v2/rust/blobs/$(jq -r ".layers[0].digest" child.json)" |
			gzip -dc >layer.tar &&
		tar -tvf layer.tar | awk "{ print \$1, \$2, \$4, \$5, \$6 }" &&
		curl -fsS "http://$REGISTRY/v2/rust/blobs/$(jq -r .config.digest child.json)" >config.json &&
		test "$(jq -r ".rootfs.diff_ids[]" config.json)" = "sha256:$(sha256sum <layer.tar | cut -c1-64)" &&
		jq -r "[.os, .architecture, .variant // \"-\"] | @tsv" config.json || return 1
	done <children >actual &&
	printf "%s\n" "-rw-r--r-- 0/0 1970-01-01 00:00 content" "linux	amd64	-" \
		"-rw-r--r-- 0/0 1970-01-01 00:00 content" "linux	arm64	-" \
		"-rw-r--r-- 0/0 1970-01-01 00:00 content" "linux	arm	v7" >expect &&
	test_cmp expect actual
'

# the same TEXT must give the same digests on GitHub's runners, whose
# buildah or skopeo is another version than this machine's
test_expect_success 'the stand-ins name no tool that made them, no empty annotation' '
	while read -r d; do
		manifest "$REGISTRY" rust "$d" >child.json &&
		curl -fsS "http://$REGISTRY/v2/rust/blobs/$(jq -r .config.digest child.json)" >config.json &&
		jq -r ".annotations // \"-\"" child.json &&
		jq -r ".config.Labels // \"-\"" config.json &&
		! grep -Eiq "buildah|skopeo|podman" child.json config.json || return 1
	done <children >actual &&
	printf "%s\n" - - - - - - >expect &&
	test_cmp expect actual
'

test_expect_success '--format v2s2 pushes a Docker manifest list' '
	push_standin "$REGISTRY/rust:list" --platforms linux/amd64,linux/arm64 --format v2s2 >digest2 &&
	manifest "$REGISTRY" rust list >list.json &&
	jq -r ".mediaType, .manifests[].mediaType, .manifests[].platform.architecture" list.json >actual &&
	printf "%s\n" application/vnd.docker.distribution.manifest.list.v2+json \
		application/vnd.docker.distribution.manifest.v2+json \
		application/vnd.docker.distribution.manifest.v2+json amd64 arm64 >expect &&
	test_cmp expect actual &&
	child=$(jq -r ".manifests[0].digest" list.json) &&
	manifest "$REGISTRY" rust "$child" >child.json &&
	jq -r ".config.mediaType, .layers[].mediaType" child.json >actual &&
	printf "%s\n" application/vnd.docker.container.image.v1+json \
		application/vnd.docker.image.rootfs.diff.tar.gzip >expect &&
	test_cmp expect actual
'

test_expect_success 'standin refuses a bad reference or platform with exit 2' '
	test_status 2 "$SRC/tests/standin-image.sh" "$REGISTRY/rust:bad tag" --platforms linux/amd64 2>err &&
	test_grep "bad reference" err &&
	test_status 2 "$SRC/tests/standin-image.sh" "$REGISTRY/rust:x" --platforms "linux/amd64;rm" 2>err &&
	test_grep "bad platform" err
'

test_expect_success 'standin leaves nothing in TMPDIR, pushed or failing with exit 1' '
	mkdir tmp &&
	TMPDIR=$TRASH/tmp push_standin "$REGISTRY/rust:tmp" --platforms linux/amd64 \
		--annotate k=v >/dev/null &&
	test_status 1 env TMPDIR="$TRASH/tmp" "$SRC/tests/standin-image.sh" "127.0.0.1:1/rust:x" \
		--platforms linux/amd64 2>err &&
	test_grep "push to 127.0.0.1:1/rust:x failed" err &&
	find tmp -mindepth 1 >left &&
	test_empty left
'

test_expect_success 'count: requests of the access log by method, URI and status' '
	registry_mark &&
	curl -s -o /dev/null -I -H "Accept: $ACCEPT" "http://$REGISTRY/v2/rust/manifests/1" &&
	curl -s -o /dev/null -I -H "Accept: $ACCEPT" "http://$REGISTRY/v2/rust/manifests/missing" &&
	curl -s -o /dev/null -H "Accept: $ACCEPT" "http://$REGISTRY/v2/rust/manifests/1" &&
	curl -s -o /dev/null "http://$REGISTRY/v2/" &&
	printf "%s\n" 2 1 1 1 1 0 4 >expect &&
	{
		registry_count_since HEAD &&
		registry_count_since HEAD "/manifests/1\$" &&
		registry_count_since HEAD /manifests/ 404 &&
		registry_count_since GET /manifests/ &&
		registry_count_since GET "^/v2/\$" &&
		registry_count_since PUT &&
		registry_count_since "*"
	} >actual &&
	test_cmp expect actual &&
	total=$(registry_count GET /manifests/) &&
	test "$total" -gt 1
'

test_expect_success 'a second registry in another directory, then stop' '
	other=$("$REGISTRY_SH" start "$TRASH/reg-other" --lifetime 30) &&
	test "$other" != "$REGISTRY" &&
	pid=$(cat "$TRASH/reg-other/pid") &&
	"$REGISTRY_SH" stop "$TRASH/reg-other" &&
	! fixture_alive "$pid" &&
	test_status 7 curl -s "http://$other/v2/"
'

test_expect_success 'a Basic-auth registry: 401 without, 200 with the password' '
	printf "%s\n" s3cret | htpasswd -niB alice >htpasswd &&
	registry_auth basic.auth --htpasswd htpasswd &&
	addr=$("$REGISTRY_SH" start "$TRASH/reg-basic" --auth basic.auth --lifetime 30) &&
	code=$(curl -s -o /dev/null -w "%{http_code}" "http://$addr/v2/") &&
	code2=$(curl -s -o /dev/null -w "%{http_code}" -u alice:s3cret "http://$addr/v2/") &&
	"$REGISTRY_SH" stop "$TRASH/reg-basic" &&
	test "$code $code2" = "401 200"
'

token_registry_start alice s3cret --anonymous-pull

test_expect_success 'token auth: the token server grants what its policy says' '
	curl -s -D hdr -o /dev/null "http://$REGISTRY/v2/" &&
	test_grep "^Www-Authenticate: Bearer realm=\"http://$TOKEN_SERVER/token\",service=\"test-registry\"" hdr &&
	curl -fsS "http://$TOKEN_SERVER/token?service=test-registry&scope=repository:rust:pull,push" >anon.json &&
	curl -fsS -u alice:s3cret "http://$TOKEN_SERVER/token?service=test-registry&scope=repository:rust:pull,push" >alice.json &&
	for f in anon alice; do
		jq -r .token $f.json | jwt_claims >$f.claims || return 1
	done &&
	jq -c ".access" anon.claims alice.claims >actual &&
	printf "%s\n" "[{\"type\":\"repository\",\"name\":\"rust\",\"actions\":[\"pull\"]}]" \
		"[{\"type\":\"repository\",\"name\":\"rust\",\"actions\":[\"pull\",\"push\"]}]" >expect &&
	test_cmp expect actual &&
	jq -r "[.iss, .aud, .sub] | @tsv" alice.claims >actual &&
	printf "test-issuer\ttest-registry\talice\n" >expect &&
	test_cmp expect actual &&
	test_status 22 curl -fsS -u alice:wrong "http://$TOKEN_SERVER/token?service=test-registry" 2>err
'

test_expect_success 'token auth: push with credentials, pull anonymously with a token' '
	push_standin "$REGISTRY/tok:1" --platforms linux/amd64 >digest &&
	token=$(curl -fsS "http://$TOKEN_SERVER/token?service=test-registry&scope=repository:tok:pull" | jq -r .token) &&
	curl -fsS -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" \
		"http://$REGISTRY/v2/tok/manifests/1" | sha256sum | cut -c1-64 >actual &&
	cut -c8- digest >expect &&
	test_cmp expect actual &&
	test_grep "user=alice status=200 granted=tok:pull,push" "$TOKEN_LOG"
'

test_expect_success 'token auth: a token without push is refused with insufficient_scope' '
	token=$(curl -fsS "http://$TOKEN_SERVER/token?service=test-registry&scope=repository:tok:pull,push" | jq -r .token) &&
	manifest_body=$(curl -fsS -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" "http://$REGISTRY/v2/tok/manifests/1") &&
	curl -s -D hdr -o body -X PUT -H "Authorization: Bearer $token" \
		-H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary "$manifest_body" "http://$REGISTRY/v2/tok/manifests/2" &&
	test_grep "^HTTP/1.1 401" hdr &&
	test_grep "error=\"insufficient_scope\"" hdr
'

registry_start --dir "$TRASH/plain"
proxy_start 503 --first 2
export first=$PROXY
proxy_start drop --match "^HEAD " --first 1
export second=$PROXY

test_expect_success 'the fault proxy injects its fault for the first N requests, then forwards' '
	for i in 1 2 3; do
		curl -s -o /dev/null -w "%{http_code} " "http://$first/v2/" -D hdr$i
	done >codes &&
	printf "503 503 200 " >expect &&
	test_cmp expect codes &&
	test_grep "^Retry-After: 1" hdr1 &&
	sed "s/ *$//" "$TRASH/proxy1.log" >actual &&
	printf "%s\n" "1 GET /v2/ -> 503 (injected)" "2 GET /v2/ -> 503 (injected)" \
		"3 GET /v2/ -> 200 (forwarded)" >expect &&
	test_cmp expect actual
'

test_expect_success 'the fault proxy drops only matching requests' '
	test_status 52 curl -s -I "http://$second/v2/x/manifests/y" &&
	code=$(curl -s -o /dev/null -w "%{http_code}" -I "http://$second/v2/x/manifests/y") &&
	test "$code" = 404 &&
	code=$(curl -s -o /dev/null -w "%{http_code}" "http://$second/v2/") &&
	test "$code" = 200
'

proxy_start 500 --rate 0.5 --seed 7
export rate=$PROXY

test_expect_success 'the fault proxy picks at a seeded rate' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		curl -s -o /dev/null -w "%{http_code} " "http://$rate/v2/"
	done >codes &&
	python3 -c "import random; r = random.Random(7); print(\" \".join(\"500\" if r.random() < 0.5 else \"200\" for _ in range(10)), end=\" \")" >expect &&
	test_cmp expect codes &&
	grep -o 500 codes | wc -l >n500 &&
	test "$(cat n500)" -gt 0 && test "$(cat n500)" -lt 10
'

# started in the test, not at the top: its lifetime counts from its start,
# and the tests before may take long on a loaded machine
test_expect_success 'the fault proxy stalls, and its lifetime ends it' '
	proxy_start stall --stall 5 --forever --lifetime 4 &&
	test_status 28 curl -s --max-time 1 "http://$PROXY/v2/" &&
	test_grep "^1 GET /v2/ -> stall \(injected\)" "$PROXY_LOG" &&
	pid=$(cat "$TRASH/proxy$proxy_n.pid") &&
	i=0 &&
	while fixture_alive "$pid" && test $i -lt 300; do
		sleep 0.1 && i=$((i + 1))
	done &&
	! fixture_alive "$pid"
'

test_done
