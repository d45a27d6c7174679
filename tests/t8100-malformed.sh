#!/bin/bash
# Bad input, said clearly, nothing lost: every case of tests/malformed/cases.tsv
# (its header explains the columns) runs in an empty scratch directory, with a
# seeded state/ directory beside it, against the normal build and, when SANBIN
# is set, the ASan+UBSan build (every third case in make check, each one in
# make check-long; the fuzz targets of t8000 run the parsers under ASan too).  A failing case must exit 1 (2 for bad usage),
# print exactly one line on stderr, "TOOL: FILE:LINE: message" (or the form
# its "at" column names), and nothing on stdout; nothing beside it may change
# and no file "pwned" may appear.  Adding a case is adding a line (and maybe
# an input file): this script holds no case.
. "$(dirname "$0")/lib.sh"

dir=$SRC/tests/malformed
# shellcheck disable=SC2034 # used by the test bodies
tools=" semver-check rust-groups arch-filter tag-gen "
# The only second line allowed: semver-check(1) counts ignored tags on stderr.
notice='^semver-check: ignored [0-9]+ tags? that (is|are) not semver$'

names=() tool=() args=() input=() at=() regex=() why=()
while IFS=$'\t' read -r n t a i w r y; do
	case $n in '#'* | '') continue ;; esac
	names+=("$n") tool+=("$t") args+=("$a") input+=("$i") at+=("$w") regex+=("$r") why+=("${y:-}")
done <"$dir/cases.tsv"

# make_input SPEC FILE: writes the input a case's input column describes.
make_input() {
	case $1 in
	-) : >"$2" ;;
	bytes:*) printf '%b' "${1#bytes:}" >"$2" ;;
	gen:*)
		local g
		read -r -a g <<<"${1#gen:}"
		bash "$dir/gen.sh" "${g[@]}" >"$2"
		;;
	*) cp "$dir/inputs/$1" "$2" ;;
	esac
}

# expand_arg ARG: ARG with each %{C*N} replaced by N copies of C.
expand_arg() {
	local a=$1 pad
	while [[ $a =~ %\{(.)\*([0-9]+)\} ]]; do
		pad=$(head -c "${BASH_REMATCH[2]}" /dev/zero | tr '\0' "${BASH_REMATCH[1]}")
		a=${a/"${BASH_REMATCH[0]}"/$pad}
	done
	printf '%s' "$a"
}

# snapshot ROOT: every path under ROOT with its type, and the checksum of
# every file, in find's order (a tree that did not change lists the same;
# two processes, not six: it runs twice a case)
snapshot() {
	find "$1" -printf '%P %y\n' -type f -exec sha256sum {} +
}

# seed_state DIR: a state directory as a publish run leaves it.
seed_state() {
	mkdir -p "$1/stamps" "$1/library"
	echo '{"group_key":"7e8ce3f02e3f0292a54b9212ccad6204bde54289:stable/trixie"}' >"$1/groups.jsonl"
	echo 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' \
		>"$1/stamps/0.1.77-base-89c8e0c32de65c70"
	cp "$dir/inputs/lib-ok.txt" "$1/library/rust"
}

# run_case BIN I LABEL SECONDS: runs case I with the tools of BIN and checks
# it; a tool that takes longer than SECONDS (a quadratic parser) fails it.
run_case() {
	local bin=$1 i=$2 root=$TRASH/${names[$2]}.$3 t=${tool[$2]} w=${at[$2]}
	local stdin file=stdin want=1 got=0 a argv=() raw=()
	mkdir -p "$root/scratch" &&
	seed_state "$root/state" &&
	make_input "${input[$i]}" "$root/input" || return 1
	stdin=$root/input
	[ "${args[$i]}" = - ] || read -r -a raw <<<"${args[$i]}"
	for a in ${raw[@]+"${raw[@]}"}; do
		case $a in
		@) argv+=(../input) file=../input stdin=/dev/null ;;
		@dir) argv+=(.) file=. ;;
		@text) argv+=("$(cat "$root/input")") stdin=/dev/null ;;
		*) argv+=("$(expand_arg "$a")") ;;
		esac
	done
	snapshot "$root" >"$root.before"
	(cd "$root/scratch" && exec timeout "$4" "$bin/$t" ${argv[@]+"${argv[@]}"}) \
		<"$stdin" >"$root.out" 2>"$root.err" || got=$?
	case $w in ok) want=0 ;; usage) want=2 ;; esac
	if [ "$got" -eq 124 ]; then
		echo "no answer within $4 seconds (a linear parser reads the largest input, 8 MB, in a fraction of that)"; return 1
	fi

	if [ "$got" -ne "$want" ]; then
		echo "exit $got, expected $want; stderr:"; head -c 2000 "$root.err"; return 1
	fi
	if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$root.err"; then
		cat "$root.err"; return 1
	fi
	# said clearly: text a terminal shows as it is (no NUL, no escape sequence)
	LC_ALL=C tr -d '\000-\011\013-\037\177' <"$root.err" >"$root.printable"
	if ! cmp -s "$root.printable" "$root.err" ||
		! iconv -f UTF-8 -t UTF-8 "$root.err" >/dev/null 2>&1; then
		echo "control characters or invalid UTF-8 on stderr:"; od -c "$root.err" | head; return 1
	fi
	if [ "$w" = ok ]; then
		grep -v -E -e "$notice" "$root.err" >"$root.msg"
		test_empty "$root.msg" && check_stdout "$i" "$root.out" || return 1
	else
		test_empty "$root.out" && check_message "$bin" "$i" "$root.err" "$file" || return 1
	fi
	# nothing lost, nothing executed
	snapshot "$root" >"$root.after"
	test_cmp "$root.before" "$root.after" || return 1
	# (its own tree here; the whole trash once, after the last case)
	if [ -n "$(find "$root" -name pwned)" ]; then
		echo "a payload ran:"; find "$root" -name pwned; return 1
	fi
}

# check_stdout I OUT: the output of a positive control matches its regex.
check_stdout() {
	if [ -s "$2" ]; then
		grep -q -E -e "${regex[$1]}" "$2" && return
	else
		[[ "" =~ ${regex[$1]} ]] && return
	fi
	echo "stdout does not match /${regex[$1]}/:"; head -c 2000 "$2"; return 1
}

# check_message BIN I ERR FILE: ERR holds one line "TOOL: PREFIX" + a message
# matching the case's regex (after semver-check's notice, before the usage).
check_message() {
	local t=${tool[$2]} w=${at[$2]} prefix lines=() line msg
	mapfile -t lines <"$3"
	if [ "$t" = semver-check ] && [ ${#lines[@]} -gt 1 ] && [[ ${lines[0]} =~ $notice ]]; then
		lines=("${lines[@]:1}")
	fi
	case $w in
	file) prefix="$t: $4: " ;;
	arg | usage) prefix="$t: " ;;
	*) prefix="$t: $4:$w: " ;;
	esac
	if [ "$w" = usage ]; then
		"$1/$t" --help >"$3.usage" || return 1
		printf '%s\n' "${lines[@]:1}" | test_cmp "$3.usage" - || return 1
	elif [ ${#lines[@]} -ne 1 ]; then
		echo "expected one line on stderr, got ${#lines[@]}:"; head -c 2000 "$3"; return 1
	fi
	line=${lines[0]-}
	if [ "${line#"$prefix"}" = "$line" ] || [ -z "${line#"$prefix"}" ]; then
		echo "expected a message after \"$prefix\":"; printf '%s\n' "${line:0:2000}"; return 1
	fi
	msg=${line#"$prefix"}
	if [ "$w" = arg ] && [[ $msg =~ ^(stdin|[^\ ]*input):[0-9]*:?\  ]]; then
		echo "a bad argument named a file: $msg"; return 1
	fi
	if ! [[ $msg =~ ${regex[$2]} ]]; then
		echo "message does not match /${regex[$2]}/:"; printf '%s\n' "${msg:0:2000}"; return 1
	fi
}

# check_case I: case I under both builds (one test per case); under the
# sanitizers one case in san_step.
san_step=$(test_size 3 1)
check_case() {
	run_case "$BIN" "$1" bin 5 || return 1
	[ -z "${SANBIN:-}" ] || [ $(($1 % san_step)) -ne 0 ] || run_case "$SANBIN" "$1" san 20
}

test_expect_success 'the table is well formed' '
	seen=" " &&
	for i in "${!names[@]}"; do
		case "$seen" in *" ${names[$i]} "*) echo "duplicate case ${names[$i]}"; exit 1 ;; esac &&
		seen="$seen${names[$i]} " &&
		case "$tools" in *" ${tool[$i]} "*) ;; *) echo "${names[$i]}: unknown tool"; exit 1 ;; esac &&
		[[ ${at[$i]} =~ ^([1-9][0-9]*|file|arg|usage|ok)$ ]] ||
			{ echo "${names[$i]}: bad at column \"${at[$i]}\""; exit 1; }
		[ -n "${regex[$i]}" ] || { echo "${names[$i]}: no regex"; exit 1; }
		case ${at[$i]} in file | arg | ok)
			[ -n "${why[$i]}" ] || { echo "${names[$i]}: say why \"${at[$i]}\""; exit 1; } ;;
		esac
		case ${input[$i]} in - | bytes:* | gen:*) ;; *)
			[ -f "$dir/inputs/${input[$i]}" ] || { echo "${names[$i]}: no input ${input[$i]}"; exit 1; } ;;
		esac
	done &&
	for f in "$dir"/inputs/*; do
		f=${f##*/} &&
		printf "%s \n" "${input[@]}" | grep -q -E -e "(^|^gen:[a-z-]+ )$f " ||
			{ echo "inputs/$f is used by no case"; exit 1; }
	done
'

test_expect_success 'at least 60 malformed inputs, each filter covered' '
	failing=0 &&
	for i in "${!names[@]}"; do
		[ "${at[$i]}" = ok ] || failing=$((failing + 1))
	done &&
	echo "$failing failing cases" &&
	[ "$failing" -ge 60 ] &&
	for t in $tools; do
		printf "%s\n" "${tool[@]}" | grep -q -x -e "$t" || { echo "no case for $t"; exit 1; }
	done
'

for i in "${!names[@]}"; do
	test_expect_success "${names[$i]} (${tool[$i]})" "check_case $i"
done

test_expect_success 'no payload ran anywhere: no file pwned in the trash' '
	find "$TRASH" -name pwned >pwned.list &&
	test_empty pwned.list
'

test_done
