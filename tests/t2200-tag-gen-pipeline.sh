#!/bin/bash
# shellcheck disable=SC2016,SC2034 # test bodies are single-quoted: lib.sh evals them
# tag-gen at the end of the real pipeline: rust-groups | arch-filter | tag-gen
# over the library/rust revisions (every 10th and the newest in make check,
# as t1000; all of them in make check-long), and the tags the original
# workflow published for the newest one.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

IMAGE=lukemathwalker/cargo-chef
revisions=("$CORPUS"/rust/*.txt)
newest=${revisions[-1]}
mapfile -t sample < <(test_sample "$(test_size 10 1)" "${revisions[@]}")

# refs FILE: the references of tag-gen's JSON lines, as --plain prints them.
refs() {
	jq -r '.canonical, .tags[]' "$1"
}

test_expect_success "${#sample[@]} revisions: --plain is the JSON, every tag valid and unique" '
	for lib in "${sample[@]}"; do
		rust-groups "$lib" | arch-filter >groups.jsonl &&
		tag-gen --version 0.1.77 --image $IMAGE groups.jsonl >tagged.jsonl &&
		tag-gen --version 0.1.77 --image $IMAGE --plain groups.jsonl >plain &&
		refs tagged.jsonl >expect &&
		test_cmp expect plain &&
		sed "s|^$IMAGE:||" plain >tags &&
		! grep -Ev "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$" tags &&
		test -z "$(sort tags | uniq -d)" || { echo "in $lib"; return 1; }
	done
'

test_expect_success "${#sample[@]} revisions: one canonical and two tags an alias, latest once" '
	for lib in "${sample[@]}"; do
		rust-groups "$lib" | arch-filter >groups.jsonl &&
		tag-gen --version 0.1.77 --image $IMAGE --plain groups.jsonl >plain &&
		want=$(jq -s "length + 2 * (map(.rust_aliases | length) | add) +
			(map(select(.rust_aliases | index(\"latest\"))) | length)" groups.jsonl) &&
		test "$(wc -l <plain)" -eq "$want" &&
		test "$(grep -c "^$IMAGE:latest$" plain)" -eq 1 || { echo "in $lib"; return 1; }
	done
'

test_expect_success 'newest revision: the workflow canonical name of stable/trixie' '
	rust-groups --workflow-keys "$newest" | arch-filter |
		tag-gen --version 0.1.77 --image $IMAGE >tagged.jsonl &&
	jq -r "select(.group_key | endswith(\": stable/trixie\")) | .canonical, .tags[]" \
		tagged.jsonl >actual &&
	head -n 1 actual >canonical &&
	echo "$IMAGE:0.1.77-base-880cf93c3be0cc2b" >expect &&
	test_cmp expect canonical &&
	test_grep "^$IMAGE:latest$" actual &&
	test_grep "^$IMAGE:0.1.77-rust-1$" actual &&
	test_grep "^$IMAGE:latest-rust-trixie$" actual
'

test_expect_success '--no-latest: no latest tag moves' '
	rust-groups "$newest" | arch-filter |
		tag-gen --version 0.1.70 --image $IMAGE --plain --no-latest >plain &&
	test_no_grep ":latest" plain &&
	test_grep "^$IMAGE:0.1.70-rust-1$" plain
'

test_expect_success 'a registry with a port stays as given' '
	rust-groups "$newest" | arch-filter |
		tag-gen --version 0.1.77 --image 127.0.0.1:5000/cargo-chef --plain >plain &&
	test -s plain &&
	! grep -v "^127\.0\.0\.1:5000/cargo-chef:" plain
'

test_expect_success 'a failing tag-gen prints nothing, even after good groups' '
	rust-groups "$newest" | arch-filter >groups.jsonl &&
	head -n 1 groups.jsonl >>groups.jsonl &&
	test_status 1 tag-gen --version 0.1.77 --image $IMAGE groups.jsonl >out 2>err &&
	test_empty out &&
	test_grep "^tag-gen: groups.jsonl:[0-9]+: tag .* comes from group" err
'

test_expect_success 'golang: the shared latest goes to the one Linux group left' '
	lib=$(echo "$CORPUS"/library/golang@*.txt) &&
	test -f "$lib" &&
	rust-groups "$lib" | arch-filter |
		tag-gen --version 1.0.0 --image r/golang --plain >plain &&
	test "$(grep -c "^r/golang:latest$" plain)" -eq 1 &&
	rust-groups "$lib" | arch-filter --all >all.jsonl &&
	test_status 1 tag-gen --version 1.0.0 --image r/golang all.jsonl 2>err &&
	test_grep "shared alias \"[^\"]+\" is claimed by group" err
'

test_done
