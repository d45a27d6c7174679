#!/bin/sh
# mk/context-hash.sh OUT: the SHA-256 of the build context (CONTEXT: every
# file's path and content, the Dockerfile included), rewritten only when it
# changes.  A changed Dockerfile changes the stamps: every group is redone.
set -eu
me=context
. mk/lib.sh

out=$1
[ -f "$CONTEXT/Dockerfile" ] || die "CONTEXT=$CONTEXT has no Dockerfile"
tmp=$(tmpfile "$out")
trap 'remove "$tmp"' EXIT
(cd "$CONTEXT" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum --) |
	sha256sum | cut -d' ' -f1 >"$tmp"
replace_if_changed "$tmp" "$out"
