# mk/mirror-lib.sh: helpers of the mirror stage (MIRRORS), sourced after
# mk/lib.sh.  IMAGE stays the source of truth: what a group publishes is
# decided once, against IMAGE (mk/publish-group.sh); each mirror is then
# given the same tags at the digest IMAGE's stamp of the group records.
# shellcheck shell=sh

# mirror_id REPO: the 16 hex digits that name REPO's stamps and statuses
# ($STATE/mirror-stamps/<id>/, $STATE/status/<key16>@<id>), and its rules
# in groups.mk (no value of MIRRORS is pasted into a makefile or a shell).
mirror_id() {
	mirror_sum=$(sha256 "mirror $1")
	printf '%.16s\n' "$mirror_sum"
}

# mirror_of ID: the repository of MIRRORS whose mirror_id is ID; fails when
# none is.
mirror_of() {
	set -f
	for mirror_repo in ${MIRRORS:-}; do
		if [ "$(mirror_id "$mirror_repo")" = "$1" ]; then
			set +f
			printf '%s\n' "$mirror_repo"
			return 0
		fi
	done
	set +f
	return 1
}

# mirror_ids: the id of every repository of MIRRORS, one a line, in order.
mirror_ids() {
	set -f
	for mirror_repo in ${MIRRORS:-}; do
		mirror_id "$mirror_repo"
	done
	set +f
}

# on_mirror REF MIRROR: REF's tag in MIRROR's repository.
on_mirror() {
	printf '%s:%s\n' "$2" "${1##*:}"
}

# skopeo_tls SIDE REF CERTDIR: skopeo's TLS options for REF's registry
# (SIDE src or dest), by the rule of the registry tools and buildah
# (plain_http, mk/lib.sh): plain HTTP only to a loopback registry whose TLS
# handshake fails; else verified, with REGISTRY_CA_FILE's CAs in CERTDIR.
skopeo_tls() {
	if plain_http "$2"; then
		echo "--$1-tls-verify=false"
		return
	fi
	echo "--$1-tls-verify=true"
	[ -z "$3" ] || echo "--$1-cert-dir=$3"
}
