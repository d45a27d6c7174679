#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make orphans: the canonical and build tags no alias points to any more.
# Revisions 004 -> 005 of library/rust rebuild both groups from a new commit
# (every alias moves: 004's canonical and build tags are orphaned); 005 ->
# 006 moves the floating aliases to new groups (005's keep their pinned
# 1.19 aliases: no new orphan).  Then a tag of no version (latest-rust-*)
# that keeps an old image, an orphan of another version, VERSION limiting
# what is asked, and the embedded registry.  Reads only: one tag listing,
# HEADs, never a manifest GET.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
IMG=$REGISTRY/cargo-chef
export IMG

# orphans_ok [VAR=V]...: make orphans, into out (stdout) and err; one tag
# listing, no manifest GET, nothing written; its HEADs in $TRASH/heads.
orphans_ok() {
	registry_mark &&
	pub orphans "$@" >out 2>err &&
	test "$(registry_count_since GET "^/v2/cargo-chef/tags/list")" = 1 &&
	test "$(registry_count_since GET /manifests/)" = 0 &&
	test "$(registry_count_since PUT)" = 0 &&
	test "$(registry_count_since DELETE)" = 0 &&
	registry_count_since HEAD >"$TRASH/heads" &&
	test_grep "^orphans: .*requests: list=1 HEAD=$(cat "$TRASH/heads") GET=0 token=0$" err
}

# expect_orphans TAG...: the orphans printed are these tags, each at the
# digest the registry serves for it
expect_orphans() {
	for t in "$@"; do
		printf '%s:%s\t%s\n' "$IMG" "$t" "$(digest_of "$t")"
	done | LC_ALL=C sort >expect &&
	test_cmp expect out
}

# oracle: the base tags whose digest no other tag of the registry has,
# read with curl (tags/list, then a HEAD per tag), as expect_orphans wants
oracle() {
	curl -sf "http://$REGISTRY/v2/cargo-chef/tags/list" | jq -r '.tags[]' |
		while read -r t; do
			printf '%s\t%s\n' "$t" "$(digest_of "$t")"
		done >"$TRASH/all" &&
	awk -F '\t' '$1 !~ /-base-[0-9a-f]+([.][0-9a-f]+)?$/ { aliased[$2] = 1 }
		{ tag[$1] = $2 }
		END { for (t in tag) if (t ~ /-base-[0-9a-f]+([.][0-9a-f]+)?$/ && !(tag[t] in aliased)) print t }' \
		"$TRASH/all" | LC_ALL=C sort
}

LIBRARY=$(rev 004)
export LIBRARY
test_expect_success 'after the first publish: no orphan' '
	standins "$LIBRARY" &&
	pub publish >pub.out 2>&1 &&
	jq -r ".canonical, .build_tag | sub(\"^.*:\"; \"\")" "$STATE/plan.jsonl" |
		LC_ALL=C sort >"$TRASH/bases004" &&
	test "$(wc -l <"$TRASH/bases004")" = 4 &&
	orphans_ok &&
	test_empty out &&
	test_grep "^orphans: 0 of 4 canonical and build tags of 1 version\(s\) have no other tag" err
'

LIBRARY=$(rev 005)
test_expect_success 'a rebuild of every group from a new commit: the old canonical and build tags' '
	standins "$LIBRARY" &&
	pub publish >pub.out 2>&1 &&
	orphans_ok &&
	mapfile -t bases <"$TRASH/bases004" &&
	expect_orphans "${bases[@]}" &&
	oracle >oracle.tags &&
	test_cmp "$TRASH/bases004" oracle.tags &&
	test_grep "^orphans: 4 of 8 canonical and build tags" err
'

LIBRARY=$(rev 006)
test_expect_success 'the floating aliases move to new groups: the pinned aliases keep the old ones' '
	standins "$LIBRARY" &&
	pub publish >pub.out 2>&1 &&
	test "$(digest_of 0.1.77-rust-1)" = "$(digest_of 0.1.77-rust-1.20)" &&
	orphans_ok &&
	mapfile -t bases <"$TRASH/bases004" &&
	expect_orphans "${bases[@]}" &&
	test_grep "^orphans: 4 of 12 canonical and build tags" err
'

test_expect_success 'a tag of no version (latest-rust-*) that keeps an old image: not an orphan' '
	kept=$(grep -v "[.][0-9a-f]*$" "$TRASH/bases004" | head -n 1) &&
	echo "$IMG:latest-rust-kept" | image-alias "$IMG:$kept" >/dev/null 2>&1 &&
	orphans_ok &&
	grep -v -F "$kept" "$TRASH/bases004" >"$TRASH/orphans" &&
	test "$(wc -l <"$TRASH/orphans")" = 2 &&
	mapfile -t bases <"$TRASH/orphans" &&
	expect_orphans "${bases[@]}" &&
	oracle >oracle.tags &&
	test_cmp "$TRASH/orphans" oracle.tags
'

test_expect_success 'another version: listed with all; VERSION asks only about its own tags' '
	canonical=$(sed -n 1p "$TRASH/orphans") &&
	other=0.1.76-base-$(printf %016d 7) &&
	echo "$IMG:$other" | image-alias "$IMG:$canonical" >/dev/null 2>&1 &&
	orphans_ok &&
	test_grep "^$IMG:$other	sha256:" out &&
	test "$(wc -l <out)" = 3 &&
	test_grep "of 2 version\(s\)" err &&
	orphans_ok VERSION=0.1.76 &&
	test "$(registry_count_since HEAD "/manifests/0[.]1[.]77-")" = 0 &&
	test "$(registry_count_since HEAD "/manifests/$other$")" = 1 &&
	expect_orphans "$other" &&
	versionless=$(curl -sf "http://$REGISTRY/v2/cargo-chef/tags/list" |
		jq "[.tags[] | select(test(\"^[0-9]+[.]\") | not)] | length") &&
	test "$(cat "$TRASH/heads")" = $((versionless + 1)) &&
	test_grep "^orphans: 1 of 1 canonical and build tags of 1 version\(s\) \(VERSION=0.1.76\)" err
'

test_expect_success 'VERSION of no tag: nothing asked but the listing; a bad VERSION refused' '
	orphans_ok VERSION=9.9.9 &&
	test_empty out &&
	test "$(cat "$TRASH/heads")" = 0 &&
	test_status 2 pub orphans "VERSION=1.0;rm" >out 2>err &&
	test_grep "VERSION=1.0;rm is not a (semantic )?version" err
'

test_expect_success 'IMAGE empty: the embedded registry under STATE, which has no image yet' '
	state=$TRASH/state-embedded &&
	echo "registry $state/registry" >>"$TRASH/.fixtures" &&
	make -C "$SRC" --no-print-directory orphans STATE="$state" IMAGE= LOCK_WAIT=0 \
		>out 2>err &&
	test_empty out &&
	addr=$(cat "$state/registry/addr") &&
	test_grep "^orphans: $addr/cargo-chef does not exist: no tag; requests: list=1 HEAD=0 GET=0 token=0$" err
'

test_expect_success 'under the lock of STATE: refused at once while a run holds it (LOCK_WAIT=0)' '
	exec 8>>"$STATE/lock" &&
	flock -n 8 &&
	registry_mark &&
	test_status 2 pub orphans >out 2>err &&
	test_empty out &&
	test_grep "in use by" err &&
	test "$(registry_count_since "*")" = 0
'

test_done
