/*
 * fuzz-ref: ref_parse() on one reference (the input up to a NUL).
 * Properties of a reference that parses: its text and its parts hold only
 * characters safe in a URL path, a file name and a shell word; the tag is a
 * valid_tag(), the digest a valid_digest(); written back out as
 * HOST/NAME[:TAG][@DIGEST] it parses to the same parts; the loopback and
 * Docker Hub predicates answer without crashing.
 */
#include "fuzz.h"
#include "ref.h"

#include <stdlib.h>
#include <string.h>

static const char SAFE[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/@[]";

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct ref r, again;
	const char *why;
	if (!ref_parse(text, &r, &why)) {
		fuzz_assert(why && *why);
		fuzz_assert(!r.host && !r.name && !r.tag && !r.digest);
		free(text);
		return 0;
	}
	fuzz_assert(text[strspn(text, SAFE)] == '\0');
	fuzz_assert(r.host && r.name);
	fuzz_assert(!r.tag || valid_tag(r.tag));
	fuzz_assert(!r.digest || valid_digest(r.digest));
	(void)ref_is_loopback(&r);
	(void)ref_is_docker_hub(&r);

	char *back = xasprintf("%s/%s%s%s%s%s", r.host, r.name, r.tag ? ":" : "",
	                       r.tag ? r.tag : "", r.digest ? "@" : "", r.digest ? r.digest : "");
	fuzz_assert(ref_parse(back, &again, &why));
	fuzz_assert(same(r.host, again.host) && same(r.name, again.name));
	fuzz_assert(same(r.tag, again.tag) && same(r.digest, again.digest));
	fuzz_assert(ref_is_loopback(&r) == ref_is_loopback(&again));
	ref_free(&again);
	free(back);
	ref_free(&r);
	free(text);
	return 0;
}
