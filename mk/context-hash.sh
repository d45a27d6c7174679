#!/bin/sh
# mk/context-hash.sh OUT: the SHA-256 of the build context (CONTEXT: every
# file's path and content, the Dockerfile included), rewritten only when it
# changes.  A changed Dockerfile changes the stamps: every group is redone.
set -eu
me=context
. mk/lib.sh

out=$1
[ -f "$CONTEXT/Dockerfile" ] || die "CONTEXT=$CONTEXT has no Dockerfile"
stage_begin "$out"
# one file per step, not a pipe: sh keeps only the last member's status
(cd "$CONTEXT" && find . -type f -print0) >"$tmp.files"
LC_ALL=C sort -z "$tmp.files" >"$tmp.sorted"
(cd "$CONTEXT" && xargs -0 sha256sum --) <"$tmp.sorted" >"$tmp.sums"
sum=$(sha256sum <"$tmp.sums")
printf '%s\n' "${sum%% *}" >"$tmp"
stage_end
