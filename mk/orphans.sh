#!/bin/sh
# mk/orphans.sh [IMAGE=REPO]: `make orphans`, run under the lock of $STATE by
# mk/locked.sh (which passes IMAGE=<embedded registry>/cargo-chef when IMAGE
# is empty).  Prints "IMAGE:TAG<TAB>DIGEST", sorted, for each canonical tag
# and build tag (tags.h) of VERSION (empty: of every version that has one)
# whose digest no other tag of IMAGE has: images that no alias leads to any
# more.  Deletes nothing.
#
# Reads only: one tag listing (image-tags), then one HEAD (image-probe) for
# each tag of the versions looked at (their aliases in TAG_FORMAT) and each
# tag of no version (latest and the floating aliases: they may point at any
# version's image); the tags of other versions are not asked about.  No
# manifest GET.
# Its last line on stderr counts the requests.
set -eu
me=orphans
. mk/lib.sh

for arg; do
	case $arg in
	IMAGE=*) IMAGE=${arg#IMAGE=} ;;
	*) die "usage: mk/orphans.sh [IMAGE=REPO]" ;;
	esac
done
[ -n "$IMAGE" ] || die "IMAGE is empty"
case ${VERSION:-} in
'') ;;
[0-9]*.*[0-9]*.*[0-9]*) case $VERSION in *[!0-9A-Za-z.-]*) die "VERSION=$VERSION is not a version" ;; esac ;;
*) die "VERSION=$VERSION is not a version" ;;
esac

stage_workdir orphans

# requests FILE...: the tools' summary lines in FILE... added up.
requests() {
	awk '
		!sub(/^[a-z-]*: requests: /, "") { next }
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); n[kv[1]] += kv[2] } }
		END { printf "list=%d HEAD=%d GET=%d token=%d\n", n["list"], n["HEAD"], n["GET"], n["token"] }' "$@"
}
# relay FILE: what a tool said on stderr but its summary (warnings, rate limit).
relay() {
	grep -v '^[a-z-]*: requests: ' "$1" >&2 || :
}

if ! image-tags "$IMAGE" >"$work/tags" 2>"$work/tags.err"; then
	if grep -qF "image-tags: $IMAGE: NAME_UNKNOWN: " "$work/tags.err"; then
		say "$IMAGE does not exist: no tag; requests: $(requests "$work/tags.err")"
		exit 0
	fi
	relay "$work/tags.err"
	die "cannot list the tags of $IMAGE"
fi
relay "$work/tags.err"

# Each tag's kind and version, read by tag-gen (tags.c, TAG_FORMAT): the
# canonical and build tags of the versions looked at ("canonical|build TAG
# VERSION"), the other tags of those versions ("alias TAG VERSION") and the
# tags of no version ("alias TAG -": latest, the floating aliases); the other
# versions' tags are left out.
set -- --kinds
[ -z "${TAG_FORMAT:-}" ] || set -- "$@" --format "$TAG_FORMAT"
[ -z "${VERSION:-}" ] || set -- "$@" --version "$VERSION"
tag-gen "$@" "$work/tags" >"$work/kinds" || die "cannot read the tags of $IMAGE"

awk -v image="$IMAGE" '{ print image ":" $2 }' "$work/kinds" >"$work/refs"
: >"$work/probe"
: >"$work/probe.err"
# no canonical or build tag to look at: nothing to ask
if grep -qv '^alias ' "$work/kinds"; then
	image-probe <"$work/refs" >"$work/probe" 2>"$work/probe.err" ||
		{ relay "$work/probe.err"; die "cannot probe the tags of $IMAGE"; }
	relay "$work/probe.err"
fi

# A base tag is an orphan when no alias has its digest (a tag gone since the
# listing, "-", is neither).  Prints the number of base tags and versions.
awk -F '\t' -v image="$IMAGE" -v out="$work/orphans" '
	NR == FNR {
		split($0, f, " ")
		kind[image ":" f[2]] = f[1]
		version[image ":" f[2]] = f[3]
		next
	}
	$2 == "-" { next }
	kind[$1] == "alias" { aliased[$2] = 1; next }
	{ bases[$1] = $2; versions[version[$1]] = 1 }
	END {
		printf "" >out
		for (ref in bases) {
			total++
			if (!(bases[ref] in aliased))
				print ref "\t" bases[ref] >out
		}
		for (v in versions)
			n++
		print total + 0, n + 0
	}' "$work/kinds" "$work/probe" >"$work/counts"

read -r bases nversions <"$work/counts"
LC_ALL=C sort "$work/orphans"
say "$(wc -l <"$work/orphans") of $bases canonical and build tags of $nversions version(s)" \
	"${VERSION:+(VERSION=$VERSION) }have no other tag at their digest in $IMAGE;" \
	"requests: $(requests "$work/tags.err" "$work/probe.err")"
