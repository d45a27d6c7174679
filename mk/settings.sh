#!/bin/sh
# mk/settings.sh OUT KNOB...: writes the named knobs and their values to OUT,
# one "NAME=value" a line, rewritten only when one changes: a stage that
# depends on OUT reruns exactly when a knob it reads was changed.
set -eu
me=settings
. mk/lib.sh

out=$1
shift
stage_begin "$out"
for name in "$@"; do
	eval "value=\${$name-}"
	# shellcheck disable=SC2154 # value is set by the eval above
	printf '%s=%s\n' "$name" "$value"
done >"$tmp"
stage_end
