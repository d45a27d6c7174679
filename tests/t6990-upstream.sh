#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Any upstream, any tag format (issue 13): UPSTREAM sets LIBRARY's and
# BASE_REPO's defaults; TAG_FORMAT names the aliases; VERSION_ARG names the
# version's build argument.  Derived images of a golang revision (its
# Linux groups and a Windows entry that shares latest, 1, ...) and of a
# python-like one, published to the real registry by real buildah builds
# in a non-default format: every tag of the repository is checked, by name
# (computed here, not by the pipeline's tools) and by digest.  A format
# that cannot name the tags is refused before any request, naming them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup

# A part of a real golang revision: its header, the trixie and bookworm
# groups of 1.27, and the Windows entry that shares 1.27.0, 1.27, 1 and
# latest with trixie (make check-long: the whole file, 8 Linux groups).
golang_file=$(echo "$CORPUS"/library/golang@*.txt)
GOLANG=$TRASH/golang.txt
if [ "$(test_size small whole)" = whole ]; then
	cp "$golang_file" "$GOLANG"
else
	awk -v RS= -v ORS='\n\n' 'NR <= 2 || /Directory: 1\.27\/(trixie|bookworm|windows\/windowsservercore-ltsc2022)\n/ ||
		/Directory: 1\.27\/(trixie|bookworm|windows\/windowsservercore-ltsc2022)$/' \
		"$golang_file" >"$GOLANG"
fi

# python-like: its names (3.13.5-slim-trixie, ... latest), a Windows entry
# sharing latest
PYTHON=$TRASH/python.txt
cat >"$PYTHON" <<'EOF'
Maintainers: Someone <someone@example.com> (@someone)
GitRepo: https://github.com/docker-library/python.git

Tags: 3.13.5-trixie, 3.13-trixie, 3-trixie, trixie
SharedTags: 3.13.5, 3.13, 3, latest
Architectures: amd64, arm64v8, windows-amd64
GitCommit: 1111111111111111111111111111111111111111
Directory: 3.13/trixie

Tags: 3.13.5-windowsservercore-ltsc2022, 3.13-windowsservercore-ltsc2022, 3-windowsservercore-ltsc2022
SharedTags: 3.13.5, 3.13, 3, latest
Architectures: windows-amd64
GitCommit: 1111111111111111111111111111111111111111
Directory: 3.13/windows/windowsservercore-ltsc2022

Tags: 3.13.5-slim-trixie, 3.13-slim-trixie, 3-slim-trixie, slim-trixie, 3.13.5-slim, 3.13-slim, 3-slim, slim
Architectures: amd64, arm64v8
GitCommit: 2222222222222222222222222222222222222222
Directory: 3.13/slim-trixie
EOF
# (pub's default; upstream gives its own)
LIBRARY=$PYTHON
export LIBRARY

# The build context: the version as its own build argument, a label of it.
CONTEXT_DIR=$TRASH/context
mkdir -p "$CONTEXT_DIR"
cat >"$CONTEXT_DIR/Dockerfile" <<'EOF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG TOOL_VERSION
LABEL org.opencontainers.image.version="${TOOL_VERSION}"
EOF

# standins_in REPO FILE: a stand-in base REPO:<representative> per Linux
# group of FILE, annotated with its commit
standins_in() {
	repo=$1
	rust-groups "$2" | arch-filter --allow "$PLATFORMS" 2>/dev/null |
		jq -r '[.representative_rust_tag, (.platforms | join(",")), .group_key] | @tsv' |
		while IFS="$(printf '\t')" read -r tag plats key; do
			set --
			for p in $(echo "$plats" | tr , ' '); do
				set -- "$@" --annotate-for "$p" "org.opencontainers.image.revision=${key%%:*}"
			done
			push_standin "$REGISTRY/$repo:$tag" --platforms "$plats" \
				--content "$repo:$tag at $key" "$@" >/dev/null || return 1
		done
}

# upstream NAME FILE FORMAT [VAR=V...]: make publish of FILE's derived images
# to $REGISTRY/NAME-tool, UPSTREAM=NAME, in FORMAT
upstream() {
	name=$1 file=$2 format=$3
	shift 3
	pub publish UPSTREAM="$name" LIBRARY="$file" BASE_REPO="$REGISTRY/$name" \
		IMAGE="$REGISTRY/$name-tool" TAG_FORMAT="$format" VERSION_ARG=TOOL_VERSION \
		CONTEXT="$CONTEXT_DIR" STATE="$TRASH/state-$name" "$@"
}

# key16 "COMMIT:DIR": the canonical tag's hex, computed here
key16() {
	printf '%s' "$1" | sha256sum | cut -c1-16
}

# repo_tags REPO: every tag of $REGISTRY/REPO, sorted
repo_tags() {
	curl -fsS "http://$REGISTRY/v2/$1/tags/list?n=1000" | jq -r '.tags[]' | LC_ALL=C sort
}

# want_tags VERSION FORMAT GROUP...: the tags the groups (each
# "COMMIT:DIR ALIAS...") must have: their canonical tags, then each
# alias in FORMAT for VERSION and for latest, and latest; sorted
want_tags() {
	version=$1 format=$2
	shift 2
	for group; do
		# shellcheck disable=SC2086 # the group's words, split on purpose
		set -- $group
		echo "$version-base-$(key16 "$1")"
		shift
		for alias; do
			for v in "$version" latest; do
				printf '%s\n' "$format" | sed "s/{version}/$v/; s/{tag}/$alias/"
			done
			[ "$alias" != latest ] || echo latest
		done
	done | LC_ALL=C sort
}

# every_tag_at_its_group REPO VERSION GROUP...: each alias at its group's
# canonical digest, one build tag per group at it too, the image labelled
# with VERSION (the version's build argument reached the build)
every_tag_at_its_group() {
	repo=$1 version=$2 format=$3
	shift 3
	for group; do
		# shellcheck disable=SC2086 # the group's words, split on purpose
		set -- $group
		canonical=$version-base-$(key16 "$1")
		want=$(ref_digest "$REGISTRY/$repo:$canonical")
		[ -n "$want" ] || { echo "no $canonical"; return 1; }
		shift
		for alias; do
			for v in "$version" latest; do
				tag=$(printf '%s\n' "$format" | sed "s/{version}/$v/; s/{tag}/$alias/")
				got=$(ref_digest "$REGISTRY/$repo:$tag")
				[ "$got" = "$want" ] || { echo "$tag at '$got', not at $canonical ($want)"; return 1; }
			done
		done
		builds=$(repo_tags "$repo" | grep -c "^${canonical}[.][0-9a-f]\{8\}$")
		[ "$builds" = 1 ] || { echo "$canonical has $builds build tags"; return 1; }
		build=$(repo_tags "$repo" | grep "^${canonical}[.][0-9a-f]\{8\}$")
		[ "$(ref_digest "$REGISTRY/$repo:$build")" = "$want" ] || { echo "$build is elsewhere"; return 1; }
		label=$(image_label "$repo" "$want") || return 1
		[ "$label" = "$version" ] || { echo "$canonical is labelled '$label'"; return 1; }
	done
}

# image_label REPO DIGEST: the version label of the linux/amd64 image of
# the index REPO@DIGEST
image_label() {
	accept="application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json"
	child=$(curl -fsS -H "Accept: $accept" "http://$REGISTRY/v2/$1/manifests/$2" |
		jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest') &&
	config=$(curl -fsS -H "Accept: application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json" \
		"http://$REGISTRY/v2/$1/manifests/$child" | jq -r .config.digest) &&
	curl -fsS "http://$REGISTRY/v2/$1/blobs/$config" | jq -r '.config.Labels["org.opencontainers.image.version"]'
}

# refused KNOB=VALUE MESSAGE-RE [VAR=V...]: make plan fails naming the knob
# and matching MESSAGE-RE, with no request to the registry
refused() {
	echo "case: $1"
	registry_mark &&
	{ test_status 2 upstream python "$PYTHON" "{version}-python{tag}" "$1" "${@:3}" >out 2>&1 ||
		{ cat out; return 1; }; } &&
	test_grep "^pipeline: error: ${1%%=*}=.*$2" out &&
	test "$(grep -c "error: " out)" = 1 &&
	test "$(registry_count_since "*")" = 0
}

test_expect_success 'UPSTREAM sets the defaults of LIBRARY and BASE_REPO; they still override' '
	printf "show:\n\t@echo \$(LIBRARY) \$(BASE_REPO) \$(TAG_FORMAT) \$(VERSION_ARG)\n" >show.mk &&
	unset LIBRARY BASE_REPO TAG_FORMAT VERSION_ARG UPSTREAM &&
	make -s -C "$SRC" -f Makefile -f "$TRASH/show.mk" show UPSTREAM=golang >got &&
	echo "https://raw.githubusercontent.com/docker-library/official-images/master/library/golang docker.io/library/golang {version}-rust-{tag} CHEF_TAG" >want &&
	test_cmp want got &&
	make -s -C "$SRC" -f Makefile -f "$TRASH/show.mk" show >got &&
	echo "https://raw.githubusercontent.com/docker-library/official-images/master/library/rust docker.io/library/rust {version}-rust-{tag} CHEF_TAG" >want &&
	test_cmp want got &&
	make -s -C "$SRC" -f Makefile -f "$TRASH/show.mk" show UPSTREAM=golang LIBRARY=x BASE_REPO=y >got &&
	echo "x y {version}-rust-{tag} CHEF_TAG" >want &&
	test_cmp want got
'

test_expect_success 'a TAG_FORMAT, UPSTREAM or VERSION_ARG that cannot work is refused before any request' '
	refused TAG_FORMAT="{version}-python" "want both {version} and {tag}" &&
	refused TAG_FORMAT="python{tag}" "want both {version} and {tag}" &&
	refused TAG_FORMAT="{version}-{tag}-{tag}" "once each" &&
	refused TAG_FORMAT="{version}-{os}-{tag}" "only letters, digits" &&
	refused TAG_FORMAT="-{tag}-{version}" "cannot begin with" &&
	refused TAG_FORMAT="{version}/{tag}" "only letters, digits" &&
	refused TAG_FORMAT= "empty" &&
	refused UPSTREAM=Golang "official image" &&
	refused UPSTREAM=../rust "official image" &&
	refused UPSTREAM= "official image" &&
	refused VERSION_ARG=1ARG "build argument" &&
	refused VERSION_ARG="A B" "build argument" &&
	refused VERSION_ARG=BASE_IMAGE "base image"
'

test_expect_success 'a format that makes a bad tag of an alias is refused at the plan, naming it, before any request' '
	long=$(printf "x%.0s" $(seq 110)) &&
	registry_mark &&
	test_status 2 upstream python "$PYTHON" "{version}-$long-{tag}" >out 2>&1 &&
	test_grep "^tag-gen: .*: alias \"[^\"]*\" makes \"0\.1\.77-$long-[^\"]*\", not a valid tag" out &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'an alias with the form of a canonical tag is refused, naming both' '
	sed "s/^Tags: 3.13.5-slim-trixie, /Tags: 0123456789abcdef, 3.13.5-slim-trixie, /" "$PYTHON" >hexalias.txt &&
	registry_mark &&
	test_status 2 upstream python "$TRASH/hexalias.txt" "{version}-base-{tag}" >out 2>&1 &&
	test_grep "alias \"0123456789abcdef\" makes \"0\.1\.77-base-0123456789abcdef\", which has the form of a canonical or build tag" out &&
	test "$(registry_count_since "*")" = 0
'

test_expect_success 'golang, {tag}-{version}: the Linux groups, latest from the one left after the platform filter' '
	standins_in golang "$GOLANG" &&
	upstream golang "$GOLANG" "{tag}-{version}" >out 2>&1 &&
	test_grep "groups published, 0 waiting for their base, 0 failed$" out &&
	jq -e -s "all(.[]; has(\"workflow_canonical\") | not)" "$TRASH/state-golang/plan.jsonl" >/dev/null &&
	rust-groups "$GOLANG" | arch-filter --allow "$PLATFORMS" 2>/dev/null |
		jq -r "[.group_key] + .rust_aliases + .shared_aliases | join(\" \")" >groups &&
	test_grep " latest\$" groups &&
	test "$(grep -c " latest\$" groups)" = 1 &&
	mapfile -t groups <groups &&
	want_tags 0.1.77 "{tag}-{version}" "${groups[@]}" >want &&
	repo_tags golang-tool | grep -v "[.][0-9a-f]\{8\}\$" >got &&
	test_cmp want got &&
	test_grep "^latest\$" got && test_grep "^1-latest\$" got && test_grep "^1\.27\.0-trixie-0\.1\.77\$" got &&
	every_tag_at_its_group golang-tool 0.1.77 "{tag}-{version}" "${groups[@]}" &&
	test "$(ref_digest "$REGISTRY/golang-tool:latest")" = \
		"$(ref_digest "$REGISTRY/golang-tool:trixie-0.1.77")"
'

test_expect_success 'python-like, {version}-python{tag}: every tag, by name and digest' '
	standins_in python "$PYTHON" &&
	upstream python "$PYTHON" "{version}-python{tag}" >out 2>&1 &&
	test_grep "2 of 2 groups published, 0 waiting for their base, 0 failed$" out &&
	rust-groups "$PYTHON" | arch-filter --allow "$PLATFORMS" 2>/dev/null |
		jq -r "[.group_key] + .rust_aliases + .shared_aliases | join(\" \")" >groups &&
	mapfile -t groups <groups &&
	test "${#groups[@]}" = 2 &&
	want_tags 0.1.77 "{version}-python{tag}" "${groups[@]}" >want &&
	repo_tags python-tool | grep -v "[.][0-9a-f]\{8\}\$" >got &&
	test_cmp want got &&
	test_grep "^0\.1\.77-python3\.13-slim\$" got && test_grep "^latest-python3\$" got &&
	test_grep "^latest\$" got &&
	every_tag_at_its_group python-tool 0.1.77 "{version}-python{tag}" "${groups[@]}"
'

test_expect_long 'a rerun sends no request; an older version moves no floating name' '
	registry_mark &&
	upstream python "$PYTHON" "{version}-python{tag}" >out 2>&1 &&
	test "$(registry_count_since "*")" = 0 &&
	floating=$(ref_digest "$REGISTRY/python-tool:latest-python3") &&
	latest=$(ref_digest "$REGISTRY/python-tool:latest") &&
	upstream python "$PYTHON" "{version}-python{tag}" VERSION=0.1.76 >out 2>&1 &&
	test -n "$(ref_digest "$REGISTRY/python-tool:0.1.76-python3")" &&
	test "$(ref_digest "$REGISTRY/python-tool:0.1.76-python3")" != "$floating" &&
	test "$(ref_digest "$REGISTRY/python-tool:latest-python3")" = "$floating" &&
	test "$(ref_digest "$REGISTRY/python-tool:latest")" = "$latest"
'

test_expect_success 'orphans reads the format: the aliases of a version lead to its canonical tags' '
	make -C "$SRC" --no-print-directory orphans STATE="$TRASH/state-golang" \
		IMAGE="$REGISTRY/golang-tool" TAG_FORMAT="{tag}-{version}" LOCK_WAIT=0 >orphans 2>err &&
	test_empty orphans &&
	n=$(rust-groups "$GOLANG" | arch-filter --allow "$PLATFORMS" 2>/dev/null | wc -l) &&
	test_grep "0 of $((2 * n)) canonical and build tags of 1 version" err
'

test_done
