/* semver.c: Semantic Versioning 2.0.0 parsing and precedence (semver.org). */
#include "semver.h"
#include "util.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [0-9A-Za-z-]: the characters of a pre-release or build identifier. */
static bool is_ident(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}

static bool all_digits(struct semver_span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit(s.p[i]))
			return false;
	return true;
}

/* One numeric field of MAJOR.MINOR.PATCH from s[*i..n). */
static bool parse_number(const char *s, size_t n, size_t *i, struct semver_span *out,
                         const char **why)
{
	size_t start = *i;
	while (*i < n && is_digit(s[*i]))
		++*i;
	*out = (struct semver_span){s + start, *i - start};
	if (out->n == 0)
		*why = "not MAJOR.MINOR.PATCH";
	else if (out->n > 1 && s[start] == '0')
		*why = "a leading zero in MAJOR.MINOR.PATCH";
	else
		return true;
	return false;
}

/* Dot-separated identifiers from s[*i..n), up to a '+' (for the pre-release)
 * or the end (for build metadata). */
static bool parse_idents(const char *s, size_t n, size_t *i, bool pre,
                         struct semver_span *out, const char **why)
{
	size_t start = *i;
	for (;;) {
		struct semver_span id = {s + *i, 0};
		while (*i < n && is_ident(s[*i]))
			++*i;
		id.n = (size_t)(s + *i - id.p);
		if (id.n == 0 && (*i == n || s[*i] == '.' || (pre && s[*i] == '+'))) {
			*why = pre ? "an empty pre-release identifier" : "an empty build identifier";
			return false;
		}
		if (pre && id.n > 1 && id.p[0] == '0' && all_digits(id)) {
			*why = "a leading zero in a numeric pre-release identifier";
			return false;
		}
		if (*i < n && s[*i] == '.') {
			++*i;
			continue;
		}
		if (*i == n || (pre && s[*i] == '+'))
			break;
		*why = pre ? "a character outside [0-9A-Za-z-] in the pre-release"
		           : "a character outside [0-9A-Za-z-] in the build metadata";
		return false;
	}
	*out = (struct semver_span){s + start, *i - start};
	return true;
}

bool semver_parse(const char *s, size_t n, struct semver *v, const char **why)
{
	size_t i = 0;
	*v = (struct semver){0};
	if (n == 0) {
		*why = "empty";
		return false;
	}
	if (s[0] == 'v' || s[0] == 'V') {
		*why = "a 'v' prefix is not part of a version";
		return false;
	}
	struct semver_span *core[] = {&v->major, &v->minor, &v->patch};
	for (size_t k = 0; k < 3; k++) {
		if (k > 0 && (i == n || s[i++] != '.')) {
			*why = "not MAJOR.MINOR.PATCH";
			return false;
		}
		if (!parse_number(s, n, &i, core[k], why))
			return false;
	}
	if (i < n && s[i] == '-') {
		i++;
		if (!parse_idents(s, n, &i, true, &v->pre, why))
			return false;
	}
	v->bare = (struct semver_span){s, i};
	if (i < n && s[i] == '+') {
		i++;
		if (!parse_idents(s, n, &i, false, &v->build, why))
			return false;
	}
	if (i < n) {
		*why = "not MAJOR.MINOR.PATCH[-PRE][+BUILD]";
		return false;
	}
	return true;
}

/* Numeric identifiers of any length: the longer is greater (no leading
 * zeros), else the digits decide. */
static int cmp_number(struct semver_span a, struct semver_span b)
{
	if (a.n != b.n)
		return a.n < b.n ? -1 : 1;
	int c = memcmp(a.p, b.p, a.n);
	return (c > 0) - (c < 0);
}

/* Numeric identifiers rank below alphanumeric ones, which compare in ASCII. */
static int cmp_ident(struct semver_span a, struct semver_span b)
{
	bool na = all_digits(a), nb = all_digits(b);
	if (na && nb)
		return cmp_number(a, b);
	if (na != nb)
		return na ? -1 : 1;
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	if (c)
		return (c > 0) - (c < 0);
	return (a.n > b.n) - (a.n < b.n);
}

/* The next identifier of a pre-release from *rest (consumed). */
static struct semver_span next_ident(struct semver_span *rest)
{
	const char *dot = memchr(rest->p, '.', rest->n);
	struct semver_span id = {rest->p, dot ? (size_t)(dot - rest->p) : rest->n};
	size_t used = id.n + (dot != NULL);
	*rest = (struct semver_span){rest->p + used, rest->n - used};
	return id;
}

/* Identifier by identifier; when one list is a prefix of the other, the
 * longer list is greater. */
static int cmp_pre(struct semver_span a, struct semver_span b)
{
	while (a.n && b.n) {
		int c = cmp_ident(next_ident(&a), next_ident(&b));
		if (c)
			return c;
	}
	return (a.n > 0) - (b.n > 0);
}

int semver_cmp(const struct semver *a, const struct semver *b)
{
	int c;
	if ((c = cmp_number(a->major, b->major)) || (c = cmp_number(a->minor, b->minor)) ||
	    (c = cmp_number(a->patch, b->patch)))
		return c;
	if (!a->pre.p || !b->pre.p)
		return (a->pre.p == NULL) - (b->pre.p == NULL);
	return cmp_pre(a->pre, b->pre);
}

bool semver_is_release(const struct semver *v)
{
	return !v->pre.p && !v->build.p;
}

bool semver_check_release(const char *s, const char **why)
{
	struct semver v;
	if (!semver_parse(s, strlen(s), &v, why))
		return false;
	if (v.pre.p)
		*why = "a pre-release, not a release";
	else if (v.build.p)
		*why = "build metadata: a release is MAJOR.MINOR.PATCH only";
	else
		return true;
	return false;
}

/* ---- the greatest of a list of tags (semver-check) ---------------------- */

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

void semver_greatest(const struct input *in, bool releases_only, struct buf *out)
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
