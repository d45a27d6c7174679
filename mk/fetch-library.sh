#!/bin/sh
# mk/fetch-library.sh OUT: stage 2, the library file.  LIBRARY is a path or a
# URL; a URL is fetched with a conditional GET (the ETag and Last-Modified of
# the last answer are kept beside OUT, in OUT.etag and OUT.modified), so an
# unchanged file costs a 304 and no body.  OUT is rewritten only when its
# content changes: nothing downstream reruns otherwise.  LIBRARY_TIMEOUT
# bounds each attempt, and the retries together, in seconds.
set -eu
me=library
. mk/lib.sh

out=$1
[ -n "$LIBRARY" ] || die "LIBRARY is empty"
stage_begin "$out"

case $LIBRARY in
*://*)
	limit=${LIBRARY_TIMEOUT:-120}
	set -- --silent --show-error --fail --location --retry 3 --retry-max-time "$limit" \
		--connect-timeout 10 --max-time "$limit" \
		--etag-save "$tmp.etag" --dump-header "$tmp.headers" \
		--output "$tmp" --write-out '%{http_code}'
	if [ -f "$out" ]; then
		[ ! -s "$out.etag" ] || set -- "$@" --etag-compare "$out.etag"
		[ ! -s "$out.modified" ] ||
			set -- "$@" --header "If-Modified-Since: $(cat "$out.modified")"
	fi
	status=0
	code=$(curl "$@" -- "$LIBRARY") || status=$?
	case $status in
	0) ;;
	28) die "the fetch of LIBRARY=$LIBRARY did not end within ${limit}s (LIBRARY_TIMEOUT)" ;;
	*) die "cannot fetch LIBRARY=$LIBRARY" ;;
	esac
	case $code in
	304) exit 0 ;;
	200) ;;
	*) die "LIBRARY=$LIBRARY answered HTTP $code" ;;
	esac
	[ -s "$tmp" ] || die "LIBRARY=$LIBRARY answered an empty file"
	# validators of this answer, for the next conditional GET
	modified=$(awk 'sub(/^[Ll]ast-[Mm]odified: */, "") { sub(/\r$/, ""); m = $0 } END { print m }' \
		"$tmp.headers")
	if [ -s "$tmp.etag" ]; then mv -f "$tmp.etag" "$out.etag"; else rm -f "$out.etag"; fi
	if [ -n "$modified" ]; then
		printf '%s\n' "$modified" >"$out.modified"
	else
		rm -f "$out.modified"
	fi ;;
*)
	[ -f "$LIBRARY" ] || die "LIBRARY=$LIBRARY: no such file"
	cp -- "$LIBRARY" "$tmp" ;;
esac
stage_end
