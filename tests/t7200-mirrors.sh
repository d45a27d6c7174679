#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317,SC2154 # bodies are eval'ed
# MIRRORS: every tag of IMAGE also on each mirror, at the same digest, from
# the one build.  Real registries on loopback, each with its own htpasswd
# user: IMAGE's credentials in the environment (as the workflow gives them),
# the mirrors' in config.json.  A first publish, a rerun (no request), a
# mirror added later (copied by skopeo, not built), a mirror down during a
# run (IMAGE published, the run fails naming it, the rerun completes it), a
# mirror with wrong credentials.  The third mirror serves TLS only, with a
# CA made here (REGISTRY_CA_FILE: skopeo and buildah get it as a cert dir).
# Requests are counted in each registry's own access log.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=2 REGISTRY_DEADLINE=20
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/docker
unset REGISTRY_CREDENTIALS_HOST
mkdir -p "$HOME" "$DOCKER_CONFIG"
PLATFORMS=linux/amd64

# registry NAME USER PASS [mk/registry.sh start options]: a registry with
# USER:PASS in its htpasswd file; sets NAME_REG (its address) and NAME_DIR
registry() {
	printf '%s\n' "$3" | htpasswd -niB "$2" >"$TRASH/htpasswd.$1" || return 1
	registry_name=$1
	shift 3
	registry_start --htpasswd "$TRASH/htpasswd.$registry_name" "$@" || return 1
	set -- "$registry_name"
	eval "$1_REG=\$REGISTRY $1_DIR=\$REGISTRY_DIR"
	eval "export $1_REG $1_DIR"
}
registry image chef pw-Chef-4hT9
registry m1 mone pw-Mone-2xQ7
registry m2 mtwo pw-Mtwo-9pL3
PKI=$TRASH/pki
tls_ca "$PKI" && tls_cert "$PKI" server "DNS:localhost,IP:127.0.0.1"
registry m3 mthree pw-Mthree-5vB1 --tls "$PKI/server.pem" "$PKI/server.key"
export REGISTRY_CA_FILE=$PKI/ca.pem PKI
registry m4 mfour pw-Mfour-7kD8
REGISTRY=$image_REG REGISTRY_DIR=$image_DIR
export REGISTRY REGISTRY_DIR

tags_repo v0.1.76 v0.1.77
# one group: the first entry of revision 005, with two of its tags (5 tags
# published: each build pushes each tag to every registry)
head -n 9 "$(rev 005)" | sed 's/^Tags: .*/Tags: 1.19.0-stretch, latest/' >"$TRASH/library"
LIBRARY=$TRASH/library
export LIBRARY

# the stand-in bases on IMAGE's registry, pushed with its credentials
mkdir -p "$TRASH/.push-auth"
docker_config "$TRASH/.push-auth" "$image_REG" chef pw-Chef-4hT9
REGISTRY_AUTHFILE=$TRASH/.push-auth/config.json
standins "$LIBRARY"
export REGISTRY_USER=chef REGISTRY_PASSWORD=pw-Chef-4hT9

# config.json: each mirror's user (m4's password is wrong: set below)
jq -n --arg m1 "$m1_REG" --arg m2 "$m2_REG" --arg m3 "$m3_REG" --arg m4 "$m4_REG" \
	--arg a1 "$(printf mone:pw-Mone-2xQ7 | base64 -w0)" \
	--arg a2 "$(printf mtwo:pw-Mtwo-9pL3 | base64 -w0)" \
	--arg a3 "$(printf mthree:pw-Mthree-5vB1 | base64 -w0)" \
	--arg a4 "$(printf mfour:wrong-password | base64 -w0)" \
	'{auths: {($m1): {auth: $a1}, ($m2): {auth: $a2}, ($m3): {auth: $a3}, ($m4): {auth: $a4}}}' \
	>"$DOCKER_CONFIG/config.json"

M1=$m1_REG/mirror-one/cargo-chef M2=$m2_REG/cargo-chef M3=$m3_REG/chef/three M4=$m4_REG/cargo-chef
export M1 M2 M3 M4

# mark_all; since NAME METHOD [URI-RE [STATUS-RE]]: requests in NAME's log
mark_all() {
	for d in "$image_DIR" "$m1_DIR" "$m2_DIR" "$m3_DIR" "$m4_DIR"; do
		"$REGISTRY_SH" log-mark "$d" || return 1
	done
}
since() {
	eval "dir=\$$1_DIR"
	shift
	"$REGISTRY_SH" count-since "$dir" "$@"
}

# on_every REPO USER:PASS [SCHEME]: every tag of the plan, on REPO (by
# SCHEME, default http), at the digest of its canonical on IMAGE
on_every() {
	jq -r '.canonical as $c | ($c, .tags[]) | [., $c] | @tsv' "$STATE/plan.jsonl" >"$TRASH/.pairs"
	[ -s "$TRASH/.pairs" ] || { echo "empty plan"; return 1; }
	bad=0
	while IFS="$(printf '\t')" read -r tag canonical; do
		want=$(ref_digest "$canonical" -u chef:pw-Chef-4hT9)
		got=$(REF_SCHEME=${3:-http} ref_digest "$1:${tag##*:}" -u "$2" --cacert "$PKI/ca.pem")
		if [ -z "$want" ] || [ "$got" != "$want" ]; then
			echo "$1:${tag##*:} at '$got', the canonical $canonical at '$want'"
			bad=1
		fi
	done <"$TRASH/.pairs"
	return "$bad"
}

# users_in DIR: the user names its log names (authenticated or refused)
users_in() {
	sed -n -e 's/.*auth[.]user[.]name="\{0,1\}\([^" ]*\).*/\1/p' \
		-e 's/.*error authenticating user \\*"\([^"\\]*\)\\*".*/\1/p' "$1/log" | sort -u
}

test_expect_success 'MIRRORS is checked before any request' '
	mark_all &&
	test_status 2 pub plan MIRRORS="$M1 $M1" >out 2>&1 &&
	test_grep "MIRRORS=.*twice" out &&
	test_status 2 pub plan MIRRORS="$image_REG/cargo-chef" >out 2>&1 &&
	test_grep "MIRRORS=.*IMAGE" out &&
	test_status 2 pub plan MIRRORS="$M1 Bad/Name" >out 2>&1 &&
	test_grep "MIRRORS=.*Bad/Name" out &&
	test_status 2 pub plan MIRRORS="https://$M1" >out 2>&1 &&
	test_grep "MIRRORS=.*not a URL" out &&
	test "$(since image "*")" = 0 && test "$(since m1 "*")" = 0
'

test_expect_success 'first publish: every tag on every registry, one build' '
	mark_all &&
	pub publish MIRRORS="$M1 $M2" >out 2>&1 &&
	test_grep "1 of 1 groups published" out &&
	test "$(grep -c "building " out)" = 1 &&
	test "$(builds)" = 1 &&
	on_every "$image_REG/cargo-chef" chef:pw-Chef-4hT9 &&
	on_every "$M1" mone:pw-Mone-2xQ7 &&
	on_every "$M2" mtwo:pw-Mtwo-9pL3 &&
	test "$(since image GET "^/v2/cargo-chef/")" = 0 &&
	test "$(since m1 PUT "/manifests/[0-9.]+-base-[0-9a-f]+[.][0-9a-f]+\$" "^201\$")" = 1
'

test_expect_success 'each user only at its own registry' '
	users_in "$image_DIR" >users && echo chef >expect && test_cmp expect users &&
	users_in "$m1_DIR" >users && echo mone >expect && test_cmp expect users &&
	users_in "$m2_DIR" >users && echo mtwo >expect && test_cmp expect users
'

test_expect_success 'a rerun sends no request to any registry' '
	mark_all &&
	pub publish MIRRORS="$M1 $M2" >out 2>&1 &&
	test_grep "1 of 1 groups published" out &&
	for r in image m1 m2; do test "$(since $r "*")" = 0 || return 1; done
'

test_expect_success 'plan shows each registry per group; verify checks every one' '
	pub plan MIRRORS="$M1 $M2" >out 2>&1 &&
	test_grep "mirror  *$M1  *done" out &&
	test_grep "mirror  *$M2  *done" out &&
	pub verify MIRRORS="$M1 $M2" >out 2>&1 &&
	test_grep "verify: $M1: .*every tag at its canonical digest" out &&
	test_grep "verify: $M2: .*every tag at its canonical digest" out
'

test_expect_success 'a mirror added later is copied, not built' '
	mark_all &&
	pub publish DRY_RUN=1 MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test_grep "would copy" out &&
	test "$(since m3 "*")" = "$(since m3 HEAD)" && test "$(since m3 PUT)" = 0 &&
	test "$(since image GET)" = 0 && test "$(since image PUT)" = 0 &&
	mark_all &&
	pub publish MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test "$(builds)" = 0 &&
	test_no_grep "building " out &&
	on_every "$M3" mthree:pw-Mthree-5vB1 https &&
	test "$(since m1 "*")" = 0 && test "$(since m2 "*")" = 0 &&
	test_grep "copied" out
'

test_expect_success 'verify names a mirror tag moved outside the pipeline; repair points it back' '
	tag=$(jq -r ".tags[0] | sub(\"^.*:\"; \"\")" "$STATE/plan.jsonl") &&
	REGISTRY_AUTHFILE=$DOCKER_CONFIG/config.json &&
	push_standin "$M2:$tag" --platforms linux/amd64 --content elsewhere >/dev/null &&
	test_status 2 pub verify MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test_grep "verify: $M2:$tag: at " out &&
	test_grep "verify: $M1: .*every tag" out &&
	mark_all &&
	pub repair MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test "$(builds)" = 0 &&
	test "$(since m2 PUT "/manifests/$tag\$" "^201\$")" = 1 &&
	pub verify MIRRORS="$M1 $M2 $M3" >out 2>&1
'

# (make group G=, as a job of the workflow runs it)
test_expect_success 'a mirror down: IMAGE published, the run fails naming it' '
	release v0.1.78 &&
	"$REGISTRY_SH" stop "$m2_DIR" &&
	mark_all &&
	key=$(jq -r .group_key_tag "$STATE/plan.jsonl") &&
	test_status 2 pub group G="$key" MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test_grep "0.1.78" "$STATE/version" &&
	test_grep "mirror $M2.*failed" out &&
	test "$(builds)" = 1 &&
	on_every "$image_REG/cargo-chef" chef:pw-Chef-4hT9 &&
	on_every "$M1" mone:pw-Mone-2xQ7 &&
	on_every "$M3" mthree:pw-Mthree-5vB1 https &&
	test "$(since image GET "^/v2/cargo-chef/")" = 0
'

test_expect_success 'the rerun completes the mirror only, and builds nothing' '
	registry_start --dir "$m2_DIR" --htpasswd "$TRASH/htpasswd.m2" &&
	test "$REGISTRY" = "$m2_REG" &&
	REGISTRY=$image_REG REGISTRY_DIR=$image_DIR &&
	mark_all &&
	pub publish MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test "$(builds)" = 0 &&
	on_every "$M2" mtwo:pw-Mtwo-9pL3 &&
	test "$(since m1 "*")" = 0 && test "$(since m3 "*")" = 0 &&
	mark_all &&
	pub publish MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	for r in image m1 m2 m3; do test "$(since $r "*")" = 0 || return 1; done
'

test_expect_success 'a mirror with wrong credentials is named (an error in GitHub Actions), IMAGE untouched' '
	mark_all &&
	GITHUB_ACTIONS=true test_status 2 pub publish MIRRORS="$M1 $M2 $M3 $M4" >out 2>&1 &&
	test_grep "mirror $M4.*failed" out &&
	test_grep "1 of 1 groups published, .*; 1 mirror publishes failed: [0-9a-f]{16} on $M4\$" out &&
	test_grep "^::error::mirror $M4: group [0-9a-f]{16} failed" out &&
	test_grep "$m4_REG.*(credentials|401|unauthorized)" out &&
	test "$(since image PUT)" = 0 && test "$(since m1 "*")" = 0
'

# a mirror's failure does not stop the other groups: a plain make publish
# (no -k) of two groups, on a state of its own, with a mirror down
test_expect_long 'two groups, a mirror down: both published to IMAGE all the same' '
	printf "%s\n" "" "Tags: 1.19.0-jessie" "Architectures: amd64" \
		"GitCommit: 8affdd6599d29fd20f987eef52234267f3c3e668" "Directory: 1.19.0/jessie" >jessie &&
	cat "$LIBRARY" jessie >library2 &&
	{ head -n 4 "$LIBRARY" && cat jessie; } >jessie.library &&
	standins jessie.library &&
	"$REGISTRY_SH" stop "$m2_DIR" &&
	mark_all &&
	STATE=$TRASH/state2 LIBRARY=$TRASH/library2 \
		test_status 2 pub publish MIRRORS="$M1 $M2" >out 2>&1 &&
	test_grep "2 of 2 groups published, 0 waiting for their base, 0 failed; 2 mirror publishes failed" out &&
	test "$(builds)" = 1 &&
	registry_start --dir "$m2_DIR" --htpasswd "$TRASH/htpasswd.m2" >/dev/null
'

# the long tier: a build pushed once (BUILDAH_PUSH=once, mk/build-push.sh)
# reaches each mirror as one push of the build tag; IMAGE still spends its
# one GET (image-alias), each mirror one of its own
test_expect_long 'BUILDAH_PUSH=once: one push to each mirror, the reads on IMAGE unchanged' '
	release v0.1.80 &&
	mark_all &&
	BUILDAH_PUSH=once pub publish MIRRORS="$M1 $M2 $M3" >out 2>&1 &&
	test "$(builds)" = 1 &&
	test "$(since image GET "^/v2/cargo-chef/manifests/")" = 1 &&
	on_every "$image_REG/cargo-chef" chef:pw-Chef-4hT9 &&
	on_every "$M1" mone:pw-Mone-2xQ7 &&
	on_every "$M2" mtwo:pw-Mtwo-9pL3 &&
	on_every "$M3" mthree:pw-Mthree-5vB1 https &&
	for r in m1 m2 m3; do
		test "$(since $r GET "/manifests/")" = 1 || return 1
	done
'

test_done
