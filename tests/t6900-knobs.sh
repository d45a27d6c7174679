#!/bin/bash
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2317 # bodies are eval'ed
# Every knob is checked before the first request: a wrong one fails the run
# (publish, plan, matrix) with one message naming it, and nothing reaches
# the registry.  Knobs from the environment count as on the command line.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pipeline.sh
. "$SRC/tests/lib-pipeline.sh"

pipeline_setup
LIBRARY=$(rev 005)
export LIBRARY

# refused GOAL KNOB=VALUE MESSAGE-RE [VAR=V...]: the goal fails, its output
# names the knob and matches MESSAGE-RE, no publish summary, no request to
# the registry
refused() {
	registry_mark &&
	test_status 2 pub "$1" "$2" "${@:4}" >out 2>&1 &&
	test_grep "^pipeline: error: ${2%%=*}=.*$3" out &&
	test "$(grep -c "error: " out)" = 1 &&
	test_no_grep "groups published|include" out &&
	test "$(registry_count_since '*')" = 0
}

test_expect_success 'IMAGE: uppercase, trailing slash, a tag, a URL' '
	refused publish IMAGE=$REGISTRY/You/cargo-chef "lowercase" &&
	refused publish IMAGE=$REGISTRY/cargo-chef/ "invalid repository name" &&
	refused publish IMAGE=$REGISTRY/cargo-chef:tag "without a tag" &&
	refused publish IMAGE=https://$REGISTRY/cargo-chef "not a URL" &&
	refused matrix IMAGE=$REGISTRY/You/cargo-chef "lowercase" &&
	refused plan IMAGE=$REGISTRY/You/cargo-chef "lowercase"
'

test_expect_success 'PLATFORMS: unknown platforms fail publish and matrix' '
	refused publish PLATFORMS=s390x "unknown platform" &&
	refused publish PLATFORMS=linux/s390 "unknown platform" &&
	refused matrix PLATFORMS=s390x "unknown platform" &&
	refused matrix PLATFORMS= "no platform"
'

test_expect_success 'BASE_REPO, VERSION, CONTEXT, STATE, LOCK_WAIT, DRY_RUN' '
	refused publish BASE_REPO=$REGISTRY/Rust "lowercase" &&
	refused publish BASE_REPO= "empty" &&
	refused publish VERSION=0.1 "not a semantic version" &&
	refused publish CONTEXT=tests "no Dockerfile" &&
	touch afile &&
	refused publish STATE=$TRASH/afile "not a writable directory" &&
	refused publish LOCK_WAIT=soon "a number of seconds" &&
	refused publish DRY_RUN=0 "1 or empty" &&
	refused publish TAGS_TIMEOUT=0 "a number of seconds" &&
	refused publish LIBRARY_TIMEOUT=x "a number of seconds"
'

test_expect_success 'BUILDER: unknown, or not installed' '
	refused publish BUILDER=docker "want buildx or buildah" &&
	mkdir -p nodocker &&
	printf "#!/bin/sh\necho \"docker: unknown command buildx\" >&2\nexit 1\n" >nodocker/docker &&
	chmod +x nodocker/docker &&
	refused publish BUILDER=buildx "docker buildx is not installed" PATH="$TRASH/nodocker:$SRC/bin:$PATH"
'

test_expect_success 'a knob from the environment is used as one on the command line' '
	standins "$LIBRARY" &&
	IMAGE=$REGISTRY/from-env make -C "$SRC" --no-print-directory plan STATE="$STATE" \
		LIBRARY="$LIBRARY" TAGS_FROM="$TAGS" BASE_REPO="$REGISTRY/rust" \
		PLATFORMS="$PLATFORMS" BUILDER=buildah CONTEXT=tests/context >out 2>err &&
	test_grep "^  canonical  $REGISTRY/from-env:0\.1\.77-base-" out &&
	test_grep "IMAGE from the environment" err
'

test_done
