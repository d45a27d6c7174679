#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# image-probe against a real registry: digests of what exists, "-" for what
# does not, HEAD requests only, counted by the tool and by the registry.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

# summary TOOL HEAD GET PUT TOKEN: the expected summary line
summary() {
	echo "$1: requests: HEAD=$2 GET=$3 PUT=$4 token=$5"
}

registry_start
R=$REGISTRY
OCI=$(push_standin "$R/rust:oci" --platforms linux/amd64,linux/arm64)
LIST=$(push_standin "$R/rust:list" --platforms linux/amd64,linux/arm64 --format v2s2 --content list)
export R OCI LIST

test_expect_success 'the stand-ins were pushed' '
	test -n "$OCI" && test -n "$LIST" && test "$OCI" != "$LIST"
'

test_expect_success 'existing and missing references, in input order, HEAD only' '
	registry_mark &&
	image-probe "$R/rust:oci" "$R/rust:nope" "$R/rust:list" "$R/unknown/repo:1" \
		>out 2>err &&
	printf "%s\t%s\n" "$R/rust:oci" "$OCI" "$R/rust:nope" - "$R/rust:list" "$LIST" \
		"$R/unknown/repo:1" - >expect &&
	test_cmp expect out &&
	summary image-probe 4 0 0 0 >expect &&
	grep "requests:" err >actual &&
	test_cmp expect actual &&
	test "$(registry_count_since HEAD /manifests/)" -eq 4 &&
	test "$(registry_count_since "*")" -eq 4
'

test_expect_success 'an unknown repository is missing (404 NAME_UNKNOWN), not an error' '
	image-probe "$R/never/pushed" >out 2>err &&
	printf "%s\t-\n" "$R/never/pushed" >expect &&
	test_cmp expect out
'

test_expect_success 'references on stdin, blank lines skipped; a digest reference' '
	child=$(image-manifest --raw "$R/rust:oci" | jq -r ".manifests[0].digest") &&
	printf "%s\n\n%s\n%s\n" "$R/rust:list" "$R/rust@$child" \
		"$R/rust@sha256:$(printf %064d 0)" | image-probe >out 2>err &&
	printf "%s\t%s\n" "$R/rust:list" "$LIST" "$R/rust@$child" "$child" \
		"$R/rust@sha256:$(printf %064d 0)" - >expect &&
	test_cmp expect out
'

test_expect_success 'the Accept header matters: a plain curl HEAD sees no OCI index' '
	code=$(curl -s -o /dev/null -w "%{http_code}" -I "http://$R/v2/rust/manifests/oci") &&
	test "$code" = 404 &&
	image-probe "$R/rust:oci" >out &&
	test_grep "$OCI" out
'

test_expect_success 'a malformed reference: exit 1, named, no request, nothing on stdout' '
	registry_mark &&
	test_status 1 image-probe "$R/rust:oci" "$R/Rust:x" >out 2>err &&
	test_empty out &&
	test_grep "^image-probe: $R/Rust:x: invalid reference: repository name must be lowercase$" err &&
	summary image-probe 0 0 0 0 >expect &&
	grep "requests:" err >actual &&
	test_cmp expect actual &&
	test "$(registry_count_since "*")" -eq 0 &&
	printf "%s\n" "$R/rust:oci" "$R/rust:bad tag" | test_status 1 image-probe >out 2>err &&
	test_empty out &&
	test_grep "^image-probe: stdin:2: $R/rust:bad tag: invalid reference" err
'

test_expect_success 'usage: --help on stdout; bad options and knobs exit 2' '
	image-probe --help >out &&
	test_grep "^usage: image-probe" out &&
	test_status 2 image-probe --frobnicate x 2>err &&
	test_grep "unknown option --frobnicate" err &&
	test_status 2 image-probe --attempts 0 x 2>err &&
	test_grep "attempts" err &&
	test_status 2 image-probe --deadline 2>err &&
	REGISTRY_ATTEMPTS=many test_status 2 image-probe x 2>err &&
	test_grep "REGISTRY_ATTEMPTS" err
'

test_expect_success 'a refused connection is retried, bounded by --attempts, exit 1' '
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	REGISTRY_BACKOFF_MS=20 test_status 1 image-probe --attempts 3 \
		"127.0.0.1:$port/x:1" >out 2>err &&
	test_empty out &&
	test_grep "gave up after 3 attempts" err &&
	test "$(grep -c "retrying in" err)" -eq 2 &&
	summary image-probe 3 0 0 0 >expect &&
	grep "requests:" err >actual &&
	test_cmp expect actual
'

test_expect_success 'the sanitizer build agrees' '
	test -z "${SANBIN:-}" || {
		"$SANBIN/image-probe" "$R/rust:oci" "$R/rust:nope" >out 2>err &&
		printf "%s\t%s\n" "$R/rust:oci" "$OCI" "$R/rust:nope" - >expect &&
		test_cmp expect out &&
		test_no_grep "runtime error|Sanitizer" err
	}
'

test_expect_success 'valgrind: no leak, no error' '
	! command -v valgrind >/dev/null || {
		memcheck image-probe "$R/rust:oci" "$R/rust:nope" >out 2>err &&
		printf "%s\t%s\n" "$R/rust:oci" "$OCI" "$R/rust:nope" - >expect &&
		test_cmp expect out
	}
'

test_done
