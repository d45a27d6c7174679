#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# make clean removes only what the pipeline wrote: a directory it did not
# mark as its state is refused whole, and in its own state a file it did
# not write stays.  A run does not take over a directory of other files.
# (make clean-state: the part of make clean that is about STATE; make clean
# also removes the build, which the other tests use.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

test_expect_success 'make clean STATE=a directory of a user: refused, nothing removed' '
	mkdir -p mine/sub &&
	echo precious >mine/notes.txt && echo precious >mine/sub/x && echo v1 >mine/version &&
	(cd mine && find . | sort) >before &&
	test_status 2 make -C "$SRC" --no-print-directory clean-state STATE="$TRASH/mine" >out 2>&1 &&
	test_grep "^clean: error: STATE=$TRASH/mine is not a state of the pipeline" out &&
	(cd mine && find . | sort) >after &&
	test_cmp before after
'

test_expect_success 'a run does not take over a directory of other files' '
	test_status 2 pub plan STATE="$TRASH/mine" >out 2>&1 &&
	test_grep "STATE=$TRASH/mine holds files the pipeline did not write" out &&
	test_cmp mine/version - <<-\IN
	v1
	IN
'

test_expect_success 'in its own state, clean removes what it wrote and leaves the rest' '
	pub plan >out 2>&1 &&
	test -f "$STATE/plan.jsonl" &&
	echo mine >"$STATE/notes.txt" &&
	make -C "$SRC" --no-print-directory clean-state STATE="$STATE" >out 2>&1 &&
	test_grep "left $STATE/notes.txt: the pipeline did not write it" out &&
	ls -A "$STATE" >left &&
	echo notes.txt >expect &&
	test_cmp expect left
'

test_expect_success 'an empty or new STATE: clean has nothing to do' '
	mkdir -p empty && touch empty/.keep &&
	make -C "$SRC" --no-print-directory clean-state STATE="$TRASH/empty" &&
	test -f empty/.keep &&
	make -C "$SRC" --no-print-directory clean-state STATE="$TRASH/nowhere" &&
	test ! -e nowhere
'

test_done
