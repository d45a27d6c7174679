#!/bin/sh
# tests/standin-image.sh: writes a tiny multi-platform image by hand and
# pushes it with skopeo, standing in for an official image in tests and
# `make demo`.
#
#   tests/standin-image.sh REF --platforms P1,P2,... [--format oci|v2s2]
#       [--content TEXT] [--annotate KEY=VALUE]... [--annotate-for P KEY=VALUE]...
#       [--authfile FILE]
#
# Each platform's image is one layer holding one file, /content, with TEXT
# and the platform (no emulation needed), a config naming the platform and
# that layer, and its manifest; the layer's tar carries no time, owner or
# name of this machine and no tool writes its version anywhere: the same
# TEXT gives the same digests, another TEXT other digests.  The images form
# an OCI index (default) or a Docker manifest list of Docker schema 2
# images (--format v2s2) in the order of --platforms; --annotate annotates
# every platform descriptor, --annotate-for only platform P's (a Docker
# manifest list has no annotations: they are dropped).  One `skopeo copy`
# pushes it to REF (plain HTTP / no TLS check for loopback hosts;
# --authfile for a registry that wants credentials), gzipping the layers,
# and prints the pushed digest.  No container storage is used: nothing is
# left behind.
#
# skopeo gzips, not gzip(1): buildah, pushing an image built FROM a
# stand-in to a registry that lacks its layer (a mirror), gzips the layer
# again with the same code (containers/image) and must get the same bytes,
# or the mirror's image gets other digests than IMAGE's.
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
platforms='' format=oci content=standin authfile=''
work=$(mktemp -d "${TMPDIR:-/tmp}/standin.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
# one line per annotation: the platform it is for ('*': every one) TAB KEY=VALUE
annotations=$work/annotations
: >"$annotations"

nl='
'
check_kv() {
	case $1 in
	*"$nl"*) usage "bad annotation '$1' (a newline)" ;;
	[A-Za-z0-9]*=*) ;;
	*) usage "bad annotation '$1' (want KEY=VALUE)" ;;
	esac
}
# (a case, not a grep: no process per platform)
check_platform() {
	case $1 in
	'' | *[!a-z0-9/]* | /* | */ | *//* | */*/*/*) ;;
	*/*) return 0 ;;
	esac
	usage "bad platform '$1' (want os/arch[/variant])"
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage "$1 needs a value"
	case $1 in
	--platforms) platforms=$2 ;;
	--format) format=$2 ;;
	--content) content=$2 ;;
	--authfile) authfile=$2 ;;
	--annotate)
		check_kv "$2"
		printf '*\t%s\n' "$2" >>"$annotations" ;;
	--annotate-for)
		[ $# -ge 3 ] || usage "--annotate-for needs PLATFORM KEY=VALUE"
		check_platform "$2"
		check_kv "$3"
		printf '%s\t%s\n' "$2" "$3" >>"$annotations"
		shift ;;
	*) usage "unknown option $1" ;;
	esac
	shift 2
done

[ -n "$platforms" ] || usage "--platforms is required"
case $format in
oci)
	index_type=application/vnd.oci.image.index.v1+json
	manifest_type=application/vnd.oci.image.manifest.v1+json
	config_type=application/vnd.oci.image.config.v1+json
	layer_type=application/vnd.oci.image.layer.v1.tar ;;
v2s2)
	index_type=application/vnd.docker.distribution.manifest.list.v2+json
	manifest_type=application/vnd.docker.distribution.manifest.v2+json
	config_type=application/vnd.docker.container.image.v1+json
	layer_type=application/vnd.docker.image.rootfs.diff.tar ;;
*) usage "--format is oci or v2s2" ;;
esac
# REF: [host[:port]/]name:tag, validated before it reaches skopeo
echo "$ref" | grep -Eq '^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' ||
	usage "bad reference '$ref' (want [host[:port]/]name:tag)"
[ -z "$authfile" ] || [ -f "$authfile" ] || usage "no such --authfile '$authfile'"
# the platforms, one a line, each checked (-f: a field is never a glob)
set -f
IFS=,
for p in $platforms; do
	check_platform "$p"
	printf '%s\n' "$p"
done >"$work/platforms"
unset IFS
set +f
[ -s "$work/platforms" ] || usage "no platform in --platforms '$platforms'"

layout=$work/layout
blobs=$layout/blobs/sha256
mkdir -p "$blobs"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

# blob LIST FILE...: moves each FILE into the layout under its digest and
# writes LIST: a line "sha256:DIGEST SIZE" per FILE, in their order
blob() {
	list=$1
	shift
	sha256sum "$@" >"$work/sums" || die "cannot digest $*"
	wc -c "$@" >"$work/sizes" || die "cannot size $*"
	: >"$list"
	# (wc's last line, its total, is never read)
	while read -r sum file <&3 && read -r size _ <&4; do
		mv "$file" "$blobs/$sum" || die "cannot store $file"
		echo "sha256:$sum $size" >>"$list"
	done 3<"$work/sums" 4<"$work/sizes"
}

# the layers, one per platform, numbered in order (%03d: globs keep it): a
# tar of the file content, its digest the config's diff_id (skopeo gzips it)
i=0
while read -r p; do
	i=$((i + 1))
	k=$(printf %03d "$i")
	mkdir "$work/$k"
	printf '%s\n%s\n' "$content" "$p" >"$work/$k/content"
	tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--mode=0644 -cf "$work/$k.layer" -C "$work/$k" content || die "cannot tar the layer of $p"
done <"$work/platforms"
blob "$work/layers" "$work"/*.layer

# the configs: the platform and the layer's diff_id (no label or version of
# any tool)
i=0
while read -r diff_id _ <&3 && read -r p <&4; do
	i=$((i + 1))
	os=${p%%/*} arch=${p#*/} variant=''
	case $arch in */*) variant=,\"variant\":\"${arch#*/}\" arch=${arch%%/*} ;; esac
	printf '{"architecture":"%s","os":"%s"%s,"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"COPY content /content"}]}' \
		"$arch" "$os" "$variant" "$diff_id" >"$work/$(printf %03d "$i").config"
done 3<"$work/layers" 4<"$work/platforms"
blob "$work/configs" "$work"/*.config

i=0
while read -r config config_size <&3 && read -r layer layer_size <&4; do
	i=$((i + 1))
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%s},"layers":[{"mediaType":"%s","digest":"%s","size":%s}]}' \
		"$manifest_type" "$config_type" "$config" "$config_size" "$layer_type" "$layer" "$layer_size" \
		>"$work/$(printf %03d "$i").manifest"
done 3<"$work/configs" 4<"$work/layers"
blob "$work/manifests" "$work"/*.manifest

# the index, in the order of --platforms, each descriptor with its
# annotations (jq quotes their values, any text, as JSON)
jq -cnj --arg index_type "$index_type" --arg manifest_type "$manifest_type" \
	--arg format "$format" --rawfile platforms "$work/platforms" \
	--rawfile manifests "$work/manifests" --rawfile annotations "$annotations" '
	def lines: split("\n") | map(select(. != ""));
	($annotations | lines | map(index("\t") as $t | {which: .[:$t], kv: .[$t + 1:]})) as $a |
	($manifests | lines | map(split(" "))) as $m |
	{schemaVersion: 2, mediaType: $index_type,
	 manifests: [$platforms | lines | to_entries[] | .key as $i | .value as $p |
		($p | split("/")) as $parts |
		([$a[] | select(.which == "*" or .which == $p) | .kv | index("=") as $e |
			{key: .[:$e], value: .[$e + 1:]}] | from_entries) as $annotations |
		{mediaType: $manifest_type, digest: $m[$i][0], size: ($m[$i][1] | tonumber)} +
		(if $format == "oci" and ($annotations | length) > 0
		 then {annotations: $annotations} else {} end) +
		{platform: ({architecture: $parts[1], os: $parts[0]} +
			(if $parts[2] then {variant: $parts[2]} else {} end))}]}' \
	>"$work/index" || die "cannot write the index"
blob "$work/pushed" "$work/index"
read -r index index_size <"$work/pushed"
# skopeo copies the one image index.json names: our index
printf '{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%s}]}' \
	"$index_type" "$index" "$index_size" >"$layout/index.json"

set -- --all --dest-compress-format gzip --quiet --digestfile "$work/digest"
! loopback "$ref" || set -- "$@" --dest-tls-verify=false
[ -z "$authfile" ] || set -- "$@" --dest-authfile "$authfile"
if ! skopeo copy "$@" "oci:$layout" "docker://$ref" >"$work/push.log" 2>&1; then
	cat "$work/push.log" >&2
	die "push to $ref failed"
fi
# the index skopeo pushed: ours with the layers' new digests and sizes
pushed=$(cat "$work/digest")
echo "$pushed" | grep -Eqx 'sha256:[0-9a-f]{64}' || die "no digest pushed to $ref"
echo "$pushed"
