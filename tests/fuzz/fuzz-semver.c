/*
 * fuzz-semver: semver_parse() and semver_cmp() over the lines of the input,
 * with the properties precedence must have whatever the text:
 *   cmp(a, b) == -cmp(b, a), cmp(a, a) == 0, transitivity,
 *   cmp(a, b) == 0 exactly when a and b are the same but for "+BUILD",
 *   semver_check_release() agrees with semver_parse() + semver_is_release().
 */
#include "fuzz.h"
#include "semver.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_VERSIONS = 16 };

static bool same_bare(const struct semver *a, const struct semver *b)
{
	return a->bare.n == b->bare.n && memcmp(a->bare.p, b->bare.p, a->bare.n) == 0;
}

static void check_one(const char *s, size_t n, const struct semver *v)
{
	/* every span lies in the text; bare is the text up to '+' */
	fuzz_assert(v->bare.p == s && v->bare.n <= n);
	fuzz_assert(v->build.p ? v->bare.n + 1 + v->build.n == n : v->bare.n == n);
	fuzz_assert(v->major.n && v->minor.n && v->patch.n);
	fuzz_assert(semver_cmp(v, v) == 0);
	fuzz_assert(semver_is_release(v) == (!v->pre.p && !v->build.p));
	if (!memchr(s, '\0', n)) {
		char *z = xstrndup(s, n);
		const char *why;
		fuzz_assert(semver_check_release(z, &why) == semver_is_release(v));
		free(z);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct semver v[MAX_VERSIONS];
	size_t n = 0, pos = 0, len;
	const char *line;
	struct buf text = {0};
	buf_add(&text, data, size);
	while (n < MAX_VERSIONS && next_line(&text, &pos, &line, &len)) {
		const char *why;
		if (semver_parse(line, len, &v[n], &why))
			check_one(line, len, &v[n++]);
		else
			fuzz_assert(why && *why);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int ij = fuzz_sign(semver_cmp(&v[i], &v[j]));
			fuzz_assert(ij == -fuzz_sign(semver_cmp(&v[j], &v[i])));
			fuzz_assert((ij == 0) == same_bare(&v[i], &v[j]));
			for (size_t k = 0; k < n; k++)
				if (ij <= 0 && semver_cmp(&v[j], &v[k]) <= 0)
					fuzz_assert(semver_cmp(&v[i], &v[k]) <= 0);
		}
	buf_free(&text);
	return 0;
}
