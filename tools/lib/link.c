/* link.c: Link headers and URI references (see link.h). */
#include "link.h"
#include "http_param.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A URI reference cut as RFC 3986's appendix B does; the fragment is dropped. */
struct uri {
	const char *scheme, *auth, *path, *query;   /* NULL: absent */
	size_t scheme_n, auth_n, path_n, query_n;
};

static void uri_split(const char *s, struct uri *u)
{
	*u = (struct uri){0};
	size_t n = strcspn(s, ":/?#");
	if (n && s[n] == ':') {
		u->scheme = s;
		u->scheme_n = n;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		u->auth = s + 2;
		u->auth_n = strcspn(u->auth, "/?#");
		s = u->auth + u->auth_n;
	}
	u->path = s;
	u->path_n = strcspn(s, "?#");
	s += u->path_n;
	if (*s == '?') {
		u->query = s + 1;
		u->query_n = strcspn(u->query, "#");
	}
}

/* Appends path to out without its "." and ".." segments (RFC 3986 5.2.4). */
static void remove_dot_segments(struct buf *out, const char *path, size_t n)
{
	char *copy = xstrndup(path, n), *p = copy;
	size_t start = out->len;
	while (*p) {
		if (strncmp(p, "../", 3) == 0)
			p += 3;
		else if (strncmp(p, "./", 2) == 0 || strncmp(p, "/./", 3) == 0)
			p += 2;
		else if (strcmp(p, "/.") == 0)
			*(++p) = '/';   /* "/." becomes "/" */
		else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
			/* "/../x" becomes "/x", "/.." becomes "/"; one segment less */
			if (p[3] == '/')
				p += 3;
			else
				*(p += 2) = '/';
			while (out->len > start && out->data[--out->len] != '/')
				;
			if (out->data)
				out->data[out->len] = '\0';
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
			break;
		else {
			size_t seg = 1 + strcspn(p + 1, "/");
			buf_add(out, p, seg);
			p += seg;
		}
	}
	free(copy);
}

/* What a URL we send may hold: RFC 3986's unreserved and reserved
 * characters and '%' (so no space, quote, backslash or control byte). */
static bool url_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c))))
			return false;
	}
	return true;
}

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || strncasecmp(a, b, an) == 0);
}

/* ref resolved against base (RFC 3986 5.2.2), or NULL with *why set when it
 * is not a URL of base's scheme and authority, or holds what a URL may not. */
static char *resolve(const char *ref, size_t n, const char *base_url, const char **why)
{
	char *r = xstrndup(ref, n);
	struct uri b, u;
	uri_split(base_url, &b);
	uri_split(r, &u);
	struct buf path = {0};
	const char *query = u.query;
	size_t query_n = u.query_n;
	char *url = NULL;
	if (!url_chars(ref, n)) {
		*why = "it holds a character a URL may not";
		goto out;
	}
	/* "http:/x" has no authority: not the base's either */
	if (u.scheme && (!u.auth || !same(u.scheme, u.scheme_n, b.scheme, b.scheme_n))) {
		*why = "it leads to another scheme or host";
		goto out;
	}
	if (u.auth && !same(u.auth, u.auth_n, b.auth, b.auth_n)) {
		*why = "it leads to another host";
		goto out;
	}
	if (u.scheme || u.auth || (u.path_n && u.path[0] == '/')) {
		remove_dot_segments(&path, u.path, u.path_n);
	} else if (!u.path_n) {
		remove_dot_segments(&path, b.path, b.path_n);
		if (!query) {
			query = b.query;
			query_n = b.query_n;
		}
	} else {
		/* merge: base's path up to its last '/', then ref's */
		struct buf merged = {0};
		size_t keep = b.path_n;
		while (keep && b.path[keep - 1] != '/')
			keep--;
		if (keep)
			buf_add(&merged, b.path, keep);
		else
			buf_addc(&merged, '/');
		buf_add(&merged, u.path, u.path_n);
		remove_dot_segments(&path, merged.data, merged.len);
		buf_free(&merged);
	}
	/* "http://h" + "" or "x" would not start the path with '/' */
	url = xasprintf("%.*s://%.*s%s%.*s%s%.*s", (int)b.scheme_n, b.scheme, (int)b.auth_n, b.auth,
	                path.len && path.data[0] == '/' ? "" : "/", (int)path.len,
	                path.data ? path.data : "", query ? "?" : "", (int)query_n,
	                query ? query : "");
out:
	buf_free(&path);
	free(r);
	return url;
}


/* True when the relation types of a rel value (space-separated) say next. */
static bool rel_next(const struct buf *v)
{
	const char *s = v->data ? v->data : "";
	while (*s) {
		s += strspn(s, " \t");
		size_t n = strcspn(s, " \t");
		if (n == 4 && strncasecmp(s, "next", 4) == 0)
			return true;
		s += n;
	}
	return false;
}

char *link_resolve(const char *ref, const char *base_url, const char **why)
{
	*why = NULL;
	return resolve(ref, strlen(ref), base_url, why);
}

char *link_next(const char *header, const char *base_url, const char **why)
{
	*why = NULL;
	const char *p = header;
	struct buf v = {0};
	for (;;) {
		p += strspn(p, " \t,");
		if (!*p)
			break;
		const char *end = *p == '<' ? strchr(p, '>') : NULL;
		if (!end)
			goto malformed;
		const char *target = p + 1;
		bool next = false, rel_seen = false;
		for (p = end + 1;;) {
			p += strspn(p, " \t");
			if (*p != ';')
				break;
			p++;
			p += strspn(p, " \t");
			const char *name = p;
			size_t name_n = http_token_len(p);
			if (!name_n)
				goto malformed;
			p += name_n;
			p += strspn(p, " \t");
			buf_reset(&v);
			if (*p == '=') {
				p++;
				p += strspn(p, " \t");
				if (!(p = http_param_value(p, &v)))
					goto malformed;
			}
			/* RFC 8288 3.3: a rel after the first is ignored */
			if (same(name, name_n, "rel", 3) && !rel_seen) {
				rel_seen = true;
				next = rel_next(&v);
			}
		}
		if (*p && *p != ',')
			goto malformed;
		if (next) {
			buf_free(&v);
			return resolve(target, (size_t)(end - target), base_url, why);
		}
	}
	buf_free(&v);
	return NULL;
malformed:
	buf_free(&v);
	*why = "the Link header is malformed";
	return NULL;
}

