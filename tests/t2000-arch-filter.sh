#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# arch-filter against the real workflow matrices: every library/rust revision's
# groups, stripped of "platforms", get back exactly the platforms the original
# workflow computed (its default set), in the same field order.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

# The revisions share one shape: make check takes every 5th and the newest
# (31 of 150), make check-long all of them.
matrices=("$CORPUS"/rust/*.workflow.json)
mapfile -t sample < <(test_sample "$(test_size 5 1)" "${matrices[@]}")

# each matrix's groups without their platforms (arch-filter's input) in
# matrix-groups/, those with some (its output) in matrix-expect/
test_expect_success "the sampled matrices (${#sample[@]}), split into arch-filter's input and output" '
	ls "$CORPUS"/rust/*.workflow.json >matrices &&
	test "$(wc -l <matrices)" -ge 150 &&
	jq_each matrix-groups ".[] | del(.platforms)" "${sample[@]}" &&
	jq_each matrix-expect ".[] | select(.platforms != [])" "${sample[@]}" &&
	test "$(ls matrix-groups | wc -l)" -eq ${#sample[@]} &&
	for matrix in "${sample[@]}"; do
		test -s "matrix-groups/${matrix//\//%}" && test -s "matrix-expect/${matrix//\//%}" || return 1
	done
'

for_each_revision() {
	bin=$1
	for matrix in "${sample[@]}"; do
		name=${matrix//\//%}
		if ! { "$bin/arch-filter" "matrix-groups/$name" >actual && test_cmp "matrix-expect/$name" actual; }; then
			echo "in $matrix"
			return 1
		fi
	done
}

test_expect_success "every sampled rust revision (${#sample[@]}) gets the workflow platforms" '
	for_each_revision "$BIN"
'

if [ -n "${SANBIN:-}" ]; then
	test_expect_success 'every sampled rust revision (asan+ubsan)' '
		for_each_revision "$SANBIN"
	'
fi

test_expect_success 'FILE argument reads the file, - reads stdin' '
	printf "amd64 arm64v8\n" >names &&
	echo linux/amd64,linux/arm64 >expect &&
	arch-filter names >actual &&
	test_cmp expect actual &&
	arch-filter - <names >actual &&
	test_cmp expect actual
'

test_expect_success 'a missing FILE fails naming it, with nothing on stdout' '
	test_status 1 arch-filter no-such-file >out 2>err &&
	test_empty out &&
	test_grep "^arch-filter: no-such-file: " err
'

test_expect_success 'an unknown name late in the input: nothing printed at all' '
	{ jq -c ".[] | del(.platforms)" "$CORPUS"/rust/150-*.workflow.json &&
	  echo "{\"group_key\":\"x\",\"architectures\":[\"arm64\"]}"; } >groups.jsonl &&
	test_status 1 arch-filter groups.jsonl >out 2>err &&
	test_empty out &&
	test_grep "^arch-filter: groups.jsonl:[0-9]+: unknown architecture \"arm64\"$" err
'

test_expect_success 'plain names and group lines agree' '
	echo "{\"group_key\":\"k\",\"architectures\":[\"s390x\",\"i386\",\"arm32v7\"]}" |
		arch-filter --all | jq -r ".platforms | join(\",\")" >expect &&
	echo "s390x,i386 arm32v7" | arch-filter --all >actual &&
	test_cmp expect actual
'

test_done
