#!/bin/sh
# tests/standin-image.sh: builds a tiny multi-platform image with buildah
# and pushes it, standing in for an official image in tests and `make demo`.
#
#   tests/standin-image.sh REF --platforms P1,P2,... [--format oci|v2s2]
#       [--content TEXT] [--annotate KEY=VALUE]... [--annotate-for P KEY=VALUE]...
#       [--storage DIR] [--authfile FILE]
#
# Each platform's image is FROM scratch + COPY of one file holding TEXT and
# the platform (no emulation needed), built with --timestamp 0: the same TEXT
# gives the same digests, another TEXT other digests.  The images form an OCI
# index (default) or a Docker manifest list (--format v2s2) in the order of
# --platforms; --annotate annotates every platform descriptor, --annotate-for
# only platform P's (a Docker manifest list has no annotations: they are
# dropped).  Pushes to REF (plain HTTP / no TLS check for loopback hosts;
# --authfile for a registry that wants credentials) and prints the pushed
# digest.  buildah's storage is DIR (kept) or a temporary directory (removed).
set -eu
# (for loopback: the pipeline's one rule)
# shellcheck source=mk/lib.sh
. "$(dirname "$0")/../mk/lib.sh"

me=tests/standin-image.sh
die() { echo "$me: $*" >&2; exit 1; }
usage() {
	[ $# -eq 0 ] || echo "$me: $*" >&2
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
ref=$1
shift
platforms='' format=oci content=standin storage='' authfile=''
annotations=$(mktemp "${TMPDIR:-/tmp}/standin-annot.XXXXXX")
work=''
cleanup() {
	rm -f "$annotations"
	[ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

check_kv() {
	case $1 in
	[A-Za-z0-9]*=*) ;;
	*) usage "bad annotation '$1' (want KEY=VALUE)" ;;
	esac
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage "$1 needs a value"
	case $1 in
	--platforms) platforms=$2 ;;
	--format) format=$2 ;;
	--content) content=$2 ;;
	--storage) storage=$2 ;;
	--authfile) authfile=$2 ;;
	--annotate)
		check_kv "$2"
		printf '*\t%s\n' "$2" >>"$annotations" ;;
	--annotate-for)
		[ $# -ge 3 ] || usage "--annotate-for needs PLATFORM KEY=VALUE"
		check_kv "$3"
		printf '%s\t%s\n' "$2" "$3" >>"$annotations"
		shift ;;
	*) usage "unknown option $1" ;;
	esac
	shift 2
done

[ -n "$platforms" ] || usage "--platforms is required"
case $format in
oci) build_format=oci ;;
v2s2) build_format=docker ;;
*) usage "--format is oci or v2s2" ;;
esac
# REF: [host[:port]/]name:tag, validated before it reaches buildah
echo "$ref" | grep -Eq '^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' ||
	usage "bad reference '$ref' (want [host[:port]/]name:tag)"
tls=--tls-verify=true
! loopback "$ref" || tls=--tls-verify=false

work=$(mktemp -d "${TMPDIR:-/tmp}/standin.XXXXXX")
if [ -z "$storage" ]; then
	storage=$work/storage
fi
mkdir -p "$storage"
list=standin-$$-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')

b() {
	buildah --root "$storage/root" --runroot "$storage/runroot" \
		--storage-driver vfs "$@"
}

# shellcheck disable=SC2016 # ${TARGETPLATFORM} is buildah's, not ours
printf 'FROM scratch\nARG TARGETPLATFORM\nCOPY ${TARGETPLATFORM}/content /content\n' \
	>"$work/Containerfile"
# one build per platform, in the order given, so the index is in that order
IFS=,
for p in $platforms; do
	unset IFS
	echo "$p" | grep -Eq '^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$' ||
		usage "bad platform '$p' (want os/arch[/variant])"
	mkdir -p "$work/$p"
	printf '%s\n%s\n' "$content" "$p" >"$work/$p/content"
	b bud --quiet --isolation chroot --timestamp 0 --format "$build_format" \
		--platform "$p" --manifest "$list" -f "$work/Containerfile" "$work" \
		>/dev/null || die "build for $p failed"
done
unset IFS

drop_list() {
	b manifest rm "$list" >/dev/null 2>&1 || :
	b rmi --prune >/dev/null 2>&1 || :
}

# annotate: the descriptors of the list, matched to their platform
if [ -s "$annotations" ]; then
	b manifest inspect "$list" >"$work/list.json" || { drop_list; die "cannot inspect the list"; }
	jq -r '.manifests[] | [.digest, .platform.os + "/" + .platform.architecture
			+ (if .platform.variant then "/" + .platform.variant else "" end)] | @tsv' \
		"$work/list.json" >"$work/descriptors" || { drop_list; die "cannot inspect the list"; }
	while IFS="$(printf '\t')" read -r digest p; do
		set --
		while IFS="$(printf '\t')" read -r which kv; do
			if [ "$which" = '*' ] || [ "$which" = "$p" ]; then
				set -- "$@" --annotation "$kv"
			fi
		done <"$annotations"
		[ $# -eq 0 ] || b manifest annotate "$@" "$list" "$digest" >/dev/null ||
			{ drop_list; die "cannot annotate $p"; }
	done <"$work/descriptors"
fi

set -- --all --quiet --format "$format" --digestfile "$work/digest" "$tls"
[ -z "$authfile" ] || set -- "$@" --authfile "$authfile"
if ! b manifest push "$@" "$list" "docker://$ref" >"$work/push.log" 2>&1; then
	cat "$work/push.log" >&2
	drop_list
	die "push to $ref failed"
fi
drop_list
cat "$work/digest"
echo
