#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# semver-check: semver.org's precedence examples pair by pair, answers that do
# not depend on the input order, and the cases where sort -V is wrong.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

# greatest FILE: the greatest version semver-check finds, release or not (a
# pre-release is named in its refusal).
greatest() {
	if semver-check "$1" 2>err; then
		return 0
	fi
	sed -n 's/.*the greatest version, \(.*\), is a pre-release.*/\1/p' err
}

# The precedence examples of semver.org (items 11.2 to 11.4), lowest first.
cat >chain <<'END'
1.0.0-alpha
1.0.0-alpha.1
1.0.0-alpha.beta
1.0.0-beta
1.0.0-beta.2
1.0.0-beta.11
1.0.0-rc.1
1.0.0
2.0.0
2.1.0
2.1.1
END

test_expect_success 'every pair of the semver.org chain, both ways round' '
	mapfile -t v <chain &&
	for ((i = 0; i < ${#v[@]}; i++)); do
		for ((j = i + 1; j < ${#v[@]}; j++)); do
			printf "%s\n%s\n" "${v[i]}" "${v[j]}" >pair &&
			test "$(greatest pair)" = "${v[j]}" &&
			printf "%s\n%s\n" "${v[j]}" "${v[i]}" >pair &&
			test "$(greatest pair)" = "${v[j]}" ||
			{ echo "${v[i]} < ${v[j]} not seen"; return 1; }
		done
	done
'

test_expect_success 'every prefix of the chain: its last element, in any order' '
	mapfile -t v <chain &&
	for ((k = 0; k < ${#v[@]}; k++)); do
		for seed in 1 2 3 4 5; do
			printf "%s\n" "${v[@]:0:k+1}" |
				shuf --random-source=<(yes "$seed") >shuffled &&
			test "$(greatest shuffled)" = "${v[k]}" ||
			{ echo "prefix $k, seed $seed:"; cat shuffled; return 1; }
		done
	done
'

test_expect_success 'cargo-chef ls-remote shuffled: always 0.1.77' '
	stdin=$SRC/tests/golden/semver-check/ls-remote-cargo-chef/stdin &&
	test "$(semver-check "$stdin")" = 0.1.77 &&
	for seed in 1 2 3 4 5 6 7 8 9 10; do
		shuf --random-source=<(yes "$seed") "$stdin" >shuffled &&
		test "$(semver-check shuffled)" = 0.1.77 || return 1
	done
'

test_expect_success 'equal precedence, other build metadata: one answer in any order' '
	printf "v1.0.0+b\n1.0.0+a\n1.0.0\n1.0.0+zzz.9\n0.9.0+x\n" >tie &&
	for seed in 1 2 3 4 5 6; do
		shuf --random-source=<(yes "$seed") tie >shuffled &&
		test "$(semver-check shuffled)" = 1.0.0 || return 1
	done
'

# Where sort -V (what shell scripts reach for) disagrees with semver.
test_expect_success 'sort -V gets these wrong, semver-check does not' '
	while read -r a b want; do
		printf "%s\n%s\n" "$a" "$b" >pair &&
		test "$(greatest pair)" = "$want" &&
		test "$(sort -V pair | tail -n 1 | sed "s/^v//")" != "$want" ||
		{ echo "$a vs $b: want $want"; return 1; }
	done <<-END
	0.1.77 0.1.77-rc.1 0.1.77
	2.0.0 v1.0.0 2.0.0
	1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-alpha.beta
	END
'

test_expect_success 'FILE argument, and a missing FILE fails with nothing on stdout' '
	printf "v1.0.0\n" >tags &&
	test "$(semver-check tags)" = 1.0.0 &&
	test_status 1 semver-check no-such-file >out 2>err &&
	test_empty out &&
	test_grep "^semver-check: no-such-file: " err
'

test_done
