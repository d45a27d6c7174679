/*
 * fuzz-challenge: challenge_parse() on a WWW-Authenticate value (the input
 * up to a NUL), as a registry or anyone between may send it.  Properties:
 * a parsed challenge has a Bearer or Basic scheme; every value it holds
 * ends inside the header (no read beyond it, checked by ASan) and has no
 * control character but a tab (the realm becomes a URL, the values a log
 * line); a failed parse leaves nothing allocated behind.
 */
#include "fuzz.h"
#include "challenge.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void check_value(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; p && *p; p++)
		fuzz_assert(*p >= ' ' || *p == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = xstrndup((const char *)data, size);
	struct challenge c;
	if (challenge_parse(value, &c)) {
		fuzz_assert(strcasecmp(c.scheme, "Bearer") == 0 || strcasecmp(c.scheme, "Basic") == 0);
		check_value(c.realm);
		check_value(c.service);
		check_value(c.scope);
		check_value(c.error);
		challenge_free(&c);
	} else {
		fuzz_assert(!c.scheme && !c.realm && !c.service && !c.scope && !c.error);
	}
	free(value);
	return 0;
}
