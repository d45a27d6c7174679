#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# SIGKILL of the whole `make -j2 publish` process group at random moments
# (seeded; 20 in make check-long, 3 in make check), each followed by a
# rerun to completion.  Right after each kill,
# read from the registry: every stamp claims only work that was done (its
# canonical image and tags are at the digest it records); the state files
# are whole (each written to a temporary file and renamed); the lock is free
# (flock dies with its holders).  After each rerun: every tag of the plan
# at its canonical digest, and nothing the killed run left behind remains
# (its build storage, temporary files).
#
# Speed: each round publishes a new greatest release, so both groups are
# built again and latest* moves: a small library of 2 groups, 2 platforms
# and 7 tags publishes in ~4 s here, so 20 kills, their reruns and the
# checks take ~2 minutes (3 kills ~20 s).  The moments are uniform over the
# duration of the first publish, measured; when a run ends before its
# moment (the machine got faster), the round is not a kill: the moments are
# drawn from then on over what that run took, and rounds go on until KILLS
# of them were kills (4 times KILLS rounds at most: the load of the scripts
# running beside this one changes the runs' durations, not the checks).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

KILLS=${KILLS:-$(test_size 3 20)}
SEED=${SEED:-8300}
export KILLS SEED
# the runs' temporary files, where nothing_left can see buildah's
TMPDIR=$TRASH/tmp
mkdir -p "$TMPDIR"
export TMPDIR

pipeline_setup
cat >"$TRASH/library" <<EOF
Maintainers: Steven Fackler <sfackler@gmail.com> (@sfackler)
GitRepo: https://github.com/rust-lang-nursery/docker-rust.git

Tags: 1.19.0-stretch, latest
Architectures: amd64, arm64v8
GitCommit: 8affdd6599d29fd20f987eef52234267f3c3e668
Directory: 1.19.0/stretch

Tags: 1.19.0-jessie
Architectures: amd64, arm64v8
GitCommit: 8affdd6599d29fd20f987eef52234267f3c3e668
Directory: 1.19.0/jessie
EOF
LIBRARY=$TRASH/library
export LIBRARY

test_expect_success 'the first publish, timed' '
	standins "$LIBRARY" &&
	start=$(ms) &&
	pub publish -j2 >out 2>&1 &&
	echo $(($(ms) - start)) >duration &&
	echo "first publish: $(cat duration) ms" &&
	tags_at_canonical &&
	test "$(builds)" = 2
'

# after_kill I: the checks right after kill I; what was running is in ps.I.
after_kill() {
	lock_free && state_whole && stamps_true && return 0
	echo "after kill $1, while these ran:"
	cat "ps.$1"
	return 1
}

# nothing_left: a run after a kill removed what the killed one left: its
# build storage (a group it had pushed is not built again) and temporary
# files, buildah's too (buildahN, storageN: under $TMPDIR, else /var/tmp,
# where a killed build cannot remove them).
nothing_left() {
	{
		ls -A "$STATE/buildah" 2>/dev/null
		find "$STATE" -name "*.tmp.*"
		find "$TMPDIR" -mindepth 1 -maxdepth 1 \( -name "buildah[0-9]*" -o -name "storage[0-9]*" \)
	} >left
	test_empty left
}

# running I: what ran when kill I came (from ps.I), in short.
running() {
	sed "s/^[0-9]* //" "ps.$1" | grep -Eo "^buildah .* (bud|manifest push)|^image-[a-z]+|mk/[a-z-]+\.sh" |
		sed "s/^buildah .* \(bud\|manifest push\)\$/buildah \1/" | sort -u | tr "\n" " "
}

test_expect_success "$KILLS kills at random moments: stamps true, state whole, lock free; reruns finish" '
	RANDOM=$SEED duration=$(cat duration) round=0 kills=0 ended=0 &&
	while [ "$kills" -lt "$KILLS" ]; do
		round=$((round + 1)) &&
		if [ "$round" -gt $((KILLS * 4)) ]; then
			echo "$ended of $((round - 1)) runs ended before their moment"
			return 1
		fi &&
		release "v0.1.$((77 + round))" &&
		at=$((RANDOM * duration / 32768)) &&
		start=$(ms) &&
		{ pub_bg publish -j2 >"kill.$round" 2>&1 || { cat "kill.$round"; false; }; } &&
		sleep "$(awk -v ms="$at" "BEGIN { print ms / 1000 }")" &&
		{ pgrep -a -g "$PUB_PID" >"ps.$round" || :; } &&
		{ kill -KILL -- "-$PUB_PID" 2>/dev/null || :; } &&
		{ wait "$PUB_PID" 2>/dev/null || :; } &&
		group_gone "$PUB_PID" &&
		if [ -s "$PUB_ENDED" ]; then
			# the run ended before its moment: this machine publishes
			# faster now than the first time; draw from what it took
			ended=$((ended + 1)) duration=$(($(cat "$PUB_ENDED") - start)) &&
			what="had ended after $duration ms: $(tail -n 1 "kill.$round")"
		else
			kills=$((kills + 1)) what=killed
		fi &&
		echo "round $round, kill at $at ms: $what; $(ls "$STATE/stamps" | grep -vc "\.tmp\.") stamps;" \
			"running: $(running "$round")" &&
		after_kill "$round" &&
		registry_mark &&
		pub publish -j2 >"rerun.$round" 2>&1 &&
		echo "  rerun: $(builds) builds" &&
		tags_at_canonical &&
		stamps_true &&
		nothing_left || return 1
	done &&
	echo "$kills kills hit a running publish; $ended runs ended before their moment"
'

test_done
