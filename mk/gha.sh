#!/bin/sh
# mk/gha.sh: what a run shows in GitHub Actions (GITHUB_ACTIONS=true);
# outside it, the output stays as it was.
#   mk/gha.sh run LOG TITLE CMD...   runs CMD with its output in LOG; in
#       GitHub Actions it is also shown live on stderr, inside
#       ::group::TITLE ... ::endgroup:: and with workflow commands stopped (a
#       build's output is not the workflow's to obey).  Exits as CMD does.
#       One build at a time (as a job of the workflow runs one group): the
#       builds of make -j would interleave inside each other's groups.
#   mk/gha.sh escape STRING          STRING as workflow command data
#   mk/gha.sh report [GOAL...]       at the end of a run of the goals
#       (publish: every group of the plan; group: the group $G): a
#       ::warning:: for each group waiting for its base, an ::error:: for
#       each failed one, and a Markdown table of the groups appended to
#       $GITHUB_STEP_SUMMARY (when set): key16, representative tag, state,
#       canonical digest, tags (the canonical and its aliases), platforms.
#       No request.
# A group's state comes from $STATE/status/<key16>, written by
# publish-group.sh: "built|existed|adopted DIGEST", "waiting: ...",
# "failed: ..."; a group with no status whose stamp exists was done before.
set -eu
me=gha
. mk/lib.sh

# escape STRING: STRING as the data of a workflow command (GitHub's rule:
# % as %25, CR as %0D, LF as %0A); the trailing x keeps a final newline.
escape() {
	printf '%sx' "$1" | awk 'BEGIN { ORS = "" }
		NR > 1 { print "%0A" }
		{ gsub(/%/, "%25"); gsub(/\r/, "%0D"); print }' | sed 's/x$//'
}

# workflow_command NAME DATA: one workflow command, on stderr.
workflow_command() {
	printf '::%s::%s\n' "$1" "$(escape "$2")" >&2
}

run() {
	log=$1 title=$2
	shift 2
	if [ "${GITHUB_ACTIONS:-}" != true ]; then
		exec "$@" >"$log" 2>&1
	fi
	# a token nobody can guess turns workflow commands back on
	token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	workflow_command group "$title"
	echo "::stop-commands::$token" >&2
	rm -f "$log.status"
	{ "$@" 2>&1 || echo "$?" >"$log.status"; } | tee "$log" >&2
	echo "::$token::" >&2
	echo "::endgroup::" >&2
	status=0
	if [ -f "$log.status" ]; then
		read -r status <"$log.status" || status=1
		rm -f "$log.status"
	fi
	exit "$status"
}

# rows KEY...: the summary's rows of those groups, in the plan's order, and
# their annotations.
rows() {
	context=$(cat "$STATE/context")
	# the fields of every line at once (one jq)
	jq -r '[.group_key_tag, .base, .representative_rust_tag, (.tags | length + 1),
		(.platforms | join(", "))] | @tsv' "$STATE/plan.jsonl" >"$work/fields"
	tab=$(printf '\t')
	while IFS= read -r line && IFS=$tab read -r key base rust ntags platforms <&3; do
		case " $* " in *" $key "*) ;; *) continue ;; esac
		state='' digest='' detail=
		if [ -f "$STATE/status/$key" ]; then
			read -r state detail <"$STATE/status/$key" || :
		else
			stamp=$STATE/stamps/$(stamp_name "$line" "$context" "$key" "$base")
			if [ -f "$stamp" ]; then
				state=existed detail=$(sed -n 's/^digest //p' "$stamp")
			fi
		fi
		case $state in
		built | existed | adopted) digest=$detail ;;
		waiting:)
			state=waiting
			# "waiting: COMMIT:DIR (PLATFORM ...)"
			for_platforms=$(printf '%s\n' "$detail" | sed -n 's/^[^ ]* (\(.*\))$/\1/p' |
				awk '{ $1 = $1; gsub(/ /, ", "); print }')
			workflow_command warning "group $key ($rust) waits: its base $base is not yet the build of ${detail%%:*} for ${for_platforms:-every platform}" ;;
		failed:)
			state=failed
			workflow_command error "group $key ($rust) failed: $detail (its log is in the job's artifacts)" ;;
		*) state="not run"; [ -z "${DRY_RUN:-}" ] || state="dry run: nothing pushed" ;;
		esac
		tick='`'
		printf '| %s | %s | %s | %s | %s | %s |\n' "$tick$key$tick" "$tick$rust$tick" "$state" \
			"${digest:+$tick$digest$tick}" "$ntags" "$platforms"
	done <"$STATE/plan.jsonl" 3<"$work/fields"
}

report() {
	[ "${GITHUB_ACTIONS:-}" = true ] || return 0
	[ -f "$STATE/plan.jsonl" ] && [ -f "$STATE/context" ] || return 0
	keys=
	for goal in "$@"; do
		case $goal in
		publish) keys=$(jq -r .group_key_tag "$STATE/plan.jsonl") ;;
		group) [ -n "$keys" ] || keys=${G:-} ;;
		esac
	done
	[ -n "$keys" ] || return 0
	work=$(mktemp -d "${TMPDIR:-/tmp}/gha.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# shellcheck disable=SC2086 # one key a word
	rows $keys >"$work/rows"
	[ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$work/rows" ] || return 0
	{
		echo "### $(plan_version) to $(jq -r '.canonical | sub(":[^:]*$"; "")' "$STATE/plan.jsonl" | head -n 1)"
		echo
		echo "| group | rust | state | canonical digest | tags | platforms |"
		echo "|---|---|---|---|--:|---|"
		cat "$work/rows"
		echo
	} >>"$GITHUB_STEP_SUMMARY"
}

case ${1:-} in
run) [ $# -ge 4 ] || die "usage: $0 run LOG TITLE CMD..."; shift; run "$@" ;;
report) shift; report "$@" ;;
escape) [ $# -eq 2 ] || die "usage: $0 escape STRING"; escape "$2"; echo ;;
*) die "usage: $0 run LOG TITLE CMD... | escape STRING | report [GOAL...]" ;;
esac
