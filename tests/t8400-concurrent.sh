#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Two `make publish` on one state directory, started together: with
# LOCK_WAIT>0 one waits for the other, saying for whom, then finds the work
# done; with LOCK_WAIT=0 one refuses at once with a clear message and exit
# 2; a run that cannot get the lock within LOCK_WAIT gives up.  Each time
# the state stays whole, and no group is built twice (the registry's access
# log: one PUT of each canonical tag).  Revision 005 of library/rust: 2
# groups.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

small_platforms
pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY
KEYS="55e478c699c5726a 96dc6d1355174f7a"
# who holds the lock, as the run that waits names it (a holder that just
# got the lock may not have said who it is yet)
HOLDER="(pid [0-9]+ since [0-9T:-]+Z|another run)"
export KEYS HOLDER

# together [VAR=V]...: two publishes started at once, with these knobs;
# their outputs in out.1 and out.2, their exit statuses in status.1/2.
together() {
	pub publish "$@" >out.1 2>&1 &
	one=$!
	pub publish "$@" >out.2 2>&1 &
	two=$!
	s=0 && wait "$one" || s=$?
	echo "$s" >status.1
	s=0 && wait "$two" || s=$?
	echo "$s" >status.2
	echo "exit statuses: $(cat status.1) $(cat status.2)"
}

# the_one RE: the number (1 or 2) of the only output that matches RE.
the_one() {
	n=$(grep -El -e "$1" out.1 out.2 | sed 's/^out\.//')
	case $n in
	1 | 2) echo "$n" ;;
	*) echo "want exactly one output matching /$1/, got: '$n'" >&2; return 1 ;;
	esac
}

# built_once VERSION: each group's canonical tag was pushed once since the
# mark (a second build would push it again).
built_once() {
	for key in $KEYS; do
		n=$(registry_count_since PUT "^/v2/cargo-chef/manifests/$1-base-$key\$" '^201$')
		[ "$n" = 1 ] || { echo "$1-base-$key pushed $n times"; return 1; }
	done
}

test_expect_success 'LOCK_WAIT>0: one waits for the other, naming it; built once' '
	standins "$LIBRARY" &&
	registry_mark &&
	together LOCK_WAIT=600 &&
	test "$(cat status.1) $(cat status.2)" = "0 0" &&
	waiter=$(the_one "is in use by $HOLDER; waiting up to 600s\$") &&
	test_grep "2 of 2 groups published" "out.$((3 - waiter))" &&
	test_no_grep "building" "out.$waiter" &&
	built_once 0.1.77 &&
	test "$(builds)" = 2 &&
	tags_at_canonical &&
	state_whole &&
	stamps_true
'

test_expect_success 'LOCK_WAIT=0: one refuses at once, clearly; the other publishes, once' '
	release v0.1.78 &&
	registry_mark &&
	together LOCK_WAIT=0 &&
	refused=$(the_one "is in use by $HOLDER; not waiting \\(LOCK_WAIT=0\\)\$") &&
	test "$(cat "status.$refused")" = 2 &&
	test "$(cat "status.$((3 - refused))")" = 0 &&
	test_no_grep "building|image-" "out.$refused" &&
	built_once 0.1.78 &&
	test "$(builds)" = 2 &&
	tags_at_canonical &&
	state_whole &&
	stamps_true
'

# (the holder holds the lock until the run has given up, however long the
# run takes on a loaded machine: no bound on seconds but LOCK_WAIT's own)
test_expect_success 'a run that cannot get the lock within LOCK_WAIT gives up, state untouched' '
	release v0.1.79 &&
	cat "$STATE/version" "$STATE/plan.jsonl" "$STATE/groups.mk" >state.before &&
	ls "$STATE/stamps" >>state.before &&
	registry_mark &&
	: >holding &&
	{ flock "$STATE/lock" sh -c "echo held >held; i=0; while [ -e holding ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done" & } &&
	holder=$! &&
	for i in $(seq 300); do [ ! -e held ] || break; sleep 0.1; done &&
	test -e held &&
	start=$(ms) &&
	test_status 2 pub publish LOCK_WAIT=1 >out 2>&1 &&
	elapsed=$(($(ms) - start)) &&
	rm holding &&
	wait "$holder" &&
	test_grep "waiting up to 1s\$" out &&
	test_grep "is still in use after 1s\$" out &&
	echo "gave up after $elapsed ms" &&
	test "$elapsed" -ge 1000 &&
	cat "$STATE/version" "$STATE/plan.jsonl" "$STATE/groups.mk" >state.after &&
	ls "$STATE/stamps" >>state.after &&
	test_cmp state.before state.after &&
	test "$(registry_count_since "*")" = 0
'

test_done
