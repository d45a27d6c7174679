#!/bin/sh
# mk/registry.sh: a private Docker registry (Debian's docker-registry,
# distribution 2.8) on a free loopback port, for the tests and `make demo`.
#
#   mk/registry.sh start DIR [--auth FILE] [--tls CERT KEY] [--lifetime SECONDS]
#                            [--port PORT]
#       writes DIR/config.yml (with FILE's lines as its auth: section: the
#       tests' Basic and token auth, tests/lib-registry.sh), serves DIR/data on 127.0.0.1:PORT (PORT: the one
#       of the last start when it is free, else a free one), waits until
#       /v2/ answers; writes DIR/addr, DIR/pid; the log (access log included)
#       goes to DIR/log.  Prints the address.  Does nothing but print the
#       address when DIR/pid is alive.  --lifetime bounds how long it runs.
#   mk/registry.sh stop DIR
#   mk/registry.sh count DIR METHOD [URI-REGEX [STATUS-REGEX]]
#       prints how many requests of the access log match (METHOD '*' = any;
#       the regexes are extended, unanchored, on the URI with its query).
#   mk/registry.sh log-mark DIR
#       remembers the end of the log in DIR/mark ...
#   mk/registry.sh count-since DIR METHOD [URI-REGEX [STATUS-REGEX]]
#       ... and counts only the requests logged after it.
set -eu

me=mk/registry.sh
die() { echo "$me: $*" >&2; exit 1; }
usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0" >&2
	exit 2
}

# alive PID: true when the process exists and is not a zombie.
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	state=$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$state" != Z ]
}

# ours PID DIR: PID is alive and serves DIR (not a reused pid).
ours() {
	alive "$1" && grep -qaF "$2/config.yml" "/proc/$1/cmdline" 2>/dev/null
}

running() {
	[ -f "$1/pid" ] && ours "$(cat "$1/pid")" "$1"
}

# free_port: a port nobody listens on now (a race remains: start retries).
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# yaml_str VALUE: VALUE as a double-quoted YAML scalar, refusing what would
# need escaping (our paths and names never do).
yaml_str() {
	case $1 in
	*[\"\\]* | *'
'*) die "unsupported character in '$1'" ;;
	esac
	printf '"%s"' "$1"
}

write_config() { # DIR PORT
	# every value checked first: a $(...) in an argument loses its status
	for value in "$1/data" "$tls_cert" "$tls_key"; do
		yaml_str "$value" >/dev/null
	done
	bytes=$(od -An -N16 -tx1 /dev/urandom)
	# shellcheck disable=SC2086 # one word per byte
	secret=$(printf '%s' $bytes)
	{
		echo 'version: 0.1'
		echo 'log: {level: info}'
		echo 'storage:'
		echo "  filesystem: {rootdirectory: $(yaml_str "$1/data")}"
		echo '  delete: {enabled: true}'
		echo '  maintenance: {uploadpurging: {enabled: false}}'
		echo 'http:'
		echo "  addr: 127.0.0.1:$2"
		echo "  secret: $secret"
		if [ -n "$tls_cert" ]; then
			echo "  tls: {certificate: $(yaml_str "$tls_cert"), key: $(yaml_str "$tls_key")}"
		fi
		if [ -n "$auth" ]; then
			echo 'auth:'
			sed 's/^/  /' "$auth"
		fi
	} >"$1/config.yml"
}

# answers ADDR: the registry answers /v2/ (any HTTP status: auth may refuse).
answers() {
	scheme=http
	[ -z "$tls_cert" ] || scheme=https
	code=$(curl -s -k -o /dev/null -w '%{http_code}' --max-time 1 \
		"$scheme://$1/v2/" 2>/dev/null) || :
	[ -n "$code" ] && [ "$code" != 000 ]
}

abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

start() {
	dir=$1
	shift
	auth='' tls_cert='' tls_key='' lifetime='' want_port=''
	while [ $# -gt 0 ]; do
		case $1 in
		--auth)
			[ $# -ge 2 ] || usage
			[ -f "$2" ] || die "--auth $2: no such file"
			auth=$(abspath "$2")
			shift 2 ;;
		--tls)
			[ $# -ge 3 ] || usage
			tls_cert=$(abspath "$2") tls_key=$(abspath "$3")
			shift 3 ;;
		--port)
			[ $# -ge 2 ] || usage
			case $2 in '' | *[!0-9]*) usage ;; esac
			want_port=$2
			shift 2 ;;
		--lifetime)
			[ $# -ge 2 ] || usage
			case $2 in '' | *[!0-9]*) usage ;; esac
			lifetime=$2
			shift 2 ;;
		*) usage ;;
		esac
	done
	mkdir -p "$dir/data"
	dir=$(cd "$dir" && pwd)
	if running "$dir" && [ -f "$dir/addr" ]; then
		cat "$dir/addr"
		return 0
	fi
	# The same port as last time when it is free: the address is part of the
	# image names a pipeline stamps, so a restart must not move it.
	previous=
	if [ -f "$dir/addr" ]; then
		previous=$(sed -n 's/^127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$dir/addr")
	fi
	rm -f "$dir/pid" "$dir/addr" "$dir/mark"

	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		if [ -n "$want_port" ]; then
			port=$want_port
		elif [ $tries -eq 1 ] && [ -n "$previous" ]; then
			port=$previous
		else
			port=$(free_port)
		fi
		write_config "$dir" "$port"
		# GOGC=400: Go collects garbage a fifth as often, and the registry
		# spends about a quarter less CPU a request (1000 HEADs of a blob:
		# 1.0 to 1.1 s instead of 1.3 to 1.7) in 37 MB instead of 25.
		# With --lifetime (digits only), under timeout.
		# shellcheck disable=SC2086 # two words or none, split on purpose
		GOGC=400 ${lifetime:+timeout $lifetime} docker-registry serve "$dir/config.yml" \
			</dev/null >>"$dir/log" 2>&1 &
		pid=$!
		# up to ~10 s for /v2/ to answer
		i=0
		while [ $i -lt 100 ] && alive "$pid"; do
			if answers "127.0.0.1:$port"; then
				echo "$pid" >"$dir/pid"
				echo "127.0.0.1:$port" >"$dir/addr"
				echo "127.0.0.1:$port"
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		if alive "$pid"; then
			kill "$pid" 2>/dev/null || :
			die "registry did not answer within 10 s; see $dir/log"
		fi
		# died: most likely the port was taken meanwhile; try another
		tail -n 5 "$dir/log" >"$dir/log.tail" || :
		grep -q 'address already in use' "$dir/log.tail" ||
			die "registry failed to start; see $dir/log"
		[ -z "$want_port" ] || die "port $want_port is taken; see $dir/log"
	done
	die "no free port after $tries tries; see $dir/log"
}

stop() {
	dir=$1
	[ -f "$dir/pid" ] || return 0
	dir=$(cd "$dir" && pwd)
	pid=$(cat "$dir/pid")
	if ours "$pid" "$dir"; then
		kill "$pid" 2>/dev/null || :
		i=0
		while [ $i -lt 50 ] && alive "$pid"; do
			sleep 0.1
			i=$((i + 1))
		done
		if alive "$pid"; then # the registry under timeout(1), then timeout
			pkill -9 -P "$pid" 2>/dev/null || :
			kill -9 "$pid" 2>/dev/null || :
		fi
	fi
	rm -f "$dir/pid"
}

# count_log METHOD [URI-RE [STATUS-RE]] < log: counts access-log lines,
#   127.0.0.1 - user [date] "GET /v2/x/manifests/y HTTP/1.1" 200 93 "" "agent"
# The regexes go through the environment: awk -v would turn "\." into "."
# (and Debian's mawk knows no {n} intervals: write them out).
count_log() {
	COUNT_URI_RE="${2:-}" COUNT_STATUS_RE="${3:-}" awk -v m="$1" '
		BEGIN { FS = "\""; re = ENVIRON["COUNT_URI_RE"]; st = ENVIRON["COUNT_STATUS_RE"] }
		$1 ~ /^[0-9.:a-f\[\]]+ [^ ]+ [^ ]+ \[[^]]+\] $/ {
			split($2, r, " ")
			split($3, s, " ")
			if ((m == "*" || r[1] == m) && r[2] ~ re && s[1] ~ st)
				n++
		}
		END { print n + 0 }'
}

log_size() {
	if [ -f "$1/log" ]; then
		size=$(wc -c <"$1/log")
		echo $((size))
	else
		echo 0
	fi
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case $cmd in
start) start "$dir" "$@" ;;
stop) [ $# -eq 0 ] || usage; stop "$dir" ;;
count)
	{ [ $# -ge 1 ] && [ $# -le 3 ]; } || usage
	[ -f "$dir/log" ] || die "no log in $dir"
	count_log "$@" <"$dir/log" ;;
log-mark) [ $# -eq 0 ] || usage; log_size "$dir" >"$dir/mark" ;;
count-since)
	{ [ $# -ge 1 ] && [ $# -le 3 ]; } || usage
	[ -f "$dir/log" ] || die "no log in $dir"
	mark=0
	[ ! -f "$dir/mark" ] || mark=$(cat "$dir/mark")
	# a file, not a pipe: sh keeps only the last member's status
	since=$(mktemp "${TMPDIR:-/tmp}/registry-log.XXXXXX")
	trap 'rm -f "$since"' EXIT
	tail -c +"$((mark + 1))" "$dir/log" >"$since"
	count_log "$@" <"$since" ;;
*) usage ;;
esac
