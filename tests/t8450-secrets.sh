#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Secrets during a whole publish with credentials: the base images on a
# Basic-auth registry (bcrypt htpasswd), IMAGE on a token-auth registry
# (RS256 JWTs from tests/fixtures/token-server.py), the same user and a
# distinctive password on both.  Credentials first from a docker config.json,
# then from REGISTRY_USER and REGISTRY_PASSWORD for IMAGE's registry, with a
# config.json for the base's (buildah then gets them from an auth file the
# pipeline writes and removes).  Meanwhile every
# process's arguments are sampled (/proc/*/cmdline, every ~20 ms): the
# password, the base64 of user:password and any JWT ("eyJ") appear in no
# argument, no file under $STATE or left in TMPDIR, and no output of make.
# Environments are not checked (that is where the credentials may be).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

# no credentials of this machine
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config TMPDIR=$TRASH/tmp
unset REGISTRY_USER REGISTRY_PASSWORD REGISTRY_AUTH_FILE
mkdir -p "$HOME" "$DOCKER_CONFIG" "$TMPDIR"

LOGIN=alice
PASS=Pw8450-q7Zx-Secret-kV3m
AUTH=$(printf '%s:%s' "$LOGIN" "$PASS" | base64 -w0)
export LOGIN PASS AUTH

# the tags (an unused open registry comes with them), then the bases on the
# Basic-auth registry, then the token registry, which becomes $REGISTRY
small_platforms
pipeline_setup
LIBRARY=$(small_library "$(rev 005)")
export LIBRARY
auth_basic_setup "$LOGIN" "$PASS"
BASIC=$REGISTRY
standins "$LIBRARY" || echo "# cannot push the stand-in bases"
token_registry_start "$LOGIN" "$PASS"
export BASIC

mkdir -p "$TRASH/config"
jq -n --arg basic "$BASIC" --arg token "$REGISTRY" --arg auth "$AUTH" \
	'{auths: {($basic): {$auth}, ($token): {$auth}}}' >"$TRASH/config/config.json"
# the environment's credentials are IMAGE's registry's only: the base
# registry's come from a config.json that names it alone
mkdir -p "$TRASH/base-config"
jq -n --arg basic "$BASIC" --arg auth "$AUTH" '{auths: {($basic): {$auth}}}' \
	>"$TRASH/base-config/config.json"

# sample_argv: until ./stop exists (3000 rounds at most, ~1 minute), every
# ~20 ms, the arguments not seen before of each process of this script (its
# environment holds this TRASH: the scripts make check runs beside it have
# secrets of their own, a token in a curl's arguments), one line each.  One
# python3 process: a bash loop over /proc took ~10 s of CPU a script.
sample_argv() {
	python3 -c '
import os, sys, time
ours = b"\0TRASH=" + os.environ["TRASH"].encode() + b"\0"
seen = set()
for _ in range(3000):
    if os.path.exists("stop"):
        break
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/" + pid + "/environ", "rb") as f:
                if ours not in b"\0" + f.read():
                    continue
            with open("/proc/" + pid + "/cmdline", "rb") as f:
                args = f.read()
        except OSError:
            continue
        # the arguments joined by blanks, as "${args[*]}" would
        line = args[:-1].replace(b"\0", b" ") if args.endswith(b"\0") else args.replace(b"\0", b" ")
        if line and line not in seen:
            seen.add(line)
            sys.stdout.buffer.write(line + b"\n")
    sys.stdout.flush()
    time.sleep(0.02)
'
}

# published_watched [VAR=V]...: make publish with these knobs while
# sampling arguments into argv; make's output in out.
published_watched() {
	rm -f stop &&
	{ sample_argv >argv & } &&
	sampler=$! &&
	status=0 &&
	pub publish BASE_REPO="$BASIC/rust" "$@" >out 2>&1 || status=$?
	touch stop
	wait "$sampler"
	echo "publish: exit $status; $(wc -l <argv) command lines sampled: $(
		grep -Eo "^buildah .* (bud|manifest push)|^[^ ]*image-(probe|alias|manifest)" argv |
			sed "s/^buildah .* \(bud\|manifest push\)\$/buildah \1/; s|^.*/||" |
			sort | uniq -c | tr -s " \n" " ")"
	[ "$status" = 0 ] || { cat out; return 1; }
	# the sampling saw the builds, the pushes and a registry tool
	test_grep "buildah .* bud " argv &&
	test_grep "buildah .* manifest push " argv &&
	test_grep "^([^ ]*/)?image-(probe|alias|manifest) " argv
}

# no_secret FILE...: no password, base64 of user:password or JWT in FILE.
no_secret() {
	! grep -F -l -e "$PASS" -e "$AUTH" -e eyJ "$@"
}

# secrets_kept: nowhere the test looks, and make verify passes.
secrets_kept() {
	no_secret argv out &&
	no_secret -r "$STATE" "$TMPDIR" &&
	ls -A "$TMPDIR" >left &&
	test_empty left
}

test_expect_success 'config.json: a whole publish, no secret in arguments, state or output' '
	registry_mark &&
	tokens=$(token_count) &&
	DOCKER_CONFIG=$TRASH/config published_watched &&
	test "$(builds)" = 2 &&
	echo "tokens issued: $(($(token_count) - tokens))" &&
	test "$(token_count)" -gt "$tokens" &&
	secrets_kept &&
	DOCKER_CONFIG=$TRASH/config pub verify BASE_REPO="$BASIC/rust" >verify 2>&1 &&
	test_grep "every tag at its canonical digest" verify
'

test_expect_success 'REGISTRY_USER and REGISTRY_PASSWORD for IMAGE (the base from config.json): the same, buildah included' '
	release v0.1.78 &&
	registry_mark &&
	DOCKER_CONFIG=$TRASH/base-config REGISTRY_USER=$LOGIN REGISTRY_PASSWORD=$PASS published_watched &&
	test "$(builds)" = 2 &&
	secrets_kept &&
	DOCKER_CONFIG=$TRASH/base-config REGISTRY_USER=$LOGIN REGISTRY_PASSWORD=$PASS \
		pub verify BASE_REPO="$BASIC/rust" >verify 2>&1 &&
	test_grep "every tag at its canonical digest" verify
'

test_expect_success 'without credentials the publish fails, saying so, and leaks nothing either' '
	release v0.1.79 &&
	test_status 2 pub publish BASE_REPO="$BASIC/rust" >out 2>&1 &&
	test_grep_i "unauthori|authenticat|credential|denied|insufficient_scope" out &&
	no_secret out
'

test_done
