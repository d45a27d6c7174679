# tests/lib.sh: the one harness of the shell tests, after git's t/test-lib.sh.
# A test script sources it, states behaviours with test_expect_success, and
# ends with test_done.  Each script runs in its own trash directory.
#
#   test_expect_success 'what it shows' '
#           commands chained with && ...
#   '
#
# Environment (set by tests/run): BIN, the tools under test; SRC, the source
# tree; CORPUS, the real library files; RESULTS, where counts are appended;
# VERBOSE=1 prints each test's output, not only a failing one's;
# TEST_LONG=1 (make check-long) gives test_size's long sizes.
set -u
: "${SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BIN:=$SRC/bin}"
: "${CORPUS:=$SRC/tests/corpus}"
: "${RESULTS:=/dev/null}"
: "${VERBOSE:=}"
export SRC BIN CORPUS
PATH=$BIN:$PATH
export PATH

# memcheck CMD [ARG...]: CMD under valgrind memcheck, which exits 99 on an
# invalid read or write, a use of uninitialised memory or a leak (definite
# or indirect).  No inline frames read, shorter stacks: 40% less CPU for
# each run's start (most of a run, with libcurl and libcrypto loaded), and
# a report still names the function and line.  VALGRIND is its command.
VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
--error-exitcode=99 --read-inline-info=no --num-callers=12"
memcheck() {
	# shellcheck disable=SC2086 # VALGRIND: one word per option
	$VALGRIND "$@"
}

# test_size DEFAULT LONG: a size for make check (DEFAULT) or make check-long
# (LONG, with TEST_LONG=1): every kind of test runs in both tiers, the long
# one at full size (kills, faults, seconds of fuzzing).
test_size() {
	if [ -n "${TEST_LONG:-}" ]; then
		echo "$2"
	else
		echo "$1"
	fi
}

# test_sample STEP FILE...: every STEP-th FILE from the first, and the last
# one when that is not among them, one a line (the corpus samples of the
# default tier: test_sample "$(test_size 10 1)" ... takes them all in the
# long one)
test_sample() {
	sample_step=$1 sample_i=0 sample_last=''
	shift
	for sample_file; do
		if [ $((sample_i % sample_step)) -eq 0 ]; then
			printf '%s\n' "$sample_file"
			sample_last=$sample_file
		fi
		sample_i=$((sample_i + 1))
	done
	[ $# -eq 0 ] || [ "$sample_last" = "$sample_file" ] || printf '%s\n' "$sample_file"
}

# jq_each DIR [--slurp] PROGRAM FILE...: jq -c PROGRAM over each FILE (with
# --slurp, over the array of its values), each one's output in DIR/NAME
# (NAME: FILE with every / as %, "${FILE//\//%}"), by one jq for all the
# files: a jq start costs ~15 ms of CPU, and the corpus tests compare
# hundreds of files.
jq_each() {
	each_dir=$1
	shift
	each_slurp=
	if [ "$1" = --slurp ]; then
		each_slurp=1
		shift
	fi
	each_prog=$1
	shift
	mkdir -p "$each_dir" || return 1
	# (a file with no output still has its file, empty)
	for each_file; do
		: >"$each_dir/${each_file//\//%}" || return 1
	done
	# each value: "FILE<TAB>its compact JSON" (which holds no tab)
	if [ -n "$each_slurp" ]; then
		jq -nr "[inputs | {f: input_filename, v: .}] | group_by(.f)[] | .[0].f as \$f
			| [.[].v] | ($each_prog) | \"\(\$f)\t\(tojson)\"" "$@"
	else
		jq -r "input_filename as \$f | ($each_prog) | \"\(\$f)\t\(tojson)\"" "$@"
	fi >"$each_dir/.all" || return 1
	awk -F '\t' -v dir="$each_dir" '{
		name = $1
		gsub("/", "%", name)
		out = dir "/" name
		if (out != last) { if (last != "") close(last); last = out }
		print substr($0, length($1) + 2) >>out
	}' "$each_dir/.all"
}

test_name=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/$test_name.XXXXXX")
export TRASH
cd "$TRASH" || exit 1
test_count=0
test_passed=0
test_failed=0
test_cleanups=

# Commands run when the script ends, even after a failure (servers to stop).
# Only at the top level of the script: a test body is a subshell, where the
# command would be forgotten (and the server left running) -- refused there.
test_atexit() {
	if [ "${BASH_SUBSHELL:-0}" -gt 0 ]; then
		echo "test_atexit in a test body (a subshell) is lost: call it at the top level" \
			"or record the server in \$TRASH/.fixtures (tests/lib-registry.sh)"
		return 1
	fi
	test_cleanups="$1
$test_cleanups"
}

test_run_cleanups() {
	eval "$test_cleanups" >/dev/null 2>&1 || :
	test_cleanups=
}
trap 'test_run_cleanups' EXIT

test_expect_success() {
	test_count=$((test_count + 1))
	out="$TRASH/.out.$test_count"
	if (cd "$TRASH" && eval "$2") >"$out" 2>&1; then
		test_passed=$((test_passed + 1))
		echo "ok $test_count - $test_name: $1"
		[ -n "$VERBOSE" ] && sed 's/^/#   /' "$out"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $test_name: $1"
		# the output first: a report that keeps only the top of a failure
		# still says what went wrong
		tail -n 40 "$out" | sed 's/^/#   > /'
		printf '%s\n' "$2" | sed 's/^/#   | /'
	fi
	# $out stays until the trash goes (a process a test left running may
	# still write to it, so the next test has a file of its own): an rm a
	# test was ~1 ms of CPU, 1300 times in make check
}

# test_expect_long 'what it shows' 'commands': a test of make check-long
# only, printed as skipped by make check: a variation on the tests before
# it that the default tier leaves out for time.  No later test may need
# what it did.
test_expect_long() {
	if [ -n "${TEST_LONG:-}" ]; then
		test_expect_success "$@"
		return
	fi
	test_count=$((test_count + 1))
	echo "ok $test_count - $test_name: $1 # skip: make check-long runs it"
}

# test_expect_failure is deliberately absent: a known breakage is an issue.

# test_cmp EXPECTED ACTUAL: fails with a diff when the files differ.
test_cmp() {
	diff -u "$1" "$2"
}

# test_status N COMMAND...: fails unless COMMAND exits with status N.
test_status() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*"
		return 1
	fi
}

# test_grep PATTERN FILE: fails, showing FILE, unless an extended regex matches.
test_grep() {
	if ! grep -E -e "$1" "$2" >/dev/null; then
		echo "no match for /$1/ in $2:"
		sed 's/^/    /' "$2"
		return 1
	fi
}

# test_no_grep PATTERN FILE: fails, showing the lines, when the regex matches.
test_no_grep() {
	if grep -E -e "$1" "$2"; then
		echo "unexpected match for /$1/ in $2"
		return 1
	fi
}

# test_empty FILE: fails, showing FILE, unless it is empty.
test_empty() {
	if [ -s "$1" ]; then
		echo "expected $1 to be empty:"
		sed 's/^/    /' "$1"
		return 1
	fi
}

test_done() {
	test_run_cleanups
	echo "$test_passed $test_failed" >>"$RESULTS"
	if [ "$test_count" -eq 0 ]; then
		echo "# $test_name: no test ran"
		echo "0 1" >>"$RESULTS"
		exit 1
	fi
	if [ "$test_failed" -eq 0 ]; then
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	echo "# $test_name: $test_failed of $test_count failed; trash kept in $TRASH"
	exit 1
}
