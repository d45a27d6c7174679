/* tags.c: the grammar of the tags the pipeline publishes (see tags.h). */
#include "tags.h"
#include "digest.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BASE_INFIX "-base-"
#define VERSION_SLOT "{version}"
#define TAG_SLOT "{tag}"

char *tag_canonical(const char *version, const char *key16)
{
	return xasprintf("%s" BASE_INFIX "%s", version, key16);
}

char *tag_build(const char *canonical, const struct strlist *platforms, const char *context)
{
	struct buf in = {0};
	for (size_t i = 0; i < platforms->n; i++)
		buf_printf(&in, "%s%s", i ? "," : "", platforms->v[i]);
	buf_printf(&in, "\n%s\n", context);
	char hex[65];
	sha256_hex(in.data, in.len, hex);
	buf_free(&in);
	return xasprintf("%s.%.8s", canonical, hex);
}

static bool tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

bool tag_format_check(const char *format, const char **why)
{
	const char *v = strstr(format, VERSION_SLOT), *t = strstr(format, TAG_SLOT);
	if (!v || !t) {
		*why = "want both {version} and {tag} in it";
		return false;
	}
	if (strstr(v + 1, VERSION_SLOT) || strstr(t + 1, TAG_SLOT)) {
		*why = "want {version} and {tag} once each";
		return false;
	}
	bool first = true;
	for (const char *p = format; *p;) {
		if (p == v || p == t) {
			p += p == v ? strlen(VERSION_SLOT) : strlen(TAG_SLOT);
			first = false;
			continue;
		}
		if (!tag_char(*p)) {
			*why = "besides {version} and {tag}, only letters, digits, '_', '.' and '-'";
			return false;
		}
		if (first && (*p == '.' || *p == '-')) {
			*why = "a tag cannot begin with '.' or '-'";
			return false;
		}
		first = false;
		p++;
	}
	return true;
}

void tag_alias(struct buf *b, const char *format, const char *version, const char *alias)
{
	buf_reset(b);
	for (const char *p = format; *p;) {
		if (strncmp(p, VERSION_SLOT, strlen(VERSION_SLOT)) == 0) {
			buf_adds(b, version);
			p += strlen(VERSION_SLOT);
		} else if (strncmp(p, TAG_SLOT, strlen(TAG_SLOT)) == 0) {
			buf_adds(b, alias);
			p += strlen(TAG_SLOT);
		} else {
			buf_addc(b, *p++);
		}
	}
	if (!b->data)
		buf_adds(b, "");
}

/* Are the n bytes of s an X.Y.Z[-pre]? */
static bool is_version(const char *s, size_t n)
{
	size_t i = 0;
	for (int field = 0; field < 3; field++) {
		size_t d = 0;
		while (i + d < n && s[i + d] >= '0' && s[i + d] <= '9')
			d++;
		if (d == 0)
			return false;
		i += d;
		if (field < 2) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	if (i == n)
		return true;
	if (s[i] != '-' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (!tag_char(s[i]) || s[i] == '_')
			return false;
	return true;
}

bool tag_version_ok(const char *version)
{
	return is_version(version, strlen(version));
}

static bool hex_run(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") >= n;
}

enum tag_kind tag_kind_of(const char *tag, size_t *version_len)
{
	size_t n = strlen(tag), infix = strlen(BASE_INFIX);
	/* <version>-base-<16 hex>, then .<8 hex> for a build tag */
	for (int build = 0; build < 2; build++) {
		size_t suffix = infix + 16 + (build ? 9 : 0);
		if (n <= suffix)
			continue;
		const char *s = tag + n - suffix;
		if (strncmp(s, BASE_INFIX, infix) != 0 || !hex_run(s + infix, 16))
			continue;
		if (build ? s[infix + 16] != '.' || !hex_run(s + infix + 17, 8) || s[infix + 25]
		          : s[infix + 16] != '\0')
			continue;
		if (!is_version(tag, n - suffix))
			continue;
		*version_len = n - suffix;
		return build ? TAG_BUILD : TAG_CANONICAL;
	}
	return TAG_OTHER;
}

/* Does s (n bytes) fill a slot: the version (version, or any X.Y.Z[-pre]
 * when NULL) or an alias (a valid tag)? */
static bool fills(bool version_slot, const char *version, const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (version_slot)
		return version ? strlen(version) == n && memcmp(s, version, n) == 0 : is_version(s, n);
	char *alias = xstrndup(s, n);
	bool ok = valid_tag(alias);
	free(alias);
	return ok;
}

bool tag_is_alias_of(const char *format, const char *version, const char *tag)
{
	const char *v = strstr(format, VERSION_SLOT), *t = strstr(format, TAG_SLOT);
	if (!v || !t)
		return false;
	/* lit0 slot1 lit1 slot2 lit2 */
	bool version_first = v < t;
	const char *slot1 = version_first ? v : t, *slot2 = version_first ? t : v;
	size_t len1 = strlen(version_first ? VERSION_SLOT : TAG_SLOT);
	size_t len2 = strlen(version_first ? TAG_SLOT : VERSION_SLOT);
	const char *lit1 = slot1 + len1;
	size_t n0 = (size_t)(slot1 - format), n1 = (size_t)(slot2 - lit1);
	const char *lit2 = slot2 + len2;
	size_t n2 = strlen(lit2), n = strlen(tag);
	if (n < n0 + n1 + n2 + 2 || strncmp(tag, format, n0) != 0 ||
	    strcmp(tag + n - n2, lit2) != 0)
		return false;
	const char *m = tag + n0;
	size_t mn = n - n0 - n2;
	for (size_t i = 1; i + n1 < mn; i++) {
		if (strncmp(m + i, lit1, n1) != 0)
			continue;
		if (fills(version_first, version, m, i) &&
		    fills(!version_first, version, m + i + n1, mn - i - n1))
			return true;
	}
	return false;
}
