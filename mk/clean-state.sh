#!/bin/sh
# mk/clean-state.sh [--mark]: removes what the pipeline keeps in STATE (stamps,
# plan, inputs, the embedded registry's data), taking the lock first so that
# no run is in progress, and stopping the registries it runs (the embedded
# one, make demo's).  Only a directory the pipeline marked as its own (the
# file .chef-publish-state, which every run and registry-up write) is
# cleaned, and in it only the names the pipeline writes: anything else
# stays, and is named.  An unmarked directory is refused, unless it holds
# nothing or only the committed placeholder .keep.
#   --mark   marks STATE as the pipeline's (creating it): what runs call.
set -eu
me=clean
. mk/lib.sh

marker=.chef-publish-state

# written NAME: NAME is one the pipeline writes in a state directory
written() {
	case $1 in
	version | library | library.etag | library.modified | settings | context | \
		plan.jsonl | plan.jsonl.done | groups.mk | groups.mk.done | stamps | status | \
		logs | registry | buildah | platforms | previous | bases | verdicts | lock | lock.holder | *.tmp.* | \
		mirrors | mirror-stamps | demo | cargo-chef.git | standin | .keep | "$marker") return 0 ;;
	esac
	return 1
}

# foreign DIR: the first entry of DIR the pipeline does not write, if any
foreign() {
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || continue
		written "${f##*/}" || { printf '%s\n' "${f##*/}"; return 0; }
	done
}

if [ "${1:-}" = --mark ]; then
	# a directory of other files is not taken over: a run would overwrite
	# them, and clean would remove them
	mkdir -p -- "$STATE"
	[ ! -f "$STATE/$marker" ] || exit 0
	other=$(foreign "$STATE")
	[ -z "$other" ] ||
		die "STATE=$STATE holds files the pipeline did not write (${other}): give a new or empty directory"
	echo "chef-publish state: make clean removes what the pipeline wrote here" >"$STATE/$marker"
	exit 0
fi

# clean DIR: cleans one marked state directory (make demo's is one, inside).
clean() {
	dir=$1
	if [ ! -f "$dir/$marker" ]; then
		for f in "$dir"/* "$dir"/.[!.]*; do
			[ -e "$f" ] || continue
			[ "${f##*/}" = .keep ] && continue
			die "STATE=$dir is not a state of the pipeline (no $marker in it): nothing removed"
		done
		return 0
	fi
	exec 9>>"$dir/lock"
	flock -n 9 || die "$dir is in use by another run"
	[ ! -f "$dir/registry/pid" ] || mk/registry.sh stop "$dir/registry"
	if [ -f "$dir/demo/$marker" ]; then
		(clean "$dir/demo")
		rmdir "$dir/demo" 2>/dev/null || :
	fi
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		.keep | lock | "$marker") ;;
		*)
			if [ "${f##*/}" != demo ] && written "${f##*/}"; then
				rm -rf -- "$f"
			else
				say "left $f: the pipeline did not write it"
			fi ;;
		esac
	done
	rm -f -- "$dir/lock" "$dir/$marker"
}

[ -d "$STATE" ] || exit 0
clean "$STATE"
