/*
 * fuzz-link: link_next() on a Link header value (RFC 8288), the way
 * tag_list() follows a tag listing's pages.  The first line of the
 * input is the URL of the page (when it reads as an http(s) URL of plain
 * characters; else a Docker Hub one), the rest up to a NUL the header.
 *
 * Properties: a next URL starts with the page's "scheme://host/" (a link
 * never takes the credentials to another host), holds only characters a
 * URL may (it goes to libcurl and into messages); given back as an absolute
 * link it resolves to itself (resolution is idempotent: no dot segment or
 * fragment left); a refusal says why, and "no next link" says nothing.
 * Before fuzzing, the resolution is checked against RFC 3986's own
 * examples (5.4.1 and 5.4.2, those on the base's host).
 */
#include "fuzz.h"
#include "link.h"

#include <stdlib.h>
#include <string.h>

static const char DEFAULT_BASE[] = "https://registry-1.docker.io/v2/library/rust/tags/list?n=1000";

/* The line as a base URL: http(s)://, then plain URL characters only. */
static bool plain_url(const char *s)
{
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return false;
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?=&%")] == '\0';
}

/* RFC 3986 5.4: references resolved against "http://a/b/c/d;p?q" (the
 * fragment dropped: it never reaches the server). */
static const char *const rfc3986[][2] = {
	{"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
	{"/g", "http://a/g"}, {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
	{"#s", "http://a/b/c/d;p?q"}, {"g#s", "http://a/b/c/g"}, {"g?y#s", "http://a/b/c/g?y"},
	{";x", "http://a/b/c/;x"}, {"g;x", "http://a/b/c/g;x"}, {"", "http://a/b/c/d;p?q"},
	{".", "http://a/b/c/"}, {"./", "http://a/b/c/"}, {"..", "http://a/b/"},
	{"../", "http://a/b/"}, {"../g", "http://a/b/g"}, {"../..", "http://a/"},
	{"../../", "http://a/"}, {"../../g", "http://a/g"}, {"../../../g", "http://a/g"},
	{"../../../../g", "http://a/g"}, {"/./g", "http://a/g"}, {"/../g", "http://a/g"},
	{"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"}, {"g..", "http://a/b/c/g.."},
	{"..g", "http://a/b/c/..g"}, {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"},
	{"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
	{"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
	{"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"},
	{"http:g", NULL}, {"g:h", NULL}, {"//g", NULL},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	argv0 = "fuzz-link";
	for (size_t i = 0; i < sizeof rfc3986 / sizeof *rfc3986; i++) {
		char *header = xasprintf("<%s>; rel=next", rfc3986[i][0]);
		const char *why, *want = rfc3986[i][1];
		char *got = link_next(header, "http://a/b/c/d;p?q", &why);
		if (want ? !got || strcmp(got, want) != 0 : got || !why) {
			fprintf(stderr, "RFC 3986 5.4: <%s> gives %s, not %s\n", rfc3986[i][0],
			        got ? got : "nothing", want ? want : "a refusal");
			fuzz_assert(!"resolution as RFC 3986 5.4 says");
		}
		free(got);
		free(header);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char *nl = strchr(text, '\n');
	const char *header = text, *base = DEFAULT_BASE;
	if (nl) {
		*nl = '\0';
		header = nl + 1;
		if (plain_url(text))
			base = text;
	}
	/* "scheme://host/": what every next URL must start with */
	const char *host = strstr(base, "://") + 3;
	size_t origin = (size_t)(host - base) + strcspn(host, "/?#");

	const char *why;
	char *next = link_next(header, base, &why);
	if (next) {
		fuzz_assert(!why);
		fuzz_assert(strncmp(next, base, origin) == 0 && next[origin] == '/');
		for (const unsigned char *p = (const unsigned char *)next; *p; p++)
			fuzz_assert(*p > ' ' && *p < 0x7f && *p != '"' && *p != '\\' && *p != '<' &&
			            *p != '>');
		fuzz_assert(!strchr(next, '#'));
		char *again_header = xasprintf("<%s>; rel=next", next);
		const char *why2;
		char *again = link_next(again_header, base, &why2);
		fuzz_assert(again && strcmp(again, next) == 0);
		free(again);
		free(again_header);
		free(next);
	}
	free(text);
	return 0;
}
