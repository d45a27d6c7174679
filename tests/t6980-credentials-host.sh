#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Credentials stay with their host: a publish with IMAGE on one registry and
# BASE_REPO on another, each with its own htpasswd user.  The environment's
# credentials (REGISTRY_USER) are IMAGE's registry's only; the base registry
# gets what config.json holds for it.  Both access logs show each user only
# at its own registry: the registry tools' requests and buildah's alike.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

export REGISTRY_BACKOFF_MS=50 REGISTRY_ATTEMPTS=3 REGISTRY_DEADLINE=30
export HOME=$TRASH/home DOCKER_CONFIG=$TRASH/docker
unset REGISTRY_CREDENTIALS_HOST
mkdir -p "$HOME"
PLATFORMS=linux/amd64

printf '%s\n' pw-Chef-4hT9 | htpasswd -niB chef >"$TRASH/htpasswd.image"
printf '%s\n' pw-Base-8kW2 | htpasswd -niB basey >"$TRASH/htpasswd.base"
registry_start --htpasswd "$TRASH/htpasswd.image"
IMAGE_REG=$REGISTRY IMAGE_DIR=$REGISTRY_DIR
registry_start --htpasswd "$TRASH/htpasswd.base"
BASE_REG=$REGISTRY BASE_DIR=$REGISTRY_DIR
export IMAGE_REG IMAGE_DIR BASE_REG BASE_DIR

tags_repo v0.1.77
# one group: the first entry of revision 005
head -n 9 "$(rev 005)" >"$TRASH/library"
LIBRARY=$TRASH/library
export LIBRARY

# the base registry's credentials in config.json (the stand-ins are pushed
# with them); the image registry's in the environment only
docker_config "$DOCKER_CONFIG" "$BASE_REG" basey pw-Base-8kW2
REGISTRY_AUTHFILE=$DOCKER_CONFIG/config.json
standins "$LIBRARY"
export REGISTRY_USER=chef REGISTRY_PASSWORD=pw-Chef-4hT9

# users_in DIR: the user names the registry's log names, sorted, one a line:
# those it authenticated and those it refused
users_in() {
	sed -n -e 's/.*auth[.]user[.]name="\{0,1\}\([^" ]*\).*/\1/p' \
		-e 's/.*error authenticating user \\*"\([^"\\]*\)\\*".*/\1/p' "$1/log" | sort -u
}

test_expect_success 'the publish succeeds with each registry its own user' '
	REGISTRY=$IMAGE_REG pub publish BASE_REPO="$BASE_REG/rust" >out 2>&1 &&
	test_grep "1 of 1 groups published" out &&
	REGISTRY=$IMAGE_REG pub verify BASE_REPO="$BASE_REG/rust" >out 2>&1
'

test_expect_success 'each user is seen only at its own registry' '
	users_in "$IMAGE_DIR" >image.users &&
	users_in "$BASE_DIR" >base.users &&
	echo chef >expect && test_cmp expect image.users &&
	echo basey >expect && test_cmp expect base.users
'

test_expect_success 'without REGISTRY_CREDENTIALS_HOST a tool sends the environment credentials nowhere' '
	test_status 1 image-probe "$IMAGE_REG/cargo-chef:nope" >out 2>err &&
	test_grep "REGISTRY_CREDENTIALS_HOST is not" err &&
	users_in "$IMAGE_DIR" >image.users &&
	echo chef >expect && test_cmp expect image.users &&
	REGISTRY_CREDENTIALS_HOST=$IMAGE_REG image-probe "$IMAGE_REG/cargo-chef:nope" >out 2>err &&
	printf "%s\t-\n" "$IMAGE_REG/cargo-chef:nope" >expect && test_cmp expect out
'

test_done
