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

# --- the stage prologue: stage_begin, stage_workdir, stage_atexit, stage_end
# A stage writes its output through a temporary file beside it, replaces
# the output only when the content changed, and leaves nothing behind
# however it ends (a failure, set -e, a kill):
#   stage_begin OUT     $tmp: a new file beside OUT.  The script's other
#                       temporary files are named $tmp.<something>: $tmp
#                       and every $tmp.* are removed when the script exits.
#   stage_workdir NAME  $work: a new directory under TMPDIR, removed at exit
#                       (for a script with no OUT, or many scratch files).
#   stage_atexit CMD    CMD (a shell command) runs at exit too, after the
#                       removals, with the script's exit status in
#                       $stage_status (an exit in CMD sets the script's).
#   stage_end           OUT gets $tmp's content, if it changed
#                       (replace_if_changed); otherwise OUT keeps its
#                       timestamp, and $tmp goes.
# Each of them sets the traps: a script using them sets no EXIT, HUP, INT or
# TERM trap of its own (stage_atexit instead).
stage_tmp='' stage_work='' stage_out='' stage_exit_cmds=''
stage_cleanup() {
	# shellcheck disable=SC2034 # read by the commands of stage_atexit
	stage_status=$?
	if [ -n "$stage_tmp" ]; then
		for stage_f in "$stage_tmp" "$stage_tmp".*; do
			[ ! -e "$stage_f" ] || rm -f -- "$stage_f"
		done
	fi
	[ -z "$stage_work" ] || rm -rf -- "$stage_work"
	[ -z "$stage_exit_cmds" ] || eval "$stage_exit_cmds" || :
}
# a signal ends the script through exit, so that the EXIT trap runs (dash
# runs none when a signal kills it)
stage_traps() {
	trap 'stage_cleanup' EXIT
	trap 'exit 1' HUP INT TERM
}
stage_begin() {
	stage_traps
	stage_out=$1
	# named before it is made, so that a kill at any moment leaves nothing
	# (mktemp's name is known only once the file exists); the directory is
	# the state's, under its lock: the process id makes it this run's
	stage_tmp=$1.tmp.$$
	tmp=$stage_tmp
	[ -d "${1%/*}" ] || mkdir -p "${1%/*}"
	rm -f -- "$tmp"
	: >"$tmp"
}
stage_workdir() {
	stage_traps
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	stage_work=$work
}
stage_atexit() {
	stage_traps
	stage_exit_cmds="$1
$stage_exit_cmds"
}
stage_end() {
	replace_if_changed "$tmp" "$stage_out"
}
# --- end of the stage prologue

# loopback REF: true when REF's registry is on the loopback interface
# (localhost, 127.a.b.c with decimal octets, [::1]; any port), the rule of
# host_is_loopback() in tools/lib/ref.c: the one such registry the registry
# tools and buildah may reach by plain HTTP (after a failed TLS handshake).
loopback() {
	case $1 in */*) ;; *) return 1 ;; esac
	loopback_host=${1%%/*}
	case $loopback_host in
	'[::1]' | '[::1]':* | localhost | localhost:*) return 0 ;;
	127.*) ;;
	*) return 1 ;;
	esac
	loopback_rest=${loopback_host%%:*}
	loopback_rest=${loopback_rest#127.}
	loopback_dots=0
	while :; do
		loopback_octet=${loopback_rest%%.*}
		case $loopback_octet in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) [ "$loopback_octet" -le 255 ] || return 1 ;;
		*) return 1 ;;
		esac
		case $loopback_rest in
		*.*) loopback_rest=${loopback_rest#*.} loopback_dots=$((loopback_dots + 1)) ;;
		*) break ;;
		esac
	done
	[ "$loopback_dots" -eq 2 ]
}

# registry_of REF: the registry host of an image reference; docker.io when
# its first part names none (no dot, colon, or localhost), as docker reads it.
registry_of() {
	first=
	case $1 in */*) first=${1%%/*} ;; esac
	case $first in
	*.* | *:* | localhost) echo "$first" ;;
	*) echo docker.io ;;
	esac
}

# The environment's credentials (REGISTRY_USER, REGISTRY_PASSWORD) are
# IMAGE's registry's only: the registry tools and build-push.sh send them to
# REGISTRY_CREDENTIALS_HOST and nowhere else (the base registry gets what
# config.json holds for it).
if [ -n "${IMAGE:-}" ]; then
	REGISTRY_CREDENTIALS_HOST=$(registry_of "$IMAGE")
	export REGISTRY_CREDENTIALS_HOST
fi

# stamp_name LINE CONTEXT_HASH KEY16 BASE: the stamp file name of a group of
# the plan (LINE, its group_key_tag KEY16 and base BASE: the caller has read
# them, one jq for many lines): <key16>.<sha256 of the plan line and the
# build context's hash>.  The line holds all the work depends on but the
# context: the version, the group key, the platforms, the base, the
# canonical name (so IMAGE) and every tag (so the alias set and whether
# latest* is published); under REFRESH_BASE=1 the digest of the base too
# ($STATE/bases).
stamp_name() {
	# assigned, not an argument: the status of an argument's $(...) is lost
	if [ -s "$STATE/bases" ]; then
		# REFRESH_BASE=1: the base's digest too, so a new base redoes the group
		stamp_base=$(recorded_base_digest "$4")
		sum=$(sha256 "$1" "$2" "base $stamp_base")
	else
		sum=$(sha256 "$1" "$2")
	fi
	printf '%s.%s\n' "$3" "$sum"
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

# What a tag holds, its platforms: a publish never moves a tag to an image
# that lacks one of them (unless ALLOW_FEWER_PLATFORMS=1).  The platforms of
# every image a run published or read are kept in $STATE/platforms/<hex of
# the digest>, so that knowing them again costs nothing.
#
# recorded_platforms DIGEST: the platforms recorded for DIGEST ("a,b",
# sorted), or nothing.
recorded_platforms() {
	case $1 in
	sha256:*[!0-9a-f]* | sha256:) return 0 ;;
	sha256:*) [ ! -f "$STATE/platforms/${1#sha256:}" ] || cat "$STATE/platforms/${1#sha256:}" ;;
	esac
}

# record_platforms DIGEST PLATFORMS: records them ("a,b" in any order).
record_platforms() {
	case $1 in sha256:*[!0-9a-f]* | sha256:) return 0 ;; sha256:*) ;; *) return 0 ;; esac
	mkdir -p "$STATE/platforms"
	record_tmp=$(tmpfile "$STATE/platforms/${1#sha256:}")
	sorted_platforms "$2" >"$record_tmp"
	mv -f "$record_tmp" "$STATE/platforms/${1#sha256:}"
}

# sorted_platforms "a,b" (or "a b"): the same platforms, sorted, comma-joined.
sorted_platforms() {
	LC_ALL=C awk -v list="$1" 'BEGIN {
		n = split(list, p, /[ ,]/)
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (p[j] < p[i]) { t = p[i]; p[i] = p[j]; p[j] = t }
		s = ""
		for (i = 1; i <= n; i++)
			if (p[i] != "" && p[i] != p[i - 1]) s = s (s == "" ? "" : ",") p[i]
		print s
	}'
}

# offered_platforms ARCHES OUT: writes to OUT the platforms of the upstream
# architectures ARCHES ("amd64,arm64v8": a plan line's), all of them,
# whatever PLATFORMS allows ("a,b": what the library file's entry still
# builds).
offered_platforms() {
	# (the pipe's status is arch-filter's: printf does not fail)
	printf '%s\n' "$1" | arch-filter --all >"$2"
}

# A tag may lose a platform only when upstream did: a platform of its image
# that the group's entry still offers but the new image lacks is taken away
# by the publish (PLATFORMS narrowed) and refused without
# ALLOW_FEWER_PLATFORMS=1; one the entry no longer offers is gone from
# rust:<tag> too, and the tags follow it.
#   lost_platforms HAD WANT [OFFERED]: the platforms of HAD ("a,b") that
#   WANT lacks; with OFFERED, only those OFFERED has: the refused ones
#   (lost_platforms HAD WANT,OFFERED: the ones upstream dropped).
lost_platforms() {
	awk -v had="$1" -v want="$2" -v offered="${3-}" -v only="${3+1}" 'BEGIN {
		n = split(want, w, ",")
		for (i = 1; i <= n; i++) keep[w[i]] = 1
		n = split(offered, o, ",")
		for (i = 1; i <= n; i++) offers[o[i]] = 1
		m = split(had, h, ",")
		s = ""
		for (i = 1; i <= m; i++)
			if (h[i] != "" && !(h[i] in keep) && (!only || h[i] in offers))
				s = s (s == "" ? "" : ",") h[i]
		print s
	}'
}

# index_platforms FILE: the platforms of image-manifest's line in FILE, as
# arch-filter names them ("a,b"; attestations left out), or "?" when it is
# a single image, not an index.
index_platforms() {
	jq -r 'if .manifest.manifests then
			[.manifest.manifests[] | .platform // empty | select(.os != "unknown")
			 | .os + "/" + .architecture
			   + (if .variant and (.architecture != "arm64" or .variant != "v8")
			      then "/" + .variant else "" end)] | unique | join(",")
		else "?" end' "$1"
}

# digest_in FILE REF: REF's digest in a probe answer ("-": none).
digest_in() {
	awk -F '\t' -v ref="$2" '$1 == ref { print $2; exit }' "$1"
}

# base_build_tag LINE CONTEXT_HASH WHAT: a build tag of plan line LINE's
# canonical image whose inputs also hold WHAT: tag-gen's build tag for the
# hash of CONTEXT_HASH and WHAT.  Under REFRESH_BASE=1, WHAT is the digest of
# the base index it was built from (its base tag), or "tracked" (its tracked
# tag: its base tag is to be believed).  The build tag's grammar,
# <ver>-base-<key16>.<8 hex>.
base_build_tag() {
	printf '%s\n' "$1" | tag-gen --build-tag --context "$(sha256 "$2" "$3")"
}

# record_verdict DIGEST COMMIT PLATFORMS LACKING: base index DIGEST is not
# the build of COMMIT for PLATFORMS: LACKING ("linux/arm64 ..."), recorded
# in $STATE/verdicts.  recorded_verdict DIGEST COMMIT PLATFORMS: LACKING, or
# nothing.  A digest names bytes: its verdict never changes.
verdict_name() {
	case $1 in sha256:*[!0-9a-f]* | sha256:) return 1 ;; sha256:*) ;; *) return 1 ;; esac
	verdict_sum=$(sha256 "$1" "$2" "$3")
	printf '%s/verdicts/%s\n' "$STATE" "$verdict_sum"
}
record_verdict() {
	verdict_file=$(verdict_name "$1" "$2" "$3") || return 0
	mkdir -p "$STATE/verdicts"
	verdict_tmp=$(tmpfile "$verdict_file")
	printf '%s\n' "$4" >"$verdict_tmp"
	mv -f "$verdict_tmp" "$verdict_file"
}
recorded_verdict() {
	[ -n "$1" ] && [ -d "$STATE/verdicts" ] || return 0
	verdict_file=$(verdict_name "$1" "$2" "$3") || return 0
	[ ! -f "$verdict_file" ] || cat "$verdict_file"
}

# recorded_base_digest BASE: the digest of BASE's index HEADed by this run's
# bases stage ($STATE/bases, REFRESH_BASE=1), or nothing.
recorded_base_digest() {
	[ -s "$STATE/bases" ] || return 0
	awk -F '\t' -v ref="$1" '$1 == ref && $2 ~ /^sha256:[0-9a-f]+$/ { print $2; exit }' "$STATE/bases"
}

# plain_http REF: true when REF's registry is on loopback and its TLS
# handshake fails (curl's exit 35): the one case the registry tools, buildah
# and skopeo speak plain HTTP to it.  Every other registry gets TLS, verified
# (REGISTRY_CA_FILE's CAs added).
plain_http() {
	loopback "$1" || return 1
	plain_rc=0
	# --insecure: only whether the handshake fails is read (a certificate
	# that does not verify is TLS all the same) and no credential is sent;
	# verifying would parse the whole CA bundle first, ~20 ms of CPU
	curl -s -o /dev/null --insecure --max-time "${REGISTRY_CONNECT_TIMEOUT:-10}" \
		"https://$(registry_of "$1")/v2/" || plain_rc=$?
	[ "$plain_rc" -eq 35 ]
}

# docker_config: the path of the docker config.json the pipeline reads
# (DOCKER_CONFIG's, else ~/.docker's), as the registry tools do; false, and
# nothing printed, when there is none.
docker_config() {
	docker_config_path=${DOCKER_CONFIG:-${HOME:-/nonexistent}/.docker}/config.json
	[ -f "$docker_config_path" ] && printf '%s\n' "$docker_config_path"
}

# auth_file OUT: a docker config for buildah and skopeo (they take no
# credentials but from a file, and none must be on a command line):
# config.json's (DOCKER_CONFIG's), with IMAGE's registry's entry
# (REGISTRY_CREDENTIALS_HOST) made of REGISTRY_USER and REGISTRY_PASSWORD
# when they are set: the environment's credentials are IMAGE's only, as for
# the registry tools; every other registry gets what config.json holds for it.
auth_file() {
	auth_config=$(docker_config) || auth_config=/dev/null
	owner=${REGISTRY_CREDENTIALS_HOST:-}
	if [ -n "$owner" ] && [ -n "${REGISTRY_USER:-}" ] && [ -n "${REGISTRY_PASSWORD:-}" ]; then
		(umask 077 && jq -n --arg to "$owner" --slurpfile cfg "$auth_config" '
			("\($ENV.REGISTRY_USER):\($ENV.REGISTRY_PASSWORD)" | @base64) as $auth
			| ($cfg[0] // {}) | .auths[$to] = {$auth}
			| if .credHelpers then del(.credHelpers[$to]) else . end' >"$1")
	else
		(umask 077 && jq -n --slurpfile cfg "$auth_config" '$cfg[0] // {}' >"$1")
	fi
}

# ca_cert_dir DIR: a cert dir, DIR/certs, holding REGISTRY_CA_FILE's CAs
# for buildah's and skopeo's --cert-dir (the registry tools read the file
# itself); nothing when the knob is empty.
ca_cert_dir() {
	[ -n "${REGISTRY_CA_FILE:-}" ] || return 0
	[ -r "$REGISTRY_CA_FILE" ] || die "REGISTRY_CA_FILE=$REGISTRY_CA_FILE: not readable"
	mkdir "$1/certs" && cp "$REGISTRY_CA_FILE" "$1/certs/ca.crt" && echo "$1/certs"
}
