#!/bin/bash
# Golden cases of the filters: tests/golden/<tool>/<case>/ holds
#   args    the arguments, one a line (optional; no shell ever sees them)
#   stdin   the input (optional: empty input)
#   stdout  the exact expected output
#   status  the expected exit status (optional: 0)
#   stderr  the exact expected error output (optional: not compared, but a
#           failing case must always print something and nothing on stdout)
# Adding a case is adding a directory.  Each case runs against the normal
# build and, when SANBIN is set, the ASan+UBSan build as well.
. "$(dirname "$0")/lib.sh"

run_case() {
	bin=$1 dir=$2 tool=$3
	args=()
	if [ -f "$dir/args" ]; then
		mapfile -t args <"$dir/args"
	fi
	input=/dev/null
	[ -f "$dir/stdin" ] && input=$dir/stdin
	want=0
	[ -f "$dir/status" ] && read -r want <"$dir/status"
	got=0
	"$bin/$tool" "${args[@]}" <"$input" >actual.out 2>actual.err || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "exit $got, expected $want"; cat actual.err; return 1
	fi
	if [ -f "$dir/stdout" ]; then
		test_cmp "$dir/stdout" actual.out || return 1
	else
		test_empty actual.out || return 1
	fi
	if [ -f "$dir/stderr" ]; then
		test_cmp "$dir/stderr" actual.err || return 1
	elif [ "$want" -ne 0 ]; then
		[ -s actual.err ] || { echo "failed silently"; return 1; }
	fi
	# (a grep only where there is something to read: most cases print nothing)
	if [ -s actual.err ] && grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' actual.err; then
		cat actual.err; return 1
	fi
}

for dir in "$SRC"/tests/golden/*/*/; do
	[ -d "$dir" ] || continue
	dir=${dir%/}
	case_name=${dir#"$SRC"/tests/golden/}
	tool=${case_name%%/*}
	test_expect_success "$case_name" "run_case '$BIN' '$dir' '$tool'"
	if [ -n "${SANBIN:-}" ]; then
		test_expect_success "$case_name (asan+ubsan)" "run_case '$SANBIN' '$dir' '$tool'"
	fi
done

test_done
