#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# image-alias against a real registry: ten aliases published, re-published
# with no GET, moved when the source moves; the exact bytes and media type
# of indexes, manifest lists and single manifests; refusals before any
# request; a failure mid-way says what was done and what was not.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

summary() { # TOOL HEAD GET PUT TOKEN
	echo "$1: requests: HEAD=$2 GET=$3 PUT=$4 token=$5"
}

# check_counts HEAD GET PUT: the tool's summary (in err) and the registry's
# access log since the mark agree with the expected manifest requests.
check_counts() {
	summary image-alias "$1" "$2" "$3" 0 >expect.sum &&
	grep "requests:" err >actual.sum &&
	test_cmp expect.sum actual.sum &&
	printf "HEAD=%s GET=%s PUT=%s\n" "$1" "$2" "$3" >expect.log &&
	printf "HEAD=%s GET=%s PUT=%s\n" "$(registry_count_since HEAD /manifests/)" \
		"$(registry_count_since GET /manifests/)" \
		"$(registry_count_since PUT /manifests/)" >actual.log &&
	test_cmp expect.log actual.log &&
	test "$(registry_count_since "*")" -eq $(($1 + $2 + $3))
}

registry_start
R=$REGISTRY
V1=$(push_standin "$R/app:src" --platforms linux/amd64,linux/arm64,linux/arm/v7 --content one)
export R V1
for i in 1 2 3 4 5 6 7 8 9 10; do echo "$R/app:alias-$i"; done >targets

test_expect_success 'ten aliases: HEAD 11, one GET, ten PUTs, all updated' '
	registry_mark &&
	image-alias "$R/app:src" <targets >out 2>err &&
	sed "s/\$/	$V1	updated/" targets >expect &&
	test_cmp expect out &&
	check_counts 11 1 10 &&
	image-probe <targets >probed 2>/dev/null &&
	sed "s/\$/	$V1/" targets >expect &&
	test_cmp expect probed
'

test_expect_success 'again: no GET, no PUT, every target unchanged' '
	registry_mark &&
	image-alias "$R/app:src" <targets >out 2>err &&
	sed "s/\$/	$V1	unchanged/" targets >expect &&
	test_cmp expect out &&
	check_counts 11 0 0
'

test_expect_success 'the source moved: one GET, every target updated to it' '
	V2=$(push_standin "$R/app:src" --platforms linux/amd64,linux/arm64 --content two) &&
	test "$V2" != "$V1" &&
	registry_mark &&
	image-alias "$R/app:src" <targets >out 2>err &&
	sed "s/\$/	$V2	updated/" targets >expect &&
	test_cmp expect out &&
	check_counts 11 1 10
'

test_expect_success 'some targets differ: only those are PUT' '
	push_standin "$R/app:other" --platforms linux/amd64 --content other >/dev/null &&
	printf "%s\n" "$R/app:alias-1" "$R/app:fresh" "$R/app:alias-2" >some &&
	registry_mark &&
	image-alias "$R/app:other" <some >out 2>err &&
	cut -f1,3 out >actual &&
	printf "%s\tupdated\n" "$R/app:alias-1" "$R/app:fresh" "$R/app:alias-2" >expect &&
	test_cmp expect actual &&
	check_counts 4 1 3 &&
	printf "%s\n" "$R/app:alias-1" "$R/app:alias-3" "$R/app:alias-2" >some &&
	registry_mark &&
	image-alias "$R/app:src" <some >out 2>err &&
	cut -f1,3 out >actual &&
	printf "%s\t%s\n" "$R/app:alias-1" updated "$R/app:alias-3" unchanged \
		"$R/app:alias-2" updated >expect &&
	test_cmp expect actual &&
	check_counts 4 1 2
'

# same_bytes SOURCE TARGET: both serve the same bytes and media type
same_bytes() {
	image-manifest --raw "$1" >src.raw 2>/dev/null &&
	image-manifest --raw "$2" >dst.raw 2>/dev/null &&
	cmp src.raw dst.raw &&
	image-manifest "$1" 2>/dev/null | jq -r .mediaType >src.type &&
	image-manifest "$2" 2>/dev/null | jq -r .mediaType >dst.type &&
	test_cmp src.type dst.type
}

test_expect_success 'a Docker manifest list keeps its bytes and media type' '
	push_standin "$R/app:list" --platforms linux/amd64,linux/arm64 --format v2s2 \
		--content list >/dev/null &&
	echo "$R/app:list-alias" | image-alias "$R/app:list" >out 2>err &&
	same_bytes "$R/app:list" "$R/app:list-alias" &&
	echo application/vnd.docker.distribution.manifest.list.v2+json >expect &&
	test_cmp expect dst.type
'

test_expect_success 'single manifests (OCI and Docker) alias by digest source' '
	for src in app:src app:list; do
		child=$(image-manifest --raw "$R/$src" | jq -r ".manifests[0].digest") &&
		echo "$R/app:single-${src#app:}" |
			image-alias "$R/app@$child" >out 2>err &&
		printf "%s\t%s\tupdated\n" "$R/app:single-${src#app:}" "$child" >expect &&
		test_cmp expect out &&
		same_bytes "$R/app@$child" "$R/app:single-${src#app:}" || return 1
	done &&
	echo application/vnd.docker.distribution.manifest.v2+json >expect &&
	test_cmp expect dst.type
'

test_expect_success 'a repeated target is done and printed once' '
	printf "%s\n" "$R/app:dup" "$R/app:dup" "$R/app:alias-9" "$R/app:dup" >dups &&
	registry_mark &&
	image-alias "$R/app:src" <dups >out 2>err &&
	cut -f1 out >actual &&
	printf "%s\n" "$R/app:dup" "$R/app:alias-9" >expect &&
	test_cmp expect actual &&
	check_counts 3 1 1
'

test_expect_success 'targets in another repository are refused, all named, before any request' '
	printf "%s\n" "$R/app:ok" "$R/other:x" "$R/app:fine" "localhost:1/app:y" >mixed &&
	registry_mark &&
	test_status 1 image-alias "$R/app:src" <mixed >out 2>err &&
	test_empty out &&
	test_grep "refusing targets outside $R/app:src.s repository $R/app .*: $R/other:x, localhost:1/app:y$" err &&
	test "$(registry_count_since "*")" -eq 0 &&
	image-probe "$R/app:ok" >out 2>/dev/null &&
	printf "%s\t-\n" "$R/app:ok" >expect &&
	test_cmp expect out
'

test_expect_success 'a digest target, a malformed one: exit 1, no request' '
	registry_mark &&
	echo "$R/app@$V1" | test_status 1 image-alias "$R/app:src" >out 2>err &&
	test_grep "a target must be a tag" err &&
	echo "$R/app:-bad" | test_status 1 image-alias "$R/app:src" >out 2>err &&
	test_grep "^image-alias: stdin:1: $R/app:-bad: invalid reference: invalid tag$" err &&
	test_status 1 image-alias "$R/APP:src" <targets >out 2>err &&
	test_grep "^image-alias: $R/APP:src: invalid reference" err &&
	test_empty out &&
	test "$(registry_count_since "*")" -eq 0
'

test_expect_success 'a missing source: exit 1, clearly, nothing done' '
	registry_mark &&
	test_status 1 image-alias "$R/app:no-such" <targets >out 2>err &&
	test_empty out &&
	test_grep "^image-alias: $R/app:no-such: source not found$" err &&
	check_counts 1 0 0
'

test_expect_success 'usage errors exit 2' '
	test_status 2 image-alias <targets 2>err &&
	test_grep "SOURCE is missing" err &&
	test_status 2 image-alias "$R/app:src" extra <targets 2>err &&
	image-alias --help >out &&
	test_grep "^usage: image-alias" out
'

test_expect_success 'the sanitizer build and valgrind agree on a re-publication' '
	if [ -n "${SANBIN:-}" ]; then
		"$SANBIN/image-alias" "$R/app:src" <targets >out 2>err &&
		cut -f3 out | sort -u >actual &&
		echo unchanged >expect &&
		test_cmp expect actual &&
		test_no_grep "runtime error|Sanitizer" err
	fi &&
	if command -v valgrind >/dev/null; then
		memcheck image-alias "$R/app:src" <targets >out 2>err &&
		test "$(cut -f3 out | sort -u)" = unchanged
	fi
'

test_expect_success 'a PUT failing mid-way: earlier targets done and printed, the rest named' '
	proxy_start 500 --forever --match "^PUT /v2/app/manifests/alias-6$" &&
	sed "s/^$R/$PROXY/" targets >via-proxy &&
	V3=$(push_standin "$R/app:src" --platforms linux/amd64 --content three) &&
	REGISTRY_BACKOFF_MS=10 test_status 1 image-alias --attempts 2 "$PROXY/app:src" \
		<via-proxy >out 2>err &&
	head -n 5 via-proxy | sed "s/\$/	$V3	updated/" >expect &&
	test_cmp expect out &&
	test_grep "alias-6: .*HTTP 500.*gave up after 2 attempts" err &&
	test_grep "^image-alias: not done: $PROXY/app:alias-6, $PROXY/app:alias-7, $PROXY/app:alias-8, $PROXY/app:alias-9, $PROXY/app:alias-10$" err &&
	test_grep "requests: HEAD=11 GET=1 PUT=7 token=0" err
'

test_done
