#!/bin/sh
# mk/clean-state.sh: removes what the pipeline keeps in STATE (stamps, plan,
# inputs, the embedded registry's data), taking the lock first so that no run
# is in progress, and stopping the registries it runs (the embedded one,
# make demo's).  A .keep file (a committed placeholder) stays.
set -eu
me=clean
. mk/lib.sh

[ -d "$STATE" ] || exit 0
exec 9>>"$STATE/lock"
flock -n 9 || die "$STATE is in use by another run"
find "$STATE" -path '*/registry/pid' -type f | while IFS= read -r pid; do
	mk/registry.sh stop "${pid%/pid}"
done
for f in "$STATE"/* "$STATE"/.[!.]*; do
	[ -e "$f" ] || continue
	case ${f##*/} in .keep | lock) continue ;; esac
	rm -rf -- "$f"
done
rm -f "$STATE/lock"
