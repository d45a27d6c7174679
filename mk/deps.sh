#!/bin/sh
# mk/deps.sh ROLE...: installs the Debian packages of mk/packages.txt that
# the roles need (build, run, test) and that are missing, so that `make`,
# `make demo` and `make check` are the only commands a newcomer types.
set -eu
list=mk/packages.txt
[ $# -gt 0 ] || set -- build
roles=" $* "
missing=
while read -r pkg probe role; do
	case $pkg in '' | '#'*) continue ;; esac
	case $roles in *" $role "*) ;; *) continue ;; esac
	found=
	# the probe is a glob (multiarch paths differ between machines)
	for f in $probe; do
		[ -e "$f" ] && found=1
	done
	[ -n "$found" ] || missing="$missing $pkg"
done <"$list"
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
$sudo apt-get update -qq && $sudo apt-get install -y -qq $missing >&2
