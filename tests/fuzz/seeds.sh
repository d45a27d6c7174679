#!/bin/sh
# tests/fuzz/seeds.sh TARGET DIR: fills DIR with the seed inputs of one fuzz
# target, made at run time from what the tree already holds: the corpus of
# real library files ($CORPUS), the golden cases (their args become the first
# line where the target reads options there, see tests/fuzz/fuzz.h), the
# filters' own output over a sample of the corpus (when $BIN has them), and
# the few hand-written seeds of tests/fuzz/seeds/TARGET/.
set -eu
target=$1 dir=$2
: "${SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CORPUS:=$SRC/tests/corpus}"
: "${BIN:=$SRC/bin}"
golden=$SRC/tests/golden
mkdir -p "$dir"
n=0

# seed FILE...: one seed made of the concatenation of the files.
seed() {
	n=$((n + 1))
	cat "$@" >"$dir/seed-$n"
}

# golden TOOL: each case of TOOL as "args on one line", then its stdin.
golden() {
	for c in "$golden/$1"/*/; do
		{
			if [ -f "$c/args" ]; then tr '\n' ' ' <"$c/args"; fi
			echo
			if [ -f "$c/stdin" ]; then cat "$c/stdin"; fi
		} >"$dir/golden-$1-$(basename "$c")"
	done
}

# lines NAME FILE...: each line of the files as one seed.
lines() {
	name=$1
	shift
	cat "$@" 2>/dev/null | while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" >"$dir/$name-$n"
	done
}

# The groups the pipeline makes of every 10th rust revision and of each
# other library file, through the filters up to STAGE (arch-filter or
# tag-gen), with OPTIONS as the first line.
pipeline() {
	stage=$1 options=$2 i=0
	[ -x "$BIN/rust-groups" ] && [ -x "$BIN/arch-filter" ] || return 0
	for f in "$CORPUS"/rust/*.txt "$CORPUS"/library/*.txt; do
		i=$((i + 1))
		case $f in */rust/*) [ $((i % 10)) -eq 1 ] || continue ;; esac
		{
			echo "$options"
			if [ "$stage" = arch-filter ]; then
				"$BIN/rust-groups" "$f"
			else
				"$BIN/rust-groups" "$f" | "$BIN/arch-filter" --all
			fi
		} >"$dir/pipeline-$i" 2>/dev/null || rm -f "$dir/pipeline-$i"
	done
}

case $target in
library)
	for f in "$CORPUS"/rust/*.txt "$CORPUS"/library/*.txt "$CORPUS"/invalid/*.txt \
	         "$golden"/rust-groups/*/stdin; do
		seed "$f"
	done ;;
semver)
	for f in "$golden"/semver-check/*/stdin; do
		seed "$f"
	done ;;
tag-list)
	golden semver-check ;;
arch-filter)
	golden arch-filter
	pipeline arch-filter "" ;;
tag-gen)
	golden tag-gen
	pipeline tag-gen "--version 0.1.77 --image docker.io/lukemathwalker/cargo-chef" ;;
ref)
	for t in image-probe image-alias image-manifest; do
		lines "$t" "$golden/$t"/*/args "$golden/$t"/*/stdin
	done ;;
esac
if [ -d "$SRC/tests/fuzz/seeds/$target" ]; then
	cp "$SRC/tests/fuzz/seeds/$target"/* "$dir"/
fi
