#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Authentication of image-probe and image-alias against real registries:
# Basic auth (bcrypt htpasswd) with credentials from config.json auths, a
# credential helper (credHelpers, credsStore) or the environment; token auth
# with anonymous and authenticated tokens and a token without push; wrong
# passwords fail clearly without a request storm; secrets are never printed.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-registry.sh
. "$SRC/tests/lib-registry.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=3 REGISTRY_DEADLINE=20
# no credentials of this machine: a home and a docker config of our own
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/no-config
unset REGISTRY_USER REGISTRY_PASSWORD
mkdir -p "$HOME" "$DOCKER_CONFIG"

PASS=pw-Alice-7Qk2xV9
auth_basic_setup alice "$PASS"
BASIC=$REGISTRY
push_standin "$BASIC/app:src" --platforms linux/amd64,linux/arm64 >"$TRASH/src.digest"
SRC_DIGEST=$(cat "$TRASH/src.digest")
export BASIC PASS SRC_DIGEST

# A credential helper named "test": its secret is read from a file, each
# call is logged (argv and the server asked for) to helper-<name>.log.
mkdir -p "$TRASH/helpers"
for name in test other; do
	cat >"$TRASH/helpers/docker-credential-$name" <<EOF
#!/bin/sh
server=\$(cat)
echo "\$* \$server" >>"$TRASH/helper-$name.log"
[ "\$1" = get ] || exit 1
if [ "\$server" != "\$(cat "$TRASH/helper-$name.server")" ]; then
	echo "credentials not found in native keychain"
	exit 1
fi
jq -n --arg s "\$server" --arg u "\$(cat "$TRASH/helper-$name.user")" \\
	--arg p "\$(cat "$TRASH/helper-$name.secret")" \\
	'{ServerURL: \$s, Username: \$u, Secret: \$p}'
EOF
	chmod +x "$TRASH/helpers/docker-credential-$name"
done
export PATH=$TRASH/helpers:$PATH

# config DIR JSON: a docker config directory holding config.json = JSON.
config() {
	mkdir -p "$1" && printf '%s\n' "$2" >"$1/config.json"
}
auth_of() { # USER PASS -> the base64 of config.json auths
	printf '%s:%s' "$1" "$2" | base64 -w0
}

# secrets_absent FILE...: no password or token appears in FILE.
secrets_absent() {
	for f in "$@"; do
		test_no_grep "$PASS|pw-Bob|pw-Carol|$(auth_of alice "$PASS")|eyJ" "$f" || return 1
	done
}


test_expect_success 'without credentials a Basic-auth registry refuses: exit 1, clear message' '
	test_status 1 image-probe "$BASIC/app:src" >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|credential|password|denied" err &&
	grep -E "$(tool_summary_re image-probe)" err >summary &&
	test "$(wc -l <summary)" -eq 1
'

test_expect_success 'config.json auths: probe finds the image and reports a missing one' '
	config auths "{\"auths\": {\"$BASIC\": {\"auth\": \"$(auth_of alice "$PASS")\"}}}" &&
	DOCKER_CONFIG=$TRASH/auths image-probe "$BASIC/app:src" "$BASIC/app:nope" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" "$BASIC/app:nope" - >expect &&
	test_cmp expect out &&
	test_grep "^image-probe: requests: HEAD=[0-9]+ GET=0 PUT=0 token=0\$" err &&
	secrets_absent out err
'

test_expect_success 'config.json auths: image-alias publishes the targets' '
	printf "%s\n" "$BASIC/app:a1" "$BASIC/app:a2" >targets &&
	registry_mark &&
	DOCKER_CONFIG=$TRASH/auths image-alias "$BASIC/app:src" <targets >out 2>err &&
	printf "%s\t%s\tupdated\n" "$BASIC/app:a1" "$SRC_DIGEST" "$BASIC/app:a2" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	test_grep "^image-alias: requests: HEAD=[0-9]+ GET=1 PUT=2 token=0\$" err &&
	summary_matches_log image-alias err &&
	ref_digest "$BASIC/app:a2" -u "alice:$PASS" >actual &&
	echo "$SRC_DIGEST" >expect &&
	test_cmp expect actual &&
	secrets_absent out err
'

test_expect_success '$HOME/.docker/config.json is read when DOCKER_CONFIG is unset' '
	config "$HOME/.docker" "{\"auths\": {\"$BASIC\": {\"auth\": \"$(auth_of alice "$PASS")\"}}}" &&
	(unset DOCKER_CONFIG && image-probe "$BASIC/app:src") >out 2>err &&
	rm -r "$HOME/.docker" &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out
'

test_expect_success 'credHelpers: the helper is asked for this host with "get" only' '
	echo "$BASIC" >helper-test.server && echo alice >helper-test.user &&
	echo "$PASS" >helper-test.secret &&
	config helper "{\"credHelpers\": {\"$BASIC\": \"test\"}}" &&
	rm -f helper-test.log &&
	DOCKER_CONFIG=$TRASH/helper image-probe "$BASIC/app:src" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	echo "get $BASIC" >expect &&
	test_cmp expect helper-test.log &&
	secrets_absent out err
'

test_expect_success 'credsStore: the store is asked when no credHelpers entry matches' '
	rm -f helper-test.log &&
	config store "{\"credsStore\": \"test\", \"credHelpers\": {\"elsewhere.example\": \"other\"}}" &&
	DOCKER_CONFIG=$TRASH/store image-probe "$BASIC/app:src" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	echo "get $BASIC" >expect &&
	test_cmp expect helper-test.log &&
	! test -e helper-other.log
'

test_expect_success 'credHelpers wins over credsStore and auths' '
	rm -f helper-test.log helper-other.log &&
	echo "$BASIC" >helper-other.server && echo alice >helper-other.user &&
	echo wrong-secret >helper-other.secret &&
	config both "{\"credsStore\": \"other\", \"credHelpers\": {\"$BASIC\": \"test\"},
		\"auths\": {\"$BASIC\": {\"auth\": \"$(auth_of alice wrong)\"}}}" &&
	DOCKER_CONFIG=$TRASH/both image-probe "$BASIC/app:src" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	test -e helper-test.log && ! test -e helper-other.log
'

test_expect_success 'a helper that does not know the host: no credentials, exit 1' '
	echo elsewhere.example >helper-other.server &&
	config unknown "{\"credHelpers\": {\"$BASIC\": \"other\"}}" &&
	test_status 1 env DOCKER_CONFIG="$TRASH/unknown" image-probe "$BASIC/app:src" >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|credential|password|denied" err
'

test_expect_success 'REGISTRY_USER and REGISTRY_PASSWORD, with no config at all' '
	REGISTRY_CREDENTIALS_HOST=$BASIC REGISTRY_USER=alice REGISTRY_PASSWORD=$PASS image-probe "$BASIC/app:src" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out &&
	secrets_absent out err
'

test_expect_success 'the environment wins over a config.json with a wrong password' '
	config wrong "{\"auths\": {\"$BASIC\": {\"auth\": \"$(auth_of alice wrong-pw)\"}}}" &&
	DOCKER_CONFIG=$TRASH/wrong REGISTRY_CREDENTIALS_HOST=$BASIC REGISTRY_USER=alice REGISTRY_PASSWORD=$PASS \
		image-probe "$BASIC/app:src" >out 2>err &&
	printf "%s\t%s\n" "$BASIC/app:src" "$SRC_DIGEST" >expect &&
	test_cmp expect out
'

test_expect_success 'a wrong password: clear message, exit 1, a handful of requests' '
	registry_mark &&
	test_status 1 env DOCKER_CONFIG="$TRASH/wrong" image-probe "$BASIC/app:src" "$BASIC/app:a1" "$BASIC/app:a2" >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|password|credential|denied" err &&
	test_grep "$(tool_summary_re image-probe)" err &&
	n=$(registry_count_since "*") &&
	echo "requests: $n" &&
	test "$n" -ge 1 && test "$n" -le 6 &&
	test_no_grep wrong-pw err
'

test_expect_success 'a wrong password fails image-alias too, and nothing is written' '
	registry_mark &&
	echo "$BASIC/app:w1" >targets &&
	test_status 1 env DOCKER_CONFIG="$TRASH/wrong" image-alias "$BASIC/app:src" <targets >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|password|credential|denied" err &&
	n=$(registry_count_since "*") &&
	test "$n" -le 4 &&
	test "$(registry_count_since PUT)" = 0
'

# A token-auth registry: bob may pull and push everywhere, carol may only
# pull, anonymous may pull public/* only.
printf '%s\n' 'bob * pull,push' 'carol * pull' 'anonymous public/* pull' >"$TRASH/policy"
printf '%s\n' carol:pw-Carol-3Ve8 >"$TRASH/carol.users"
token_registry_start bob pw-Bob-5Rt1 --policy "$TRASH/policy" --users "$TRASH/carol.users"
TOK=$REGISTRY
push_standin "$TOK/public/app:src" --platforms linux/amd64 --content public >"$TRASH/pub.digest"
push_standin "$TOK/private/app:src" --platforms linux/amd64 --content private >"$TRASH/priv.digest"
PUB_DIGEST=$(cat "$TRASH/pub.digest")
PRIV_DIGEST=$(cat "$TRASH/priv.digest")
config "$TRASH/bob" "{\"auths\": {\"$TOK\": {\"auth\": \"$(auth_of bob pw-Bob-5Rt1)\"}}}"
config "$TRASH/carol" "{\"auths\": {\"$TOK\": {\"auth\": \"$(auth_of carol pw-Carol-3Ve8)\"}}}"
config "$TRASH/bob-wrong" "{\"auths\": {\"$TOK\": {\"auth\": \"$(auth_of bob pw-Bob-wrong)\"}}}"
export TOK PUB_DIGEST PRIV_DIGEST

test_expect_success 'token: anonymous pull of a public repository, one token per scope' '
	before=$(token_count) &&
	image-probe "$TOK/public/app:src" "$TOK/public/app:nope" >out 2>err &&
	printf "%s\t%s\n" "$TOK/public/app:src" "$PUB_DIGEST" "$TOK/public/app:nope" - >expect &&
	test_cmp expect out &&
	test_grep "^image-probe: requests: HEAD=[0-9]+ GET=0 PUT=0 token=1\$" err &&
	test "$(token_count)" = $((before + 1)) &&
	tail -n 1 "$TOKEN_LOG" >last &&
	test_grep "scope=repository:public/app:pull user=anonymous status=200 granted=public/app:pull\$" last
'

test_expect_success 'token: anonymous pull of a private repository is refused, exit 1' '
	test_status 1 image-probe "$TOK/private/app:src" >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|insufficient|denied" err
'

test_expect_success 'token: bob probes and aliases the private repository' '
	DOCKER_CONFIG=$TRASH/bob image-probe "$TOK/private/app:src" >out 2>err &&
	printf "%s\t%s\n" "$TOK/private/app:src" "$PRIV_DIGEST" >expect &&
	test_cmp expect out &&
	printf "%s\n" "$TOK/private/app:b1" "$TOK/private/app:b2" >targets &&
	before=$(token_count) &&
	registry_mark &&
	DOCKER_CONFIG=$TRASH/bob image-alias "$TOK/private/app:src" <targets >out 2>err &&
	printf "%s\t%s\tupdated\n" "$TOK/private/app:b1" "$PRIV_DIGEST" "$TOK/private/app:b2" "$PRIV_DIGEST" >expect &&
	test_cmp expect out &&
	test_grep "^image-alias: requests: HEAD=[0-9]+ GET=1 PUT=2 token=[12]\$" err &&
	summary_matches_log image-alias err &&
	after=$(token_count) &&
	test $((after - before)) -le 2 &&
	tail -n $((after - before)) "$TOKEN_LOG" >new &&
	test_grep "user=bob status=200" new &&
	secrets_absent out err
'

test_expect_success 'token: bob re-publishes unchanged aliases with no GET' '
	registry_mark &&
	DOCKER_CONFIG=$TRASH/bob image-alias "$TOK/private/app:src" <targets >out 2>err &&
	printf "%s\t%s\tunchanged\n" "$TOK/private/app:b1" "$PRIV_DIGEST" "$TOK/private/app:b2" "$PRIV_DIGEST" >expect &&
	test_cmp expect out &&
	test_grep "^image-alias: requests: HEAD=[34] GET=0 PUT=0 token=1\$" err &&
	summary_matches_log image-alias err &&
	test "$(registry_count_since GET)" = 0
'

test_expect_success 'token: carol may pull but not push: insufficient_scope, exit 1' '
	DOCKER_CONFIG=$TRASH/carol image-probe "$TOK/private/app:src" >out 2>err &&
	printf "%s\t%s\n" "$TOK/private/app:src" "$PRIV_DIGEST" >expect &&
	test_cmp expect out &&
	echo "$TOK/private/app:c1" >targets &&
	registry_mark &&
	test_status 1 env DOCKER_CONFIG="$TRASH/carol" image-alias "$TOK/private/app:src" <targets >out 2>err &&
	test_empty out &&
	test_grep_i "insufficient.scope" err &&
	test_grep "private/app:c1" err &&
	test "$(registry_count_since PUT)" -le 2 &&
	ref_digest "$TOK/private/app:c1" >actual &&
	test_empty actual &&
	secrets_absent out err
'

test_expect_success 'token: a wrong password: the token server refuses, exit 1, no storm' '
	before=$(token_count) &&
	registry_mark &&
	test_status 1 env DOCKER_CONFIG="$TRASH/bob-wrong" image-probe "$TOK/private/app:src" "$TOK/private/app:b1" >out 2>err &&
	test_empty out &&
	test_grep_i "unauthori|authenticat|password|credential|denied" err &&
	n=$(( $(token_count) - before )) &&
	test "$n" -ge 1 && test "$n" -le 2 &&
	test "$(registry_count_since "*")" -le 4 &&
	test_no_grep pw-Bob err
'

test_expect_success 'REGISTRY_USER/REGISTRY_PASSWORD on the token registry' '
	REGISTRY_CREDENTIALS_HOST=$TOK REGISTRY_USER=bob REGISTRY_PASSWORD=pw-Bob-5Rt1 image-probe "$TOK/private/app:b1" >out 2>err &&
	printf "%s\t%s\n" "$TOK/private/app:b1" "$PRIV_DIGEST" >expect &&
	test_cmp expect out &&
	secrets_absent out err
'

test_done
