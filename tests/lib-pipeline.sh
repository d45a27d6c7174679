# tests/lib-pipeline.sh: fixtures of the pipeline's end-to-end tests; source
# it after tests/lib.sh, at the top level (it brings tests/lib-registry.sh).
#
#   pipeline_setup        a registry ($REGISTRY), a git repository of release
#                         tags v0.1.76 and v0.1.77 ($TAGS), $STATE, $PLATFORMS
#   small_platforms       PLATFORMS of a script whose tests hold for any
#                         platforms: one in make check, two in check-long
#   small_library FILE    FILE for a script whose tests hold for any aliases:
#                         in make check, each entry with only its x.y.z tags
#                         and latest (its representative kept: the base's
#                         tag), else its first; FILE in check-long
#   release TAG           one more tag in $TAGS
#   rev NNN               the corpus file of library/rust revision NNN
#   standins FILE [P]     a stand-in base per group of FILE, annotated with the
#                         group's commit; for platform P an older commit
#   pub GOAL [VAR=V]...   make GOAL of the pipeline with the test's knobs
#   builds                images built (build tags pushed) since registry_mark
#   digest_of TAG         $REGISTRY/cargo-chef:TAG's digest (HEAD with curl)
#   canonical_of RUST_ALIAS   the canonical tag of the group with that alias
#   tags_at_canonical     every tag of the plan at its canonical digest
#   group_tags KEY16      how many tags the group's publish points (its
#                         plan's tags and its canonical tag)
#
# The assertions read the registry (curl and its access log), never the
# pipeline's own tools.

# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

# the tests' make runs are their own, not a part of `make check`'s
unset MAKEFLAGS MFLAGS MAKELEVEL

PLATFORMS=linux/amd64,linux/arm64
STATE=$TRASH/state
TAGS=$TRASH/cargo-chef.git
# buildah and skopeo collect garbage a fifth as often: a manifest push then
# takes about a sixth less CPU (mk/registry.sh does the same for the
# registries); nothing else changes
GOGC=400
export PLATFORMS STATE TAGS GOGC

# (each platform is a build, and a child manifest pushed to every tag)
small_platforms() {
	PLATFORMS=$(test_size linux/amd64 linux/amd64,linux/arm64)
}

# (each alias is two tags, and each tag a push of the whole image)
small_library() {
	if [ -n "${TEST_LONG:-}" ]; then
		echo "$1"
		return
	fi
	awk '/^Tags:/ {
		n = split(substr($0, 6), tag, ",")
		for (i = 1; i <= n; i++)
			gsub(/^[ \t]+|[ \t]+$/, "", tag[i])
		line = ""
		for (i = 1; i <= n; i++)
			if (tag[i] ~ /^[0-9]+[.][0-9]+[.][0-9]+(-|$)/ || tag[i] == "latest")
				line = line (line == "" ? "" : ", ") tag[i]
		print "Tags: " (line == "" ? tag[1] : line)
		next
	} 1' "$1" >"$TRASH/small-${1##*/}" || return 1
	echo "$TRASH/small-${1##*/}"
}

pipeline_setup() {
	registry_start || return 1
	tags_repo v0.1.76 v0.1.77
}

# tags_repo TAG...: TAGS, the repository of the release tags (TAGS_FROM),
# with TAG... (for a script that starts its registries itself)
tags_repo() {
	git init -q "$TAGS" &&
	git -C "$TAGS" -c user.name=t -c user.email=t@localhost \
		commit -q --allow-empty -m releases || return 1
	for tag; do
		release "$tag" || return 1
	done
}

release() {
	git -C "$TAGS" tag "$1"
}

rev() {
	for f in "$CORPUS"/rust/"$1"-*.txt; do
		echo "$f"
	done
}

# (tests/standins.sh, which make demo runs too)
standins() {
	authfile=$(push_authfile) || return 1
	"$SRC/tests/standins.sh" "$1" "$REGISTRY/rust" "$PLATFORMS" --stale "${2:-}" \
		--authfile "$authfile"
}

pub() {
	goal=$1
	shift
	make -C "$SRC" --no-print-directory "$goal" STATE="$STATE" \
		IMAGE="$REGISTRY/cargo-chef" LIBRARY="${LIBRARY:?}" TAGS_FROM="$TAGS" \
		BASE_REPO="$REGISTRY/rust" PLATFORMS="$PLATFORMS" BUILDER=buildah \
		CONTEXT=tests/context LOCK_WAIT=0 "$@"
}

builds() {
	registry_count_since PUT '^/v2/cargo-chef/manifests/[0-9.]+-base-[0-9a-f]+[.][0-9a-f]+$' '^201$'
}

digest_of() {
	ref_digest "$REGISTRY/cargo-chef:$1"
}

canonical_of() {
	jq -r --arg a "$1" 'select(.rust_aliases | index($a)) | .canonical | sub("^.*:"; "")' \
		"$STATE/plan.jsonl"
}

group_tags() {
	jq -r --arg k "$1" 'select(.group_key_tag == $k) | .tags | length + 1' "$STATE/plan.jsonl"
}

tags_at_canonical() {
	jq -r '.canonical as $c | .tags[] | [., $c] | @tsv' "$STATE/plan.jsonl" >"$TRASH/.pairs"
	[ -s "$TRASH/.pairs" ] || { echo "empty plan"; return 1; }
	tr '\t' '\n' <"$TRASH/.pairs" | sort -u >"$TRASH/.refs" &&
	ref_digests <"$TRASH/.refs" >"$TRASH/.digests" || return 1
	awk -F '\t' 'NR == FNR { d[$1] = $2; next }
		d[$2] == "" || d[$1] != d[$2] {
			printf "%s at \047%s\047, its canonical %s at \047%s\047\n", $1, d[$1], $2, d[$2]
			bad = 1
		}
		END { exit bad }' "$TRASH/.digests" "$TRASH/.pairs"
}

# Faults, kills and concurrent runs (tests t82xx-t84xx).  The registry is
# read directly, whatever host the plan names (a proxy in front of it).
#
#   direct_digest REF     REF's digest served by $REGISTRY itself, or nothing
#   plan_tag_digests      "TAG<TAB>DIGEST<TAB>ITS CANONICAL'S DIGEST" per tag
#   tags_own_or_before FILE   every tag of the plan at its own canonical's
#                         digest, absent, or where FILE (plan_tag_digests
#                         before the run) had it: never another group's image
#   stamps_true           each stamp's canonical and tags at its digest
#   state_whole           version, plan.jsonl, groups.mk, library each whole
#   ms                    the time in milliseconds since the epoch
#   pub_bg GOAL [VAR=V]...    pub in the background, in a process group of
#                         its own led by $PUB_PID; when pub returns, the
#                         time (ms) is written to $PUB_ENDED
#   group_gone PGID       waits (10 s at most) until no live process is in it
#   lock_free             nobody holds the lock of $STATE (within 10 s)

direct_digest() {
	ref_digest "$REGISTRY/${1#*/}"
}

# direct_digests < REFS: "REF<TAB>DIGEST" of each, served by $REGISTRY
# itself (ref_digests, one curl)
direct_digests() {
	cat >"$TRASH/.direct" &&
	sed "s|^[^/]*/|$REGISTRY/|" "$TRASH/.direct" | ref_digests >"$TRASH/.direct.digests" || return 1
	paste "$TRASH/.direct" "$TRASH/.direct.digests" | cut -f1,3
}

plan_tag_digests() {
	jq -r '.canonical as $c | .tags[] | [., $c] | @tsv' "$STATE/plan.jsonl" >"$TRASH/.tag-pairs" &&
	tr '\t' '\n' <"$TRASH/.tag-pairs" | sort -u >"$TRASH/.tag-refs" &&
	direct_digests <"$TRASH/.tag-refs" >"$TRASH/.tag-digests" || return 1
	awk -F '\t' -v OFS='\t' 'NR == FNR { d[$1] = $2; next } { print $1, d[$1], d[$2] }' \
		"$TRASH/.tag-digests" "$TRASH/.tag-pairs"
}

tags_own_or_before() {
	plan_tag_digests >"$TRASH/.now" &&
	awk -F '\t' 'NR == FNR { before[$1] = $2; next }
		$2 != "" && $2 != $3 && $2 != before[$1] {
			printf "%s at %s: neither its canonical (%s) nor where it was (%s)\n",
				$1, $2, $3, before[$1]
			bad = 1
		}
		END { exit bad }' "$1" "$TRASH/.now"
}

stamps_true() {
	: >"$TRASH/.claims"
	for f in "$STATE"/stamps/*; do
		# absent, or a write cut short (a temporary name): not a stamp
		case $f in *'/*' | *.tmp.*) continue ;; esac
		want=$(sed -n 's/^digest //p' "$f")
		if [ -z "$want" ] || ! head -n 1 "$f" | jq -r '.canonical, .tags[]' >"$TRASH/.claim"; then
			echo "stamp ${f##*/} is not whole"
			return 1
		fi
		sed "s|^|${f##*/}\t$want\t|" "$TRASH/.claim" >>"$TRASH/.claims"
	done
	cut -f3 "$TRASH/.claims" | sort -u >"$TRASH/.claimed" &&
	direct_digests <"$TRASH/.claimed" >"$TRASH/.claimed.digests" || return 1
	awk -F '\t' 'NR == FNR { d[$1] = $2; next }
		d[$3] != $2 { printf "stamp %s claims %s at %s; it is at \047%s\047\n", $1, $3, $2, d[$3]; bad = 1 }
		END { exit bad }' "$TRASH/.claimed.digests" "$TRASH/.claims"
}

state_whole() {
	grep -Eqx 'none|[0-9]+\.[0-9]+\.[0-9]+ (yes|no)' "$STATE/version" ||
		{ echo "version: '$(cat "$STATE/version")'"; return 1; }
	jq -e -s 'all(.[]; .group_key_tag and .canonical and (.tags | length > 0))' \
		"$STATE/plan.jsonl" >/dev/null || { echo "plan.jsonl is not whole"; return 1; }
	# make reads groups.mk and sees a group per rule
	n=$(printf 'count:\n\t@echo $(words $(PLAN_GROUPS))\n' |
		make -s -f "$STATE/groups.mk" -f - count) || n=unreadable
	if [ "$n" != "$(grep -c '^group-[0-9a-f]\{16\}: ' "$STATE/groups.mk")" ]; then
		echo "groups.mk is not whole ($n groups)"
		return 1
	fi
	cmp "$LIBRARY" "$STATE/library"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

PUB_ENDED=$TRASH/.pub_ended
pub_bg() {
	rm -f "$PUB_ENDED"
	set -m
	(
		pub "$@"
		status=$?
		ms >"$PUB_ENDED"
		exit $status
	) &
	PUB_PID=$!
	set +m
	pgid=$(ps -o pgid= -p "$PUB_PID" | tr -d ' ')
	[ "$pgid" = "$PUB_PID" ] || { echo "pub_bg: $PUB_PID is in process group '$pgid'"; return 1; }
}

group_gone() {
	gone_wait=0
	while cat /proc/[0-9]*/stat 2>/dev/null | sed 's/^.*) //' |
		awk -v g="$1" '$3 == g && $1 != "Z" { n++ } END { exit !n }'; do
		[ $gone_wait -lt 100 ] || { echo "process group $1 still runs"; return 1; }
		sleep 0.1
		gone_wait=$((gone_wait + 1))
	done
}

lock_free() {
	# 10 s at most: a killed multi-threaded process (buildah) may show as
	# a zombie, so group_gone passes, while its other threads still exit
	# holding its files, the lock among them; a holder that stays fails
	# (seen once under load: the lock held right after group_gone)
	flock -w 10 "$STATE/lock" true || { echo "$STATE/lock is still held after 10 s"; return 1; }
}
