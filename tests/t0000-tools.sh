#!/bin/bash
# Every tool honours the common contract: --help, usage errors, a man page,
# make install; every shell script is shellcheck-clean (the test scripts in
# make check-long).
. "$(dirname "$0")/lib.sh"

read -r -a tools <<<"$(make -s -C "$SRC" list-tools)"

test_expect_success 'the tool list is not empty' '
	[ "${#tools[@]}" -ge 7 ]
'

for t in "${tools[@]}"; do
	test_expect_success "$t --help: usage on stdout, exit 0" "
		'$BIN/$t' --help >out 2>err &&
		test_grep '^(usage|Usage): $t' out &&
		test_empty err
	"
	test_expect_success "$t with an unknown option: exit 2, nothing on stdout" "
		test_status 2 '$BIN/$t' --no-such-option </dev/null >out 2>err &&
		test_empty out &&
		test_grep '^$t: ' err
	"
	test_expect_success "$t has a man page that renders cleanly" "
		[ -f '$SRC/tools/$t.1' ] &&
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l '$SRC/tools/$t.1' >page 2>warnings &&
		test_empty warnings &&
		test_grep 'SYNOPSIS' page &&
		test_grep 'EXIT STATUS' page
	"
done

test_expect_success 'make install honours DESTDIR and PREFIX' '
	make -s -C "$SRC" install DESTDIR="$TRASH/dest" PREFIX=/opt/chef >/dev/null &&
	for t in "${tools[@]}"; do
		[ -x "$TRASH/dest/opt/chef/bin/$t" ] &&
		[ -f "$TRASH/dest/opt/chef/share/man/man1/$t.1" ] || exit 1
	done
'

test_expect_success 'the pipeline'"'"'s shell scripts are shellcheck-clean' '
	cd "$SRC" &&
	shellcheck -x mk/*.sh .ci/run tests/run tests/standins.sh tests/standin-image.sh
'

# the test scripts too in make check-long: shellcheck takes ~15 s of CPU
# over them, a 30th of the default tier's
if [ -n "${TEST_LONG:-}" ]; then
	test_expect_success 'the test scripts are shellcheck-clean' '
		cd "$SRC" &&
		shellcheck -x -s bash tests/*.sh &&
		shellcheck -x tests/fuzz/*.sh
	'
fi

test_done
