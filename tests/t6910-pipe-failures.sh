#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# A failing stage fails the run: each command of the pipeline's scripts
# that used to be a member of a pipe (where sh keeps only the last one's
# status) is made to fail, by a stand-in first on PATH that fails when its
# parent runs the script $INJECT_IN (its first argument) and the command
# is $INJECT_TOOL, and runs the real command otherwise; the goal exits
# non-zero and says the command's message.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY

mkdir -p "$TRASH/inject"
real_tr=$(command -v tr) real_sed=$(command -v sed)
for tool in rust-groups arch-filter tag-gen jq sha256sum find sort xargs awk sed \
	image-probe image-alias; do
	real=$(PATH=$SRC/bin:$PATH command -v "$tool")
	cat >"$TRASH/inject/$tool" <<EOF
#!/bin/sh
if [ "$tool" = "\${INJECT_TOOL:-}" ] &&
	[ "\$("$real_tr" '\\0' '\\n' </proc/\$PPID/cmdline | "$real_sed" -n 2p)" = "\${INJECT_IN:-}" ]; then
	echo "$tool: injected failure" >&2
	exit 1
fi
exec "$real" "\$@"
EOF
	chmod +x "$TRASH/inject/$tool"
done
INJECT_PATH=$TRASH/inject:$SRC/bin:$PATH

# fails_with SCRIPT TOOL GOAL [VAR=V...]: GOAL with TOOL failing in SCRIPT,
# from a state of its own unless STATE= is given
fails_with() {
	echo "case: $1 $2 $3"
	INJECT_IN=$1 INJECT_TOOL=$2 &&
	export INJECT_IN INJECT_TOOL &&
	state=$(mktemp -d "$TRASH/state-XXXXXX") &&
	test_status 2 pub "$3" STATE="$state" PATH="$INJECT_PATH" "${@:4}" >out 2>&1 &&
	test_grep "^$2: injected failure" out &&
	test_no_grep "groups published, 0 waiting for their base, 0 failed$" out
}

test_expect_success 'the stand-ins run the real tool elsewhere' '
	INJECT_IN=nothing-runs-this pub matrix PATH="$INJECT_PATH" >matrix.json &&
	test "$(jq ".include | length" matrix.json)" = 2
'

test_expect_success 'report.sh: stamp names, in plan' '
	fails_with mk/report.sh sha256sum plan
'

test_expect_success 'the plan: rust-groups | arch-filter | tag-gen, one pipe' '
	fails_with mk/plan.sh rust-groups matrix &&
	fails_with mk/plan.sh arch-filter matrix &&
	fails_with mk/plan.sh tag-gen matrix &&
	fails_with mk/plan.sh arch-filter publish &&
	fails_with mk/plan.sh tag-gen plan
'

test_expect_success 'the build context hash: find | sort | xargs sha256sum | sha256sum' '
	fails_with mk/context-hash.sh find matrix &&
	fails_with mk/context-hash.sh sort matrix &&
	fails_with mk/context-hash.sh xargs matrix &&
	fails_with mk/context-hash.sh sha256sum matrix
'

test_expect_success 'the groups and their stamps' '
	fails_with mk/groups.sh jq publish &&
	fails_with mk/groups.sh sha256sum publish
'

test_expect_success 'a group: probe, alias, the digest of its tags' '
	standins "$LIBRARY" &&
	pub publish >out 2>&1 &&
	rm -f "$STATE"/stamps/* &&
	fails_with mk/publish-group.sh image-probe publish STATE="$STATE" &&
	fails_with mk/publish-group.sh image-alias publish STATE="$STATE" &&
	fails_with mk/publish-group.sh awk publish STATE="$STATE" &&
	fails_with mk/report.sh awk plan STATE="$STATE" &&
	fails_with mk/report.sh jq plan STATE="$STATE" &&
	test -z "$(ls "$STATE/stamps")"
'

test_expect_success 'orphans: the summary of the requests' '
	for tool in awk; do
		INJECT_IN=mk/orphans.sh INJECT_TOOL=$tool &&
		export INJECT_IN INJECT_TOOL &&
		test_status 2 make -C "$SRC" --no-print-directory orphans STATE="$TRASH/state-orphans" \
			IMAGE="$REGISTRY/cargo-chef" LOCK_WAIT=0 PATH="$INJECT_PATH" >out 2>&1 &&
		test_grep "^$tool: injected failure" out || return 1
	done
'

test_done
