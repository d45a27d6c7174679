#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# One owner for each rule (issue 11): no tag name is built or cut apart
# outside tools/lib/tags.c (the filters print every name, the scripts read
# them from the plan), and the shell's loopback rule (mk/lib.sh) is
# tools/lib/ref.c's.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

# names FILE...: the lines of code (not comments) of FILE... that spell a
# piece of the tag grammar: "-base-", "-rust-", "latest-" (a name made or
# cut apart), or a build tag's 8 hex digits taken from a hash.  The one
# knob line of the Makefile that gives TAG_FORMAT's default (tags.h's
# TAG_FORMAT_DEFAULT) is no name.
names() {
	grep -nHE -e '-base-|-rust-|latest-|%\.8s|cut -c1-8' "$@" |
		grep -vE '^[^:]*:[0-9]+:[[:space:]]*(#|/?\*|//)' |
		grep -vxF 'Makefile:'"$(grep -n '^TAG_FORMAT ?= ' Makefile 2>/dev/null | cut -d: -f1)"':TAG_FORMAT ?= {version}-rust-{tag}'
}

test_expect_success 'the check sees a name built or cut in a script' '
	printf "%s\n" "# <ver>-base-<key16>: a comment" "key=\${canonical##*-base-}" >bad.sh &&
	printf "%s\n" " * X.Y.Z-rust-<alias>" "	x = xasprintf(\"%s-rust-\", v);" >bad.c &&
	printf "%s\n" "inputs=\$(printf %.8s \"\$sum\")" >bad2.sh &&
	names bad.sh bad.c bad2.sh >out || :
	test "$(wc -l <out)" = 3 &&
	test_grep "bad.sh:2:" out && test_grep "bad.c:2:" out && test_grep "bad2.sh:1:" out
'

test_expect_success 'no tag name is built outside tools/lib/tags.c' '
	cd "$SRC" &&
	files=$(ls tools/*.c tools/lib/*.[ch] mk/*.sh mk/*.mk mk/*.jq Makefile | grep -v "^tools/lib/tags\.[ch]$") &&
	# shellcheck disable=SC2086 # file names without blanks
	names $files >"$TRASH/found" || :
	test_empty "$TRASH/found"
'

test_expect_success 'the loopback rule of mk/lib.sh is ref.c host_is_loopback' '
	cat >loopback.c <<-\EOF &&
	#include "ref.h"
	#include <stdio.h>
	#include <string.h>
	int main(void)
	{
		char line[512];
		while (fgets(line, sizeof line, stdin)) {
			line[strcspn(line, "\n")] = 0;
			printf("%s %s\n", host_is_loopback(line) ? "yes" : "no", line);
		}
		return 0;
	}
	EOF
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -I"$SRC/tools/lib" -o loopback loopback.c \
		"$SRC/build/libutil.a" &&
	cat >hosts <<-\EOF &&
	localhost
	localhost:5000
	localhostx
	localhost.example
	127.0.0.1
	127.0.0.1:5000
	127.1.2.3:1
	127.255.255.255
	127.0.0.256
	127.0.0.01
	127.1
	127.0.0
	127.0.0.1.2
	127.0.0.1.
	127..0.1
	127.evil.com
	127.0.0.1.evil.com
	128.0.0.1
	[::1]
	[::1]:5000
	[::1]x
	[::2]
	[0:0:0:0:0:0:0:1]
	::1
	docker.io
	registry-1.docker.io
	EOF
	./loopback <hosts >want &&
	while IFS= read -r host; do
		if (cd "$SRC" && . mk/lib.sh && loopback "$host/name"); then
			echo "yes $host"
		else
			echo "no $host"
		fi
	done <hosts >got &&
	test_cmp want got &&
	test "$(grep -c "^yes " got)" -ge 8 && test "$(grep -c "^no " got)" -ge 10
'

test_done
