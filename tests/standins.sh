#!/bin/sh
# tests/standins.sh FILE REPO PLATFORMS [--stale P] [--missing]
#                   [--authfile FILE]
# A stand-in base per group of the library file FILE, for the tests and
# `make demo`: REPO:<representative tag>, built for the group's platforms
# among PLATFORMS, its content naming the tag and the group, each
# platform's descriptor annotated with the group's commit (as the official
# images are) -- for platform P (--stale P) an older commit, so that P's
# base is stale.  --missing: only the tags REPO does not have yet (a rerun
# of make demo builds none).  --authfile is passed on to
# tests/standin-image.sh.  Needs bin/ on PATH.
set -eu
me=tests/standins.sh
die() { echo "$me: $*" >&2; exit 1; }

[ $# -ge 3 ] || { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0" >&2; exit 2; }
file=$1 repo=$2 platforms=$3
shift 3
stale='' missing='' authfile=''
while [ $# -gt 0 ]; do
	case $1 in
	--missing) missing=1; shift; continue ;;
	--stale | --authfile) [ $# -ge 2 ] || die "$1 needs a value" ;;
	*) die "unknown option $1" ;;
	esac
	case $1 in
	--stale) stale=$2 ;;
	--authfile) authfile=$2 ;;
	esac
	shift 2
done
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/standins.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
# one file per step, not a pipe: sh keeps only the last member's status
rust-groups "$file" >"$work/groups"
arch-filter --allow "$platforms" "$work/groups" >"$work/platforms"
jq -r '[.representative_rust_tag, (.platforms | join(",")), .group_key] | @tsv' \
	"$work/platforms" >"$work/tsv"
tab=$(printf '\t')
while IFS=$tab read -r tag plats key; do
	ref=$repo:$tag
	if [ -n "$missing" ]; then
		probe=$(image-probe "$ref" 2>/dev/null </dev/null) || die "cannot probe $ref"
		[ "${probe##*"$tab"}" = - ] || continue
	fi
	commit=${key%%:*}
	annotations=$work/annotations
	: >"$annotations"
	IFS=,
	for p in $plats; do
		c=$commit
		[ "$p" != "$stale" ] || c=0000000000000000000000000000000000000000
		printf '%s\n' "$p" "org.opencontainers.image.revision=$c" >>"$annotations"
	done
	unset IFS
	set -- --platforms "$plats" --content "rust:$tag at $key"
	[ -z "$authfile" ] || set -- "$@" --authfile "$authfile"
	while read -r p && read -r kv; do
		set -- "$@" --annotate-for "$p" "$kv"
	done <"$annotations"
	"$here/standin-image.sh" "$ref" "$@" >/dev/null </dev/null ||
		die "cannot push the stand-in $ref"
done <"$work/tsv"
