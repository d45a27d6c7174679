# mk/lib.sh: helpers shared by the pipeline scripts (sourced, never run).
# shellcheck shell=sh
# Every script runs from the top of the tree with the knobs of the Makefile
# in its environment (IMAGE, STATE, ...) and the tools of bin/ on PATH.

# say MSG...: one progress line on stderr, prefixed with the script's name.
say() {
	echo "${me:-pipeline}: $*" >&2
}

# die MSG...: an error line on stderr, then exit 1.
die() {
	echo "${me:-pipeline}: error: $*" >&2
	exit 1
}

# tmpfile DEST: a new temporary file beside DEST (same file system, so a
# rename over DEST is atomic); the caller renames or removes it.
tmpfile() {
	[ -d "${1%/*}" ] || mkdir -p "${1%/*}"
	mktemp "$1.tmp.XXXXXX"
}

# remove FILE...: removes those that exist (a no-op rerun forks no rm).
remove() {
	for f in "$@"; do
		if [ -e "$f" ]; then rm -f -- "$@"; return; fi
	done
}

# replace_if_changed TMP DEST: renames TMP over DEST unless both hold the same
# bytes, in which case TMP goes and DEST keeps its timestamp: make then sees
# nothing new and nothing after DEST runs again.
replace_if_changed() {
	if [ -f "$2" ] && cmp -s "$1" "$2"; then
		rm -f -- "$1"
	else
		mv -f "$1" "$2"
	fi
}

# loopback REF: true when REF names a registry on the loopback interface,
# which the registry tools and buildah reach by plain HTTP.
loopback() {
	case $1 in
	localhost/* | localhost:*/* | 127.*/* | '[::1]'*/*) return 0 ;;
	esac
	return 1
}

# stamp_name LINE CONTEXT_HASH: the stamp file name of a group of the plan:
# <key16>.<sha256 of the plan line and the build context's hash>.  The line
# holds all the work depends on but the context: the version, the group key,
# the platforms, the base, the canonical name (so IMAGE) and every tag (so the
# alias set and whether latest* is published).
stamp_name() {
	key=$(printf '%s\n' "$1" | jq -r .group_key_tag)
	printf '%s.%s\n' "$key" "$(sha256 "$1" "$2")"
}

# sha256 LINE...: the hex SHA-256 of the lines.  No pipe member but the
# last may fail: sh keeps only its status (there is no pipefail in dash).
sha256() {
	sha256_sum=$(printf '%s\n' "$@" | sha256sum)
	printf '%s\n' "${sha256_sum%% *}"
}

# plan_version: the version the plan is for ("none" when nothing is to publish).
plan_version() {
	cut -d' ' -f1 "$STATE/version"
}

# source_of PROBE CANONICAL BUILD_TAG WORKFLOW: the existing image a group
# publishes from, by the image-probe answers in PROBE (REF<TAB>DIGEST|-):
# BUILD_TAG when it exists (built from these very inputs), else WORKFLOW
# when CANONICAL does not exist (the original workflow's image for the same
# sources); nothing when the group is to be built.  A CANONICAL without its
# BUILD_TAG was built from other platforms or another build context: rebuilt.
source_of() {
	awk -F '\t' -v canonical="$2" -v build="$3" -v workflow="$4" '
		$2 != "-" { exists[$1] = 1 }
		END {
			if (build in exists) print build
			else if (workflow != "" && !(canonical in exists) && (workflow in exists)) print workflow
		}' "$1"
}
