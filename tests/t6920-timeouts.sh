#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Every network step is bounded: a server on loopback that accepts and never
# answers, as TAGS_FROM, as LIBRARY and as IMAGE's registry, fails the run
# within its knob's bound (TAGS_TIMEOUT, LIBRARY_TIMEOUT, REGISTRY_DEADLINE)
# with a message that names the step.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

cat >"$TRASH/handler.py" <<'PY'
import time
from http.server import BaseHTTPRequestHandler

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def silent(self):
        time.sleep(60)
    do_GET = do_HEAD = do_POST = silent
    def log_message(self, *args):
        pass
PY
SILENT=$(start_python silent scripted-server.py --handler "$TRASH/handler.py" --lifetime 120)
export SILENT

# bounded SECONDS GOAL [VAR=V...]: the goal fails within SECONDS
bounded() {
	limit=$1
	shift
	start=$(ms) &&
	test_status 2 timeout 60 make -C "$SRC" --no-print-directory "$@" STATE="$STATE" \
		IMAGE="$REGISTRY/cargo-chef" TAGS_FROM="$TAGS" BASE_REPO="$REGISTRY/rust" \
		BUILDER=buildah CONTEXT=tests/context LOCK_WAIT=0 "${@:2}" >out 2>&1 &&
	took=$(($(ms) - start)) &&
	echo "took $took ms" &&
	test "$took" -lt $((limit * 1000))
}

test_expect_success 'TAGS_FROM that never answers: TAGS_TIMEOUT' '
	bounded 15 plan TAGS_FROM="http://$SILENT/cargo-chef.git" TAGS_TIMEOUT=3 &&
	test_grep "^version: error: git ls-remote of TAGS_FROM=http://$SILENT/cargo-chef.git did not answer within 3s \(TAGS_TIMEOUT\)$" out
'

test_expect_success 'LIBRARY that never answers: LIBRARY_TIMEOUT' '
	bounded 20 plan LIBRARY="http://$SILENT/library/rust" LIBRARY_TIMEOUT=3 &&
	test_grep "^library: error: the fetch of LIBRARY=http://$SILENT/library/rust did not end within 3s \(LIBRARY_TIMEOUT\)$" out
'

test_expect_success 'a registry that never answers: REGISTRY_DEADLINE' '
	bounded 20 plan IMAGE="$SILENT/cargo-chef" REGISTRY_DEADLINE=3 &&
	test_grep "image-probe: .*(timed out after 3[0-9]{3} milliseconds|deadline of 3s (is )?reached)" out &&
	test_grep "error: cannot probe $SILENT/cargo-chef" out
'

# (mk/lib.sh's stage_begin: a signal ends a stage through its EXIT trap,
# once the command it waits for has ended: timeout(1), in a process group of
# its own, lives out its TAGS_TIMEOUT)
test_expect_success 'a stage killed while it waits leaves no temporary file' '
	mkdir killed || exit 1
	# in a process group of its own, killed whole as make would be
	set -m
	(cd "$SRC" && TAGS_FROM="http://$SILENT/cargo-chef.git" VERSION= TAGS_TIMEOUT=5 \
		exec mk/version.sh "$TRASH/killed/version") 2>killed.err &
	pid=$!
	set +m
	for i in $(seq 100); do
		[ -z "$(find killed -name "version.tmp.*")" ] || break
		sleep 0.1
	done &&
	find killed >before &&
	test_grep "version[.]tmp[.]" before &&
	kill -TERM -- -$pid &&
	{ wait $pid || :; } &&
	group_gone $pid &&
	find killed >after &&
	echo killed >expect &&
	test_cmp expect after
'

test_done
