#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# The filters under valgrind memcheck over the corpus: no invalid read or
# write, no use of uninitialised memory, no leak (definite or indirect),
# on the paths that succeed and on those that fail.
#
# The rust revisions: a sample in make check (a valgrind run costs ~0.4 s
# of CPU, nearly all of it valgrind's own start: the filters link only
# libc, jansson and nettle):
# the oldest and the newest library/rust revision, each through the three
# filters; make check-long runs all 150.  The rust revisions share
# one shape (2 to 10 entries of Tags, Architectures, GitCommit, Directory;
# unsorted Architectures from 2025, which the newest has), so more of them
# run the same code again; what the format allows beyond that shape is in
# library/ (every eighth file in make check) and invalid/ (every other).
# Each run is one tool under valgrind, its input made beforehand by the
# plain tools; the runs go in parallel, one per CPU.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

# (VALGRIND: tests/lib.sh's memcheck, for the runs of xargs)
export VALGRIND BIN

revisions=("$CORPUS"/rust/*.txt)
step=$(test_size 1000 1)
# shellcheck disable=SC2034 # read by the test bodies
mapfile -t sample < <(test_sample "$step" "${revisions[@]}")

# vg_one "STATUS INPUT TOOL [ARG...]": runs TOOL under valgrind on INPUT
# (a file, as stdin) and prints "ok" or what went wrong.  Arguments are
# words: none of the corpus paths holds a space.
vg_one() {
	read -r want input tool args <<<"$1"
	log=$(mktemp vg.XXXXXX)
	got=0
	# shellcheck disable=SC2086 # args: one word each
	$VALGRIND --log-file="$log" "$BIN/$tool" $args <"$input" >/dev/null 2>&1 || got=$?
	if [ "$got" -eq "$want" ] && ! [ -s "$log" ]; then
		echo ok
	else
		echo "FAIL: $tool $args <$input: exit $got (want $want)"
		sed 's/^/    /' "$log"
	fi
	rm -f "$log"
}
export -f vg_one

# vg JOBS: runs each line of the file JOBS through vg_one, in parallel;
# fails, showing why, unless every one is ok.
vg() {
	xargs -d '\n' -P "$(nproc)" -I{} bash -c 'vg_one "$1"' _ {} <"$1" >vg.out &&
	test_no_grep '^FAIL|^    ' vg.out &&
	test "$(grep -c '^ok$' vg.out)" -eq "$(wc -l <"$1")"
}

# every step-th of the revisions, and the newest when that is not one
want=$(((${#revisions[@]} - 1) / step + 1 + ((${#revisions[@]} - 1) % step != 0)))
test_expect_success "the sample holds $want rust revisions, oldest and newest" '
	test ${#sample[@]} -eq "$want" &&
	test "${sample[0]}" = "${revisions[0]}" &&
	test "${sample[-1]}" = "${revisions[-1]}"
'

test_expect_success 'the sample goes through the plain filters (inputs of the runs)' '
	i=0 &&
	for lib in "${sample[@]}"; do
		i=$((i + 1)) &&
		rust-groups "$lib" >"groups.$i" &&
		arch-filter <"groups.$i" >"platforms.$i" &&
		test -s "platforms.$i" || return 1
	done
'

test_expect_success 'rust-groups: every sampled rust revision, three output forms' '
	i=0 &&
	for lib in "${sample[@]}"; do
		i=$((i + 1)) &&
		case $((i % 3)) in
		0) echo "0 $lib rust-groups" ;;
		1) echo "0 $lib rust-groups --workflow-keys" ;;
		2) echo "0 $lib rust-groups --matrix" ;;
		esac
	done >jobs &&
	vg jobs
'

test_expect_success 'arch-filter: their groups, default, --all and --allow' '
	for ((i = 1; i <= ${#sample[@]}; i++)); do
		case $((i % 3)) in
		0) echo "0 groups.$i arch-filter" ;;
		1) echo "0 groups.$i arch-filter --all" ;;
		2) echo "0 groups.$i arch-filter --allow linux/arm64,linux/amd64" ;;
		esac
	done >jobs &&
	vg jobs
'

test_expect_success 'tag-gen: their platforms, JSON, --plain and --no-latest' '
	for ((i = 1; i <= ${#sample[@]}; i++)); do
		set -- --version 0.1.77 --image docker.io/lukemathwalker/cargo-chef &&
		case $((i % 3)) in
		0) echo "0 platforms.$i tag-gen $*" ;;
		1) echo "0 platforms.$i tag-gen $* --plain" ;;
		2) echo "0 platforms.$i tag-gen $* --no-latest" ;;
		esac
	done >jobs &&
	vg jobs
'

# library/: every eighth file in make check (ASan and UBSan run them all in
# t1000), all of them in make check-long
# shellcheck disable=SC2034 # read by a test body
library=("$CORPUS"/library/*.txt)
library_step=$(test_size 8 1)
test_expect_success "rust-groups: library/ (the hard parts of the format), 1 file in $library_step" '
	for ((i = 0; i < ${#library[@]}; i += library_step)); do
		echo "0 ${library[i]} rust-groups"
	done >jobs &&
	test "$(wc -l <jobs)" -ge $((30 / library_step)) &&
	vg jobs
'

# invalid/: every other file in make check (t1000 runs them all under ASan
# and UBSan), all of them in make check-long
# shellcheck disable=SC2034 # read by a test body
invalid=("$CORPUS"/invalid/*.txt)
invalid_step=$(test_size 2 1)
test_expect_success "rust-groups: invalid/ fails (exit 1), freeing all, 1 file in $invalid_step" '
	for ((i = 0; i < ${#invalid[@]}; i += invalid_step)); do
		echo "1 ${invalid[i]} rust-groups"
	done >jobs &&
	test "$(wc -l <jobs)" -ge $((7 / invalid_step)) &&
	vg jobs
'

test_expect_success 'semver-check: tag lists, ls-remote lines, --releases-only, --is-release' '
	for i in $(seq 9 77); do echo "v0.1.$i"; done >tags &&
	echo v0.2.0-rc.1 >>tags &&
	while read -r t; do
		printf "%040d\trefs/tags/%s\n" 0 "$t" &&
		printf "%040d\trefs/tags/%s^{}\n" 1 "$t"
	done <tags >ls-remote &&
	printf "0.1.0\n1.0.0-alpha\n1.0.0+build\n" >with-build &&
	cat >jobs <<-EOF &&
	1 tags semver-check
	0 tags semver-check --releases-only
	0 ls-remote semver-check --releases-only
	0 with-build semver-check
	0 /dev/null semver-check --is-release 0.1.77
	1 /dev/null semver-check --is-release 0.1.77-rc.1
	EOF
	vg jobs
'

# every other one in make check, all of them in make check-long
# shellcheck disable=SC2034 # read by the test body
paths_step=$(test_size 2 1)
test_expect_success "every filter: its failing paths (input, options, usage), 1 in $paths_step" '
	printf "x86_64\n" >bad-arch &&
	printf "{\"group_key\":\"k\",\"architectures\":[\"amd64\",1]}\n" >bad-group &&
	printf "{\"group_key\":\"k\"\n" >bad-json &&
	cat platforms.1 platforms.1 >twice &&
	printf "\000\n" >nul &&
	printf "latest\nnightly\n" >no-semver &&
	printf "Maintainers: A <a@b.c> (@a)\nGitRepo: x\n\nTags: a\nGitCommit: 1\n" >bad-commit &&
	cat >jobs <<-EOF &&
	1 nul rust-groups
	1 bad-commit rust-groups
	1 /dev/null rust-groups
	2 /dev/null rust-groups --bogus
	1 bad-arch arch-filter
	1 bad-group arch-filter
	1 bad-json arch-filter
	1 /dev/null arch-filter --allow linux/sparc
	2 /dev/null arch-filter --all --allow linux/amd64
	1 platforms.1 tag-gen --version 01.0.0 --image x
	1 platforms.1 tag-gen --version 1.0.0 --image UPPER/x
	1 groups.1 tag-gen --version 1.0.0 --image x
	1 twice tag-gen --version 1.0.0 --image x
	1 bad-json tag-gen --version 1.0.0 --image x
	2 /dev/null tag-gen --version 1.0.0
	1 no-semver semver-check
	1 /dev/null semver-check
	2 /dev/null semver-check a b
	EOF
	mapfile -t lines <jobs &&
	test_sample "$paths_step" "${lines[@]}" >sampled &&
	test "$(wc -l <sampled)" -ge $((18 / paths_step)) &&
	vg sampled
'

test_done
