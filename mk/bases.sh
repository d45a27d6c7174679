#!/bin/sh
# mk/bases.sh OUT: the bases stage.  With REFRESH_BASE=1, the digest of each
# group's base index (BASE_REPO:<representative tag>), HEADed (free under
# the rate limits) on every run: "BASE<TAB>DIGEST" a line, or "-" for a
# base that does not exist.  A group's stamp holds its base's digest then
# (stamp_name, mk/lib.sh), so a base re-pushed under the same commit redoes
# the group, and mk/decide.sh rebuilds it once.  Without REFRESH_BASE, OUT
# is empty and nothing is sent.  Rewritten only when it changes.
set -eu
me=bases
. mk/lib.sh

out=$1
stage_begin "$out"
: >"$tmp"
if [ "${REFRESH_BASE:-}" = 1 ] && [ -s "$STATE/plan.jsonl" ]; then
	jq -r .base "$STATE/plan.jsonl" >"$tmp.refs"
	image-probe <"$tmp.refs" >"$tmp" || die "cannot probe the bases (REFRESH_BASE=1)"
fi
stage_end
