#!/bin/bash
# shellcheck disable=SC2016 # test bodies are single-quoted: lib.sh evals them
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

# The workflow's matrix of a rust revision, one group a line.
check_workflow() {
	txt=$1 json=${1%.txt}.workflow.json
	fields='{group_key, rust_aliases, architectures, representative_rust_tag, platforms}'
	jq -c ".[] | $fields" "$json" >want || return 1
	for bin in $bins; do
		"$bin/rust-groups" --workflow-keys "$txt" >groups || return 1
		"$BIN/arch-filter" <groups >filtered || return 1
		jq -c "$fields" filtered >got || return 1
		test_cmp want got || return 1
	done
}

# The reference's groups, sorted, with our key where it is "<commit>:<dir>"
# (a key of any other form stands for the reference's null).
check_groups() {
	txt=$1 ref=${1%.txt}.groups.jsonl
	jq -cs 'map({tags, shared, architectures, key}) | sort | .[]' "$ref" >want || return 1
	for bin in $bins; do
		"$bin/rust-groups" "$txt" >groups || return 1
		jq -cs 'map({tags: .rust_aliases, shared: .shared_aliases, architectures,
		             key: (.group_key | if test("^[0-9a-f]+:[^;%]*$") then . else null end)})
		        | sort | .[]' groups >got || return 1
		test_cmp want got || return 1
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

# The rust revisions share one shape: make check takes every 10th and the
# newest (16 of 150), make check-long all of them; library/ and invalid/
# (the rest of what the format allows) run whole in both.
rust=("$CORPUS"/rust/*.txt)
mapfile -t sample < <(test_sample "$(test_size 10 1)" "${rust[@]}")

for txt in "${sample[@]}"; do
	test_expect_success "workflow matrix of ${txt#"$CORPUS"/}" "check_workflow '$txt'"
done
for txt in "${sample[@]}" "$CORPUS"/library/*.txt; do
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

test_expect_success 'every group_key_tag is the first 16 hex digits of sha256(group_key)' '
	for txt in "$CORPUS"/library/*.txt; do
		rust-groups "$txt" | jq -r "[.group_key_tag, .group_key] | @tsv" || return 1
	done >pairs &&
	while IFS="	" read -r tag key; do
		[ "$(printf %s "$key" | sha256sum | cut -c1-16)" = "$tag" ] ||
			{ echo "$key: $tag"; return 1; }
	done <pairs &&
	test "$(wc -l <pairs)" -gt 100
'

test_done
