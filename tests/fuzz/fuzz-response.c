/*
 * fuzz-response: what the registry client reads of a registry's answer, all
 * of it untrusted text: the header lines (response_on_header:
 * Docker-Content-Digest, Content-Type, RateLimit-*, WWW-Authenticate), the
 * body (response_on_body), the media type of a manifest
 * (manifest_media_type: Content-Type, else the body's mediaType), the error
 * body of a failure (response_error_text), the rate-limit headers
 * (note_ratelimit) and the challenge of a 401 (learn_challenge).
 * The input is an HTTP head: header lines, an empty line, then the body.
 *
 * Properties: a media type kept is visible ASCII with a '/' (it goes back
 * out in a Content-Type header); the error text and the rate-limit line
 * have no ASCII control character (they reach a terminal); a Bearer
 * challenge kept has an http(s) realm of visible ASCII.
 *
 * (The Link header of a tag listing's pages is fuzz-link's: link_next.)
 */
#include "fuzz.h"
#include "authorize.h"
#include "client.h"
#include "manifest.h"
#include "ref.h"
#include "transport.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Visible ASCII only: no space, no control character. */
static void check_visible(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fuzz_assert(*p > ' ' && *p < 0x7f);
}

/* No ASCII control character (a message line). */
static void check_line(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fuzz_assert(*p >= ' ' && *p != 0x7f);
}

static void read_head(const uint8_t *data, size_t size, struct response *resp)
{
	size_t pos = 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - data - pos) + 1 : size - pos;
		bool blank = len == 1 || (len == 2 && data[pos] == '\r');
		/* libcurl hands over one whole line at a time, its CRLF included */
		response_on_header((char *)data + pos, 1, len, resp);
		pos += len;
		if (blank)
			break;
	}
	if (pos < size)
		response_on_body((char *)data + pos, 1, size - pos, resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry reg = {0};
	struct host_auth h = {0};
	struct response resp = {0};
	argv0 = "image-probe";
	read_head(data, size, &resp);
	resp.status = 401;

	char *type = manifest_media_type(resp.content_type, &resp.body);
	if (type) {
		check_visible(type);
		fuzz_assert(strchr(type, '/'));
		free(type);
	}
	char *d = response_error_text(&resp);
	check_line(d);
	free(d);
	note_ratelimit(&reg, &resp);
	check_line(reg.ratelimit);
	if (resp.digest)
		(void)valid_digest(resp.digest);
	if (learn_challenge(&reg, &h, &resp)) {
		const char *realm = h.challenge.realm;
		if (strcasecmp(h.challenge.scheme, "Bearer") == 0) {
			check_visible(realm);
			fuzz_assert(strncmp(realm, "https://", 8) == 0 || strncmp(realm, "http://", 7) == 0);
		}
	} else {
		fuzz_assert(*registry_error(&reg));
	}
	challenge_free(&h.challenge);
	buf_free(&reg.error);
	response_free(&resp);
	return 0;
}
