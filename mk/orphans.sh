#!/bin/sh
# mk/orphans.sh [IMAGE=REPO]: `make orphans`, run under the lock of $STATE by
# mk/locked.sh (which passes IMAGE=<embedded registry>/cargo-chef when IMAGE
# is empty).  Prints "IMAGE:TAG<TAB>DIGEST", sorted, for each canonical tag
# (<ver>-base-<16 hex>) and build tag (<ver>-base-<16 hex>.<8 hex>) of
# VERSION (empty: of every version that has one) whose digest no other tag
# of IMAGE has: images that no alias leads to any more.  Deletes nothing.
#
# Reads only: one tag listing (image-tags), then one HEAD (image-probe) for
# each tag of the versions looked at (those beginning "<ver>-") and each
# tag of no version (latest, latest-rust-*: they may point at any version's
# image); the tags of other versions are not asked about.  No manifest GET.
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

work=$(mktemp -d "${TMPDIR:-/tmp}/orphans.XXXXXX")
trap 'rm -rf "$work"' EXIT

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

# Each tag's kind and version: "base TAG VERSION" for canonical and build
# tags, "alias TAG VERSION" for the other tags of a version looked at,
# "alias TAG -" for a tag of no version; the other versions' tags are left
# out.  A version is what precedes "-base-" in a base tag; another tag is a
# version's when it begins with that version and "-" (the longest such).
awk -v want="${VERSION:-}" '
	function version_of(tag,   v, best) {
		best = ""
		for (v in versions)
			if (index(tag, v "-") == 1 && length(v) > length(best))
				best = v
		return best
	}
	BEGIN {
		h = "[0-9a-f]"
		h8 = h h h h h h h h
		suffix = "-base-" h8 h8 "([.]" h8 ")?$"
		base_re = "^[0-9]+[.][0-9]+[.][0-9]+(-[0-9A-Za-z.-]+)?" suffix
		if (want != "")
			versions[want] = 1
	}
	{ tags[NR] = $0 }
	$0 ~ base_re {
		v = $0
		sub(suffix, "", v)
		base[NR] = v
		if (want == "")
			versions[v] = 1
	}
	END {
		for (i = 1; i <= NR; i++) {
			t = tags[i]
			if (i in base) {
				if (base[i] in versions)
					print "base", t, base[i]
			} else if ((v = version_of(t)) != "") {
				print "alias", t, v
			} else if (t !~ /^[0-9]+[.][0-9]+[.][0-9]+/) {
				print "alias", t, "-"
			}
		}
	}' "$work/tags" >"$work/kinds"

awk -v image="$IMAGE" '{ print image ":" $2 }' "$work/kinds" >"$work/refs"
: >"$work/probe"
: >"$work/probe.err"
# no canonical or build tag to look at: nothing to ask
if grep -q '^base ' "$work/kinds"; then
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
