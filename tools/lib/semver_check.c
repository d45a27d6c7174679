/* semver_check.c: semver-check's own work (see semver_check.h). */
#include "semver_check.h"
#include "semver.h"
#include "util.h"

#include <string.h>

/* The greatest version seen so far, and its line. */
struct best {
	struct semver v;
	size_t lineno;
	bool found;
};

static void consider(struct best *b, const struct semver *v, size_t lineno)
{
	if (!b->found || semver_cmp(v, &b->v) > 0)
		*b = (struct best){*v, lineno, true};
}

static bool is_commit(const char *s, size_t n)
{
	if (n != 40 && n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The tag name of one line, in s[0..*n), or NULL for a line that names no
 * tag: blank, a peeled "^{}" line, or a ref that is not under refs/tags/. */
static const char *tag_of_line(const struct input *in, size_t lineno, const char *s, size_t *n)
{
	while (*n && memchr(" \t\r", s[*n - 1], 3))
		--*n;
	while (*n && (*s == ' ' || *s == '\t'))
		s++, --*n;
	const char *tab = memchr(s, '\t', *n);
	if (tab) {
		if (!is_commit(s, (size_t)(tab - s)))
			die_at(in->name, lineno, "a line with a tab must be <commit><TAB><ref>, as git ls-remote prints");
		*n -= (size_t)(tab + 1 - s);
		s = tab + 1;
		if (*n < 10 || memcmp(s, "refs/tags/", 10) != 0)
			return NULL;
	}
	if (*n == 0 || ends_with(s, *n, "^{}"))
		return NULL;
	for (const char *slash; (slash = memchr(s, '/', *n));) {
		*n -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	if (*n && *s == 'v')
		s++, --*n;
	return s;
}

void semver_check(const struct input *in, bool releases_only, struct buf *out)
{
	struct best best = {0}, release = {0};
	size_t pos = 0, lineno = 0, ignored = 0;
	const char *line;
	size_t len;
	while (next_line(&in->text, &pos, &line, &len)) {
		lineno++;
		const char *tag = tag_of_line(in, lineno, line, &len);
		if (!tag)
			continue;
		struct semver v;
		const char *why;
		if (!semver_parse(tag, len, &v, &why)) {
			ignored++;
			continue;
		}
		consider(&best, &v, lineno);
		if (!v.pre.p)
			consider(&release, &v, lineno);
	}
	if (ignored)
		warnx("ignored %zu tag%s that %s not semver", ignored, ignored == 1 ? "" : "s",
		      ignored == 1 ? "is" : "are");
	if (!best.found)
		die_at(in->name, 0, "no semver tag (MAJOR.MINOR.PATCH, with or without a 'v')");
	const struct semver *v = &best.v;
	if (releases_only) {
		if (!release.found)
			die_at(in->name, 0, "no release among the semver tags (the greatest is %.*s)",
			       (int)v->bare.n, v->bare.p);
		v = &release.v;
	} else if (v->pre.p) {
		die_at(in->name, best.lineno, "the greatest version, %.*s, is a pre-release: "
		       "nothing to publish (--releases-only takes the greatest release)",
		       (int)v->bare.n, v->bare.p);
	}
	buf_printf(out, "%.*s\n", (int)v->bare.n, v->bare.p);
}
