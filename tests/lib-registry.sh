# tests/lib-registry.sh: real-registry fixtures for the shell tests; source
# it after tests/lib.sh.  Start fixtures at the top level of the script (a
# test body is a subshell: variables set there are lost).  Every process it
# starts is recorded in $TRASH/.fixtures and stopped when the script ends,
# and each has a bounded lifetime besides ($FIXTURE_LIFETIME seconds).
#
#   registry_start [--dir DIR] [--htpasswd FILE | --token REALM SERVICE ISSUER CERTPEM]
#                  [mk/registry.sh start options]
#                           -> $REGISTRY (127.0.0.1:PORT), $REGISTRY_DIR
#                           (default $TRASH/registryN, N counting the calls)
#   registry_auth FILE --htpasswd FILE | --token REALM SERVICE ISSUER CERTPEM
#                           writes FILE, for mk/registry.sh start --auth FILE
#   registry_count METHOD [URI-RE [STATUS-RE]]   requests in its access log
#   registry_mark; registry_count_since METHOD [URI-RE [STATUS-RE]]
#   push_standin REF [tests/standin-image.sh options]   prints the digest
#   auth_basic_setup USER PASS    a bcrypt htpasswd registry
#   token_registry_start USER PASS [token-server.py options]
#                           a token-auth registry -> $TOKEN_SERVER, $TOKEN_LOG
#                           (and $REGISTRY, $REGISTRY_DIR)
#   token_count             requests the (last) token server answered
#   ref_digest HOST/REPO:TAG [curl options]   the digest served, by HEAD
#                           (in $REF_SCHEME, http unless set; curl reads
#                           CURL_CA_BUNDLE for https)
#   ref_digests < REFS      "REF<TAB>DIGEST" for each line HOST/REPO:TAG,
#                           one curl for them all (DIGEST empty: none)
#   tls_ca DIR              a CA: DIR/ca.pem, DIR/ca.key
#   tls_cert DIR NAME SANS  a server certificate the CA signs, for SANS
#                           ("DNS:localhost,IP:127.0.0.1"): DIR/NAME.pem, .key
#   proxy_start MODE [fault-proxy.py options]   -> $PROXY, $PROXY_LOG
#   docker_config DIR HOST USER PASS   writes DIR/config.json with auths
#   test_grep_i RE FILE; tool_summary_re TOOL    assertions on the tools
#   summary_matches_log TOOL ERRFILE  its summary = the access log since the mark
#   fixture_alive PID       the process runs (zombies do not)

: "${FIXTURE_LIFETIME:=300}"
FIXTURES=$SRC/tests/fixtures
REGISTRY_SH=$SRC/mk/registry.sh
REGISTRY_AUTHFILE=
MANIFEST_ACCEPT='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
export REGISTRY_SH MANIFEST_ACCEPT

fixtures_stop() {
	[ -f "$TRASH/.fixtures" ] || return 0
	while read -r kind what; do
		case $kind in
		registry) "$REGISTRY_SH" stop "$what" ;;
		pid) # only if it is still ours: its arguments name $TRASH
			tr '\0' ' ' <"/proc/$what/cmdline" 2>/dev/null |
				grep -qF "$TRASH/" && kill "$what" 2>/dev/null ;;
		esac
	done <"$TRASH/.fixtures"
	rm -f "$TRASH/.fixtures"
}
test_atexit fixtures_stop

# fixture_alive PID: the process runs (a zombie does not count: whoever
# reaps orphans here may never do it).
fixture_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) in
	Z*) return 1 ;;
	esac
}

# wait_for_file FILE: up to ~10 s for a fixture to write FILE.
wait_for_file() {
	i=0
	while [ ! -s "$1" ]; do
		[ $i -lt 100 ] || { echo "timed out waiting for $1" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# registry_auth FILE --htpasswd HTPASSWD | --token REALM SERVICE ISSUER CERTPEM:
# the auth section of a registry's configuration, Basic auth by an htpasswd
# file or tokens of a token server (its realm URL, the service and issuer it
# names, its certificate).  Paths are made absolute; a value that would need
# YAML escaping is refused.
registry_auth() {
	auth_out=$1
	shift
	for auth_value in "$@"; do
		case $auth_value in
		*[\"\\]* | *'
'*) echo "registry_auth: unsupported character in '$auth_value'" >&2; return 1 ;;
		esac
	done
	case ${1:-}:$# in
	--htpasswd:2)
		printf 'htpasswd: {realm: registry, path: "%s"}\n' "$(abs_path "$2")" >"$auth_out" ;;
	--token:5)
		printf 'token:\n  realm: "%s"\n  service: "%s"\n  issuer: "%s"\n  rootcertbundle: "%s"\n' \
			"$2" "$3" "$4" "$(abs_path "$5")" >"$auth_out" ;;
	*) echo "usage: registry_auth FILE --htpasswd FILE | --token REALM SERVICE ISSUER CERTPEM" >&2
		return 1 ;;
	esac
}

abs_path() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

registry_start() {
	registry_n=$((${registry_n:-0} + 1))
	REGISTRY_DIR=$TRASH/registry$registry_n
	if [ "${1:-}" = --dir ]; then
		REGISTRY_DIR=$2
		shift 2
	fi
	case ${1:-} in
	--htpasswd)
		mkdir -p "$REGISTRY_DIR" &&
		registry_auth "$REGISTRY_DIR.auth" "$1" "$2" || return 1
		shift 2
		set -- --auth "$REGISTRY_DIR.auth" "$@" ;;
	--token)
		mkdir -p "$REGISTRY_DIR" &&
		registry_auth "$REGISTRY_DIR.auth" "$1" "$2" "$3" "$4" "$5" || return 1
		shift 5
		set -- --auth "$REGISTRY_DIR.auth" "$@" ;;
	esac
	REGISTRY=$("$REGISTRY_SH" start "$REGISTRY_DIR" \
		--lifetime "$FIXTURE_LIFETIME" "$@") || return 1
	echo "registry $REGISTRY_DIR" >>"$TRASH/.fixtures"
	export REGISTRY REGISTRY_DIR
}

registry_count() {
	"$REGISTRY_SH" count "$REGISTRY_DIR" "$@"
}

registry_mark() {
	"$REGISTRY_SH" log-mark "$REGISTRY_DIR"
}

registry_count_since() {
	"$REGISTRY_SH" count-since "$REGISTRY_DIR" "$@"
}

# push_authfile: the file of credentials stand-ins are pushed with.
# buildah reads only this file, whatever $DOCKER_CONFIG the test set.
push_authfile() {
	if [ -n "$REGISTRY_AUTHFILE" ]; then
		echo "$REGISTRY_AUTHFILE"
		return
	fi
	mkdir -p "$TRASH/.push-auth"
	[ -f "$TRASH/.push-auth/none.json" ] || echo '{}' >"$TRASH/.push-auth/none.json"
	echo "$TRASH/.push-auth/none.json"
}

push_standin() {
	ref=$1
	shift
	authfile=$(push_authfile) || return 1
	"$SRC/tests/standin-image.sh" "$ref" --authfile "$authfile" "$@"
}

# docker_config DIR HOST USER PASS: a config.json whose auths hold USER:PASS
# for HOST (the format of ~/.docker/config.json, read by buildah too).
docker_config() {
	mkdir -p "$1"
	jq -n --arg host "$2" --arg auth "$(printf '%s:%s' "$3" "$4" | base64 -w0)" \
		'{auths: {($host): {auth: $auth}}}' >"$1/config.json"
}

# auth_basic_setup USER PASS: starts a registry with a bcrypt htpasswd file
# holding USER:PASS; pushes by push_standin use those credentials.
auth_basic_setup() {
	printf '%s\n' "$2" | htpasswd -niB "$1" >"$TRASH/htpasswd" || return 1
	registry_start --htpasswd "$TRASH/htpasswd" || return 1
	docker_config "$TRASH/.push-auth" "$REGISTRY" "$1" "$2"
	REGISTRY_AUTHFILE=$TRASH/.push-auth/config.json
}

# start_python NAME SCRIPT ARGS...: runs a fixture that writes its port to
# $TRASH/NAME.port, its pid to $TRASH/NAME.pid, logs to $TRASH/NAME.log;
# prints 127.0.0.1:PORT.  A --lifetime in ARGS overrides the default.
start_python() {
	name=$1
	script=$2
	shift 2
	rm -f "$TRASH/$name.port"
	python3 "$FIXTURES/$script" --port-file "$TRASH/$name.port" \
		--log "$TRASH/$name.log" --lifetime "$FIXTURE_LIFETIME" "$@" \
		</dev/null >>"$TRASH/$name.err" 2>&1 &
	echo "pid $!" >>"$TRASH/.fixtures"
	echo "$!" >"$TRASH/$name.pid"
	wait_for_file "$TRASH/$name.port" || return 1
	echo "127.0.0.1:$(cat "$TRASH/$name.port")"
}

# token_registry_start USER PASS [token-server.py options]: a registry with
# token auth (service "test-registry", issuer "test-issuer") and its token
# server, which knows USER:PASS; pushes by push_standin use them.
token_registry_start() {
	user=$1
	pass=$2
	shift 2
	if [ ! -f "$TRASH/token.key" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=token \
			-keyout "$TRASH/token.key" -out "$TRASH/token.pem" \
			2>/dev/null || return 1
	fi
	token_n=$((${token_n:-0} + 1))
	printf '%s:%s\n' "$user" "$pass" >"$TRASH/token$token_n.users"
	TOKEN_SERVER=$(start_python "token$token_n" token-server.py \
		--key "$TRASH/token.key" --cert "$TRASH/token.pem" \
		--issuer test-issuer --service test-registry \
		--users "$TRASH/token$token_n.users" "$@") || return 1
	TOKEN_LOG=$TRASH/token$token_n.log
	registry_start --token "http://$TOKEN_SERVER/token" test-registry \
		test-issuer "$TRASH/token.pem" || return 1
	docker_config "$TRASH/.push-auth" "$REGISTRY" "$user" "$pass"
	REGISTRY_AUTHFILE=$TRASH/.push-auth/config.json
	export TOKEN_SERVER TOKEN_LOG
}

# ref_digest HOST/REPO:TAG [curl options]: the digest the registry serves
# for it (HEAD with the full Accept header), or nothing.
ref_digest() {
	ref=$1
	shift
	curl -sfI "$@" -H "Accept: $MANIFEST_ACCEPT" \
		"${REF_SCHEME:-http}://${ref%%/*}/v2/$(printf '%s' "${ref#*/}" | sed 's/:\([^:]*\)$/\/manifests\/\1/')" |
		tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}

# ref_digests: ref_digest of every reference on stdin, in one curl (one
# connection per registry, not a process per reference: the checks after
# each publish ask about every tag).
ref_digests() {
	refs_in=$(mktemp "$TRASH/.refs.XXXXXX") || return 1
	cat >"$refs_in"
	awk -v scheme="${REF_SCHEME:-http}" '{
		host = $0; sub(/\/.*/, "", host)
		path = substr($0, length(host) + 2)
		if (host == "" || path == "" || !match(path, /:[^:\/]*$/)) { print "ref_digests: bad reference " $0 > "/dev/stderr"; exit 1 }
		printf "url = \"%s://%s/v2/%s/manifests/%s\"\noutput = \"/dev/null\"\n", scheme, host,
			substr(path, 1, RSTART - 1), substr(path, RSTART + 1)
	}' "$refs_in" >"$refs_in.cfg" &&
	{ [ ! -s "$refs_in" ] || curl -s -I -H "Accept: $MANIFEST_ACCEPT" -K "$refs_in.cfg" \
		-w '%{http_code}\t%header{docker-content-digest}\n' >"$refs_in.out" || :; } &&
	touch "$refs_in.out" &&
	if [ "$(wc -l <"$refs_in")" != "$(wc -l <"$refs_in.out")" ]; then
		echo "ref_digests: curl answered $(wc -l <"$refs_in.out") of $(wc -l <"$refs_in") references" >&2
		rm -f "$refs_in" "$refs_in".*
		return 1
	fi
	awk -F '\t' 'NR == FNR { code[FNR] = $1; digest[FNR] = $2; next }
		{ printf "%s\t%s\n", $0, (code[FNR] == 200 ? digest[FNR] : "") }' "$refs_in.out" "$refs_in"
	rm -f "$refs_in" "$refs_in".*
}

tls_ca() {
	mkdir -p "$1" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test CA $$" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		-keyout "$1/ca.key" -out "$1/ca.pem" 2>/dev/null
}

tls_cert() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
		-keyout "$1/$2.key" -out "$1/$2.csr" 2>/dev/null &&
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" >"$1/$2.ext" &&
	openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
		-CAcreateserial -days 2 -extfile "$1/$2.ext" -out "$1/$2.pem" 2>/dev/null
}

# test_grep_i PATTERN FILE: test_grep, ignoring case.
test_grep_i() {
	grep -Ei -e "$1" "$2" >/dev/null && return 0
	echo "no match for /$1/i in $2:"
	sed 's/^/    /' "$2"
	return 1
}

# tool_summary_re TOOL: the regex of the request summary every registry
# tool prints on stderr.
tool_summary_re() {
	echo "^$1: requests: HEAD=[0-9]+ GET=[0-9]+ PUT=[0-9]+ token=[0-9]+\$"
}

# summary_matches_log TOOL ERRFILE: the tool's summary line in ERRFILE
# states as many HEAD, GET and PUT requests as the registry logged since
# registry_mark.
summary_matches_log() {
	grep -E "$(tool_summary_re "$1")" "$2" |
		sed 's/^.*: requests: \(HEAD=[0-9]*\) \(GET=[0-9]*\) \(PUT=[0-9]*\) .*$/\1 \2 \3/' \
		>"$TRASH/.summary" &&
	echo "HEAD=$(registry_count_since HEAD) GET=$(registry_count_since GET) PUT=$(registry_count_since PUT)" \
		>"$TRASH/.logged" &&
	test_cmp "$TRASH/.summary" "$TRASH/.logged"
}

token_count() {
	if [ -f "$TOKEN_LOG" ]; then wc -l <"$TOKEN_LOG" | tr -d ' '; else echo 0; fi
}

# proxy_start MODE [fault-proxy.py options]: a fault-injecting proxy in
# front of $REGISTRY; a second call starts another ($PROXY is the last).
proxy_start() {
	mode=$1
	shift
	proxy_n=$((${proxy_n:-0} + 1))
	PROXY=$(start_python "proxy$proxy_n" fault-proxy.py \
		--upstream "$REGISTRY" --mode "$mode" "$@") || return 1
	PROXY_LOG=$TRASH/proxy$proxy_n.log
	export PROXY PROXY_LOG
}
