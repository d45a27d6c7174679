#!/bin/bash
# tests/malformed/gen.sh GENERATOR ARG...: prints an input of the malformed
# suite that cannot be stored as text (t8100-malformed.sh runs it for an input
# column "gen:GENERATOR ARG...").  Files are named relative to inputs/.
#
#   cut FILE N             the first N bytes of FILE (a truncated file)
#   expand FILE CHAR N     FILE with each "{PAD}" replaced by N copies of CHAR
#                          (one {PAD} a line at most; 1 MB lines, 10,000 digits)
#   line CHAR N            one line of N copies of CHAR, no newline
#   junk N SEED            N bytes of deterministic binary junk
#   all-bytes              the 256 byte values in order
#   nest OPEN N            N copies of OPEN on one line (deeply nested JSON)
set -eu
inputs=$(dirname "$0")/inputs

# repeat CHAR N: N copies of CHAR on stdout.
repeat() {
	head -c "$2" /dev/zero | tr '\0' "$1"
}

gen=$1
shift
case $gen in
cut)
	head -c "$2" "$inputs/$1"
	;;
expand)
	pad=$(mktemp)
	trap 'rm -f "$pad"' EXIT
	repeat "$2" "$3" >"$pad"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		*'{PAD}'*)
			printf '%s' "${line%%\{PAD\}*}"
			cat "$pad"
			printf '%s\n' "${line#*\{PAD\}}"
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$inputs/$1"
	;;
line)
	repeat "$1" "$2"
	;;
junk)
	# a linear congruential generator: the same bytes on every machine
	LC_ALL=C awk -v n="$1" -v x="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			x = (x * 75 + 74) % 65537
			printf "%c", x % 256
		}
	}'
	;;
all-bytes)
	LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) printf "%c", i }'
	;;
nest)
	repeat "$1" "$2"
	echo
	;;
*)
	echo "gen.sh: unknown generator $gen" >&2
	exit 2
	;;
esac
