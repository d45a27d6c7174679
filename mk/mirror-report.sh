#!/bin/sh
# mk/mirror-report.sh plan LINE STAMP | verify: the mirrors' part of
# mk/report.sh's plan and verify (HEAD requests only, of the mirrors, and
# for verify of IMAGE's canonical tags).
#   plan LINE STAMP  for the group of the plan's LINE, whose stamp name is
#                    STAMP: one line per mirror, its state
#   verify           every tag of the plan on every mirror at the digest of
#                    its canonical on IMAGE; exit 1 if one is not
set -eu
me=verify
. mk/lib.sh
. mk/mirror-lib.sh

stage_workdir mirror-report

# probe FILE: image-probe of the refs of FILE into FILE.probe
probe() {
	image-probe <"$1" >"$1.probe" 2>"$1.err"
}

plan() {
	line=$1 stamp=$2
	digest=
	[ ! -f "$STATE/stamps/$stamp" ] || digest=$(sed -n 's/^digest //p' "$STATE/stamps/$stamp")
	set -f
	for mirror in ${MIRRORS:-}; do
		if [ -f "$STATE/mirror-stamps/$(mirror_id "$mirror")/$stamp" ]; then
			state="done (stamp): no request"
		else
			printf '%s\n' "$line" | jq -r '.canonical, .tags[]' |
				awk -v m="$mirror" '{ sub(/^.*:/, ""); print m ":" $0 }' >"$work/refs"
			n=$(wc -l <"$work/refs")
			if ! probe "$work/refs"; then
				state="cannot probe it: $(grep -v ': requests: ' "$work/refs.err" | tail -n 1)"
			elif [ -z "$digest" ]; then
				at=$(awk -F '\t' '$2 != "-" { n++ } END { print n + 0 }' "$work/refs.probe")
				state="after IMAGE: the build pushes there, or what IMAGE has is copied ($at of $n tags exist)"
			elif awk -F '\t' -v d="$digest" '$2 == d { found = 1 } END { exit !found }' "$work/refs.probe"; then
				wrong=$(awk -F '\t' -v d="$digest" '$2 != d { n++ } END { print n + 0 }' "$work/refs.probe")
				state="every tag in place"
				[ "$wrong" -eq 0 ] || state="$wrong of $n tags to point (1 GET of the mirror)"
			else
				state="to copy from IMAGE (skopeo copy --all: reads of IMAGE), then its $n tags pointed"
			fi
		fi
		echo "  mirror     $mirror  $state"
	done
	set +f
}

verify() {
	plan=$STATE/plan.jsonl
	jq -r '.canonical' "$plan" >"$work/canonicals"
	probe "$work/canonicals" || { cat "$work/canonicals.err" >&2; die "cannot probe $IMAGE"; }
	status=0
	set -f
	for mirror in ${MIRRORS:-}; do
		jq -r '.canonical as $c | ($c, .tags[]) | [., $c] | @tsv' "$plan" |
			awk -F '\t' -v m="$mirror" '{ t = $1; sub(/^.*:/, "", t); print m ":" t "\t" $2 }' >"$work/pairs"
		cut -f1 "$work/pairs" >"$work/refs"
		if ! probe "$work/refs"; then
			cat "$work/refs.err" >&2
			echo "verify: $mirror: cannot probe its tags"
			status=1
			continue
		fi
		bad=0 tags=0
		while IFS="$(printf '\t')" read -r ref canonical; do
			tags=$((tags + 1))
			want=$(digest_in "$work/canonicals.probe" "$canonical")
			got=$(digest_in "$work/refs.probe" "$ref")
			[ "$want" = - ] || [ "$got" != "$want" ] || continue
			echo "verify: $ref: at $got, not at $canonical ($want)"
			bad=$((bad + 1))
		done <"$work/pairs"
		if [ "$bad" -gt 0 ]; then
			echo "verify: $mirror: $bad of $tags tags are not at their canonical image on IMAGE; make repair points them back"
			status=1
		else
			echo "verify: $mirror: $(wc -l <"$plan") groups, $tags tags: every tag at its canonical digest"
		fi
	done
	set +f
	return $status
}

case ${1:-} in
plan) [ $# -eq 3 ] || die "usage: $0 plan LINE STAMP"; me=plan; plan "$2" "$3" ;;
verify) verify ;;
*) die "usage: $0 plan LINE STAMP | verify" ;;
esac
