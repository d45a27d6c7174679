#!/bin/sh
# mk/demo.sh: `make demo`.  The whole pipeline on this machine, no network,
# no account: the newest library/rust revision of the corpus, small stand-in
# base images (annotated with their revision, like the official ones; made
# by the tests' tests/standins.sh) in the embedded registry, cargo-chef's versions from a local git repository of
# tags, BUILDER=buildah and the test build context.  Runs `make publish`,
# then again (nothing to do, no request), then `make verify`.
# State in DEMO_STATE (default $STATE/demo), kept for `make plan` and friends:
# every make command it runs is printed, to be repeated by hand.  Its
# registry keeps running: the last lines say where and how to stop it.
set -eu
me=demo
. mk/lib.sh

: "${MAKE:=make}"
demo=${DEMO_STATE:-$STATE/demo}
platforms=${DEMO_PLATFORMS:-linux/amd64,linux/arm64}
library=
for f in tests/corpus/rust/[0-9]*-*.txt; do library=$f; done
[ -n "$library" ] || die "no library/rust revision in tests/corpus/rust"

# $STATE holds the demo's state: it is the pipeline's (make clean cleans both)
[ -n "${DEMO_STATE:-}" ] || mk/clean-state.sh --mark
STATE=$demo mk/clean-state.sh --mark
registry=$(mk/registry.sh start "$demo/registry")
base_repo=$registry/rust

# cargo-chef's releases: a local repository of tags
tags=$demo/cargo-chef.git
if [ ! -d "$tags" ]; then
	git init -q "$tags"
	git -C "$tags" -c user.name=demo -c user.email=demo@localhost \
		commit -q --allow-empty -m 'cargo-chef releases (stand-in)'
	git -C "$tags" tag v0.1.76
	git -C "$tags" tag v0.1.77
fi

# the stand-in bases: one per group, for its platforms, with its revision
# (the tests' own, from tests/: mk/ holds only what a real run uses)
say "stand-in bases for $library in $base_repo"
tests/standins.sh "$library" "$base_repo" "$platforms" --missing

set -- STATE="$demo" IMAGE= LIBRARY="$library" TAGS_FROM="$tags" \
	BASE_REPO="$base_repo" PLATFORMS="$platforms" BUILDER=buildah CONTEXT=tests/context
step() {
	echo >&2
	say "$MAKE $*"
	"$MAKE" --no-print-directory "$@"
}
step publish "$@"
mk/registry.sh log-mark "$demo/registry"
step publish "$@"
say "the rerun sent $(mk/registry.sh count-since "$demo/registry" '*') requests to the registry"
step verify "$@"
echo >&2
say "its registry is still running, at $registry (data in $demo/registry):"
say "  bin/image-probe $registry/cargo-chef:latest     # or make plan with the knobs above"
say "  make registry-down STATE=$demo                  # stops it"
