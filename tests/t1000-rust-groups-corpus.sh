#!/bin/bash
# shellcheck disable=SC2016,SC2034 # test bodies are single-quoted, and read variables: lib.sh evals them
# rust-groups over the whole corpus, one test per file (so a failure names
# it), each against the normal build and, when SANBIN is set, the ASan+UBSan
# build:
#   rust/*.txt          --workflow-keys | arch-filter gives the .workflow.json
#                       the original workflow computed, exactly;
#   rust/, library/     the groups of the reference parser (.groups.jsonl):
#                       same tags, shared tags and architectures, and the key
#                       "<commit>:<directory>" exactly where it has one;
#   invalid/*.txt       rejected: exit 1, nothing on stdout, the reference's
#                       message (.error) after "rust-groups: FILE:LINE: ".
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

bins=$BIN${SANBIN:+ $SANBIN}
read -ra bin_dirs <<<"$bins"

# The rust revisions share one shape: make check takes every 10th and the
# newest (16 of 150), make check-long all of them; library/ and invalid/
# (the rest of what the format allows) run whole in both.
rust=("$CORPUS"/rust/*.txt)
mapfile -t sample < <(test_sample "$(test_size 10 1)" "${rust[@]}")
library=("$CORPUS"/library/*.txt)

# What is compared, as jq programs: of the workflow's matrix (a rust
# revision's .workflow.json) and of rust-groups --workflow-keys | arch-filter,
# these fields of each group; of the reference parser's groups
# (.groups.jsonl) and of rust-groups, the groups sorted, with our key where
# it is "<commit>:<dir>" (a key of any other form stands for the
# reference's null).
workflow_fields='{group_key, rust_aliases, architectures, representative_rust_tag, platforms}'
reference_groups='map({tags, shared, architectures, key}) | sort | .[]'
our_groups='map({tags: .rust_aliases, shared: .shared_aliases, architectures,
	key: (.group_key | if test("^[0-9a-f]+:[^;%]*$") then . else null end)}) | sort | .[]'

# Every file through the filters, each build, and both sides in those
# forms, by jq_each (one jq for all the files, not three a file); the tests
# after it compare them, one test per file (so a failure names it).  Named
# by jq_each: want-*/<the file>, got-*-N/<the build's output of the file>.
test_expect_success 'the corpus through the filters, each build (what the tests below compare)' '
	workflows=() references=() &&
	for txt in "${sample[@]}"; do workflows+=("${txt%.txt}.workflow.json"); done &&
	for txt in "${sample[@]}" "${library[@]}"; do references+=("${txt%.txt}.groups.jsonl"); done &&
	jq_each want-workflow ".[] | $workflow_fields" "${workflows[@]}" &&
	jq_each want-groups --slurp "$reference_groups" "${references[@]}" &&
	failed=0 &&
	for i in "${!bin_dirs[@]}"; do
		bin=${bin_dirs[i]}
		mkdir -p "filtered-$i" "groups-$i" || return 1
		for txt in "${sample[@]}"; do
			{ "$bin/rust-groups" --workflow-keys "$txt" >groups &&
				"$BIN/arch-filter" <groups >"filtered-$i/${txt//\//%}"; } ||
				{ echo "$bin/rust-groups --workflow-keys $txt | arch-filter failed"; failed=1; }
		done
		for txt in "${sample[@]}" "${library[@]}"; do
			"$bin/rust-groups" "$txt" >"groups-$i/${txt//\//%}" ||
				{ echo "$bin/rust-groups $txt failed"; failed=1; }
		done
		jq_each "got-workflow-$i" "$workflow_fields" "filtered-$i"/* &&
		jq_each "got-groups-$i" --slurp "$our_groups" "groups-$i"/* || return 1
	done &&
	test "$failed" = 0
'

# The workflow's matrix of a rust revision, one group a line.
check_workflow() {
	json=${1%.txt}.workflow.json name=${1//\//%}
	test -s "want-workflow/${json//\//%}" || { echo "no groups in $json"; return 1; }
	for i in "${!bin_dirs[@]}"; do
		test_cmp "want-workflow/${json//\//%}" "got-workflow-$i/filtered-$i%$name" || return 1
	done
}

# The reference's groups.
check_groups() {
	ref=${1%.txt}.groups.jsonl name=${1//\//%}
	for i in "${!bin_dirs[@]}"; do
		test_cmp "want-groups/${ref//\//%}" "got-groups-$i/groups-$i%$name" || return 1
	done
}

# Rejected with the reference's message.
check_invalid() {
	txt=$1 msg=$(cat "${1%.txt}.error")
	for bin in $bins; do
		test_status 1 "$bin/rust-groups" "$txt" >out 2>err || { cat err; return 1; }
		test_empty out || return 1
		case $(cat err) in
		"rust-groups: $txt:"[1-9]*": "*) ;;
		*) echo "not \"rust-groups: FILE:LINE: \":"; cat err; return 1 ;;
		esac
		if ! grep -qF -- "$msg" err; then
			echo "expected the message: $msg"; echo "got:"; cat err; return 1
		fi
		[ "$(wc -l <err)" -eq 1 ] || { echo "more than one line:"; cat err; return 1; }
	done
}

for txt in "${sample[@]}"; do
	test_expect_success "workflow matrix of ${txt#"$CORPUS"/}" "check_workflow '$txt'"
done
for txt in "${sample[@]}" "${library[@]}"; do
	test_expect_success "reference groups of ${txt#"$CORPUS"/}" "check_groups '$txt'"
done
for txt in "$CORPUS"/invalid/*.txt; do
	test_expect_success "rejects ${txt#"$CORPUS"/}" "check_invalid '$txt'"
done

# lessons.md: the workflow hashed "<commit>: <dir>"; the documented key has
# no space.  Both tags of the newest revision's trixie group, by name.
test_expect_success 'group_key_tag of stable/trixie, documented and workflow keys' '
	newest=$(ls "$CORPUS"/rust/*.txt | tail -n 1) &&
	rust-groups "$newest" | jq -r "select(.group_key | endswith(\":stable/trixie\"))
		| .group_key + \" \" + .group_key_tag" >got &&
	rust-groups --workflow-keys "$newest" | jq -r "select(.group_key | endswith(\": stable/trixie\"))
		| .group_key + \" \" + .group_key_tag" >>got &&
	cat >want <<-\EOF &&
	7e8ce3f02e3f0292a54b9212ccad6204bde54289:stable/trixie 89c8e0c32de65c70
	7e8ce3f02e3f0292a54b9212ccad6204bde54289: stable/trixie 880cf93c3be0cc2b
	EOF
	test_cmp want got
'

# (the groups of library/ that the first test wrote, each key in a file of
# its own: one jq and one sha256sum for them all)
test_expect_success 'every group_key_tag is the first 16 hex digits of sha256(group_key)' '
	jq -r "[.group_key_tag, .group_key] | @tsv" groups-0/*%library%* >pairs &&
	test "$(wc -l <pairs)" -gt 100 &&
	mkdir keys && keys=() && n=0 &&
	while IFS="	" read -r tag key; do
		n=$((n + 1)) && printf %s "$key" >"keys/$n" && keys+=("keys/$n") || return 1
	done <pairs &&
	sha256sum "${keys[@]}" | cut -c1-16 >sums &&
	cut -f1 pairs >tags &&
	test_cmp tags sums
'

test_done
