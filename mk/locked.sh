#!/bin/sh
# mk/locked.sh MAKE ARGS...: runs the pipeline's inner make holding the lock
# $STATE/lock (flock), so that two runs on one state never interleave: the
# second waits up to LOCK_WAIT seconds, saying for whom, or refuses at once
# when LOCK_WAIT=0.  With IMAGE empty it starts the embedded registry and
# publishes to it.  At the end it names the groups that failed or wait, and
# after publish or repair says in one line how many were published, wait,
# failed (mk/report.sh summary).
set -eu
me=pipeline
. mk/lib.sh

# every knob, before anything is asked of anyone
mk/check-knobs.sh "$@"
# STATE is the pipeline's: make clean may remove what it writes there
mk/clean-state.sh --mark
exec 9>>"$STATE/lock"
if ! flock -n 9; then
	# the holder may not have said who it is yet
	holder=$(cat "$STATE/lock.holder" 2>/dev/null) || :
	[ -n "$holder" ] || holder="another run"
	case $LOCK_WAIT in
	0) die "$STATE is in use by $holder; not waiting (LOCK_WAIT=0)" ;;
	esac
	say "$STATE is in use by $holder; waiting up to ${LOCK_WAIT}s"
	flock -w "$LOCK_WAIT" 9 || die "$STATE is still in use after ${LOCK_WAIT}s"
fi
tmp=$(tmpfile "$STATE/lock.holder")
echo "pid $$ since $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp"
mv -f "$tmp" "$STATE/lock.holder"
# the last run's statuses, and what a run killed before its own cleanup
# left: build storage (the next build of that group would remove it, but a
# group done meanwhile is not built again) and temporary files; nobody else
# uses them under the lock
for f in "$STATE/status" "$STATE/buildah" "$STATE"/*.tmp.* "$STATE"/stamps/*.tmp.*; do
	if [ -e "$f" ]; then
		rm -rf -- "$STATE/status" "$STATE/buildah" "$STATE"/*.tmp.* "$STATE"/stamps/*.tmp.*
		break
	fi
done

if [ -z "$IMAGE" ]; then
	# the registry outlives this run: it must not inherit the lock
	addr=$(mk/registry.sh start "$STATE/registry" 9>&-) ||
		die "cannot start the embedded registry (see $STATE/registry/log)"
	IMAGE=$addr/cargo-chef
	export IMAGE
	set -- "$@" "IMAGE=$IMAGE"
fi

status=0
"$@" || status=$?

if [ -d "$STATE/status" ]; then
	for f in "$STATE"/status/*; do
		[ -e "$f" ] || continue
		case $(cat "$f") in
		waiting:*) say "group ${f##*/} $(cat "$f")" ;;
		failed:*) say "group ${f##*/} FAILED: $(sed 's/^failed: //' "$f")" ;;
		esac
	done
fi
mk/gha.sh report "$@" || status=1 # gha: annotations and the step summary
# the last line of a publish: published, waiting, failed; after a failure
# in a stage before the groups there is nothing to count (no status)
for goal; do
	case $goal in
	publish | repair)
		if [ $status -eq 0 ] || [ -d "$STATE/status" ]; then
			mk/report.sh summary || :
		fi
		break ;;
	esac
done
exit $status
