#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
# The layers of tools/lib/: every header compiles alone, a file includes only
# headers of its own layer or a lower one, the includes have no cycle, and
# the calls between its objects follow the same layers, and each tool
# carries only the objects and libraries it calls.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

# (exported: the test bodies, evaluated by lib.sh, use them)
export lib=$SRC/tools/lib
export cc=${CC:-cc}
export flags='-D_POSIX_C_SOURCE=200809L -std=c11 -Wall -Wextra -Werror'

# The layers, lowest first, as util.h lists them: a file (FILE.c and FILE.h
# alike) may include its own layer and the ones before it, never a later one.
cat >layers <<'END'
1 util
2 digest tags semver platform unicode_print ref group_line http_param challenge credentials link registry_options
3 library client
4 transport
5 authorize
6 semver_check rust_groups arch_filter tag_gen manifest tag_list registry
END
awk '{ for (i = 2; i <= NF; i++) print $i, $1 }' layers | sort >layer-of

# FILE INCLUDED: each "#include" of a file of tools/lib by another.
for f in "$lib"/*.[ch]; do
	stem=$(basename "$f") && stem=${stem%.[ch]}
	sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f" | sed "s/^/$stem /"
done | sort -u >includes

# upward INCLUDES: the includes of a later layer by an earlier one, said.
upward() {
	while read -r file included; do
		from=$(awk -v s="$file" '$1 == s { print $2 }' layer-of)
		to=$(awk -v s="$included" '$1 == s { print $2 }' layer-of)
		if [ -n "$from" ] && [ -n "$to" ] && [ "$to" -gt "$from" ]; then
			echo "$file (layer $from) includes $included.h (layer $to)"
		fi
	done <"$1"
}

# cycles INCLUDES: what tsort says of the loops among the includes (its
# status is not looked at: the self-test below sees that it speaks).
cycles() {
	awk '$1 != $2' "$1" | { tsort >/dev/null; } 2>&1 || :
}

test_expect_success 'every header of tools/lib compiles alone' '
	status=0 &&
	for h in "$lib"/*.h; do
		printf "#include \"%s\"\n" "$(basename "$h")" >alone.c &&
		# twice: its include guard must hold
		printf "#include \"%s\"\n" "$(basename "$h")" >>alone.c &&
		$cc $flags -I"$lib" -fsyntax-only alone.c 2>err ||
		{ echo "$(basename "$h") does not compile alone:"; head -3 err; status=1; }
	done &&
	test "$status" = 0
'

test_expect_success 'every file of tools/lib has a layer' '
	for f in "$lib"/*.[ch]; do
		stem=$(basename "$f") && echo "${stem%.[ch]}"
	done | sort -u >stems &&
	cut -d" " -f1 layer-of >placed &&
	comm -23 stems placed >unplaced &&
	test_empty unplaced &&
	comm -13 stems placed >gone &&
	test_empty gone
'

test_expect_success 'the checks see an upward include and a cycle' '
	printf "platform library\nlibrary platform\n" >bad &&
	upward bad >out && test_grep "platform .layer 2. includes library.h .layer 3." out &&
	cycles bad >out && test_grep "[Ll]oop" out
'

test_expect_success 'a file includes only its own layer and lower ones' '
	upward includes >out &&
	test_empty out
'

test_expect_success 'the includes have no cycle' '
	cycles includes >out &&
	test_empty out
'

# CALLER CALLED: each call of a function of another object of tools/lib,
# from the objects make built (the calls, not only the includes, follow the
# layers: no file reaches a later layer through a declaration of its own).
objs=$SRC/build/obj/lib
for o in "$objs"/*.o; do
	stem=$(basename "$o" .o)
	nm "$o" | awk -v s="$stem" '$1 ~ /^[0-9a-f]+$/ && $2 ~ /[TDRB]/ { print $3, s }'
done | sort >defines
for o in "$objs"/*.o; do
	stem=$(basename "$o" .o)
	nm -u "$o" | awk -v s="$stem" '{ print $2, s }'
done | sort | join - defines | awk '$2 != $3 { print $2, $3 }' | sort -u >calls

test_expect_success 'the objects of tools/lib were built' '
	test -s defines && test -s calls
'

test_expect_success 'a file calls only its own layer and lower ones' '
	upward calls >out &&
	test_empty out
'

test_expect_success 'the calls have no cycle' '
	cycles calls >out &&
	test_empty out
'

# The functions a tool must not carry, and the libraries it must not load.
test_expect_success 'the filters carry neither the registry client nor curl' '
	for t in semver-check rust-groups arch-filter tag-gen; do
		nm "$BIN/$t" | awk "\$2 == \"T\" { print \$3 }" >"$t.syms" &&
		! grep -x -e transport_send -e manifest_get -e link_next "$t.syms" &&
		readelf -d "$BIN/$t" >"$t.dyn" &&
		! grep -E "NEEDED.*(libcurl|libcrypto|libssl)" "$t.dyn" ||
		{ echo "$t"; return 1; }
	done
'

test_expect_success 'arch-filter, tag-gen and semver-check carry no library parser' '
	for t in semver-check arch-filter tag-gen; do
		nm "$BIN/$t" | awk "\$2 == \"T\" { print \$3 }" >"$t.syms" &&
		! grep -x -e library_parse -e rust_groups_print "$t.syms" ||
		{ echo "$t"; return 1; }
	done
'

test_expect_success 'only rust-groups and tag-gen hash, only JSON filters load jansson' '
	for t in rust-groups tag-gen; do
		readelf -d "$BIN/$t" >"$t.dyn" &&
		grep -q "NEEDED.*libnettle" "$t.dyn" || { echo "$t"; return 1; }
	done &&
	for t in arch-filter semver-check; do
		readelf -d "$BIN/$t" >"$t.dyn" &&
		! grep -q "NEEDED.*libnettle" "$t.dyn" || { echo "$t"; return 1; }
	done &&
	! grep -q "NEEDED.*libjansson" semver-check.dyn
'

test_done
