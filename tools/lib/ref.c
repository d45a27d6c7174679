/* ref.c: image references, as the docker CLI reads them (see ref.h). */
#include "ref.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define HUB_HOST "registry-1.docker.io"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool valid_digest(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_hex(s[n]) || (s[n] >= 'A' && s[n] <= 'F'))
			return false;
	return n == 64;
}

/* One path component of a name: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*. */
static bool valid_component(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (!is_lower_alnum(s[i]))
			return false;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		/* a separator, then at least one more alphanumeric */
		size_t sep = i;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		else
			while (i < n && s[i] == '-')
				i++;
		if (i == sep || i == n)
			return false;
	}
	return n > 0;
}

static const char *check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0)
		return "empty repository name";
	if (len > 255)
		return "repository name longer than 255 characters";
	for (const char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return "repository name must be lowercase";
	const char *start = name;
	for (;;) {
		const char *slash = strchr(start, '/');
		size_t n = slash ? (size_t)(slash - start) : strlen(start);
		if (!valid_component(start, n))
			return "invalid repository name";
		if (!slash)
			return NULL;
		start = slash + 1;
	}
}

/* host[:port]: DNS labels of [A-Za-z0-9-] (no '-' at either end), or an
 * IPv6 address in brackets; a port of 1 to 5 digits. */
static const char *check_host(const char *host)
{
	const char *p = host;
	if (*p == '[') {
		p++;
		size_t n = 0;
		while (is_hex(*p) || *p == ':' || *p == '.')
			p++, n++;
		if (*p != ']' || n < 2)
			return "invalid registry host";
		p++;
	} else {
		for (;;) {
			const char *label = p;
			while (is_alnum(*p) || *p == '-')
				p++;
			if (p == label || *label == '-' || p[-1] == '-')
				return "invalid registry host";
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p == ':') {
		size_t digits = strspn(p + 1, "0123456789");
		if (digits < 1 || digits > 5 || p[1 + digits] != '\0')
			return "invalid registry port";
		long port = strtol(p + 1, NULL, 10);
		if (port < 1 || port > 65535)
			return "invalid registry port";
		return NULL;
	}
	return *p ? "invalid registry host" : NULL;
}

/* The docker CLI's rule: the first component is a host when it has a '.'
 * or a ':', or is "localhost" (so "Foo/bar" is a Docker Hub name, rejected
 * for its uppercase letter rather than sent to a host named Foo). */
static bool first_is_host(const char *s, size_t n)
{
	if (n == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':')
			return true;
	return false;
}

static bool parse(const char *s, struct ref *r, const char **why)
{
	if (!*s)
		return *why = "empty reference", false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return *why = "space or control character", false;

	const char *rest = s;
	const char *slash = strchr(s, '/');
	if (slash && first_is_host(s, (size_t)(slash - s))) {
		r->host = xstrndup(s, (size_t)(slash - s));
		rest = slash + 1;
		if ((*why = check_host(r->host)))
			return false;
	}

	const char *at = strchr(rest, '@');
	size_t namelen = at ? (size_t)(at - rest) : strlen(rest);
	if (at) {
		if (!valid_digest(at + 1))
			return *why = "invalid digest (want sha256: and 64 lowercase hex digits)", false;
		r->digest = xstrdup(at + 1);
	}
	/* a tag is after the last ':' of the part after the last '/' */
	const char *last = rest;
	for (const char *p = rest; p < rest + namelen; p++)
		if (*p == '/')
			last = p + 1;
	const char *colon = memchr(last, ':', namelen - (size_t)(last - rest));
	if (colon) {
		r->tag = xstrndup(colon + 1, namelen - (size_t)(colon + 1 - rest));
		namelen = (size_t)(colon - rest);
		if (!valid_tag(r->tag))
			return *why = "invalid tag", false;
	}
	char *name = xstrndup(rest, namelen);
	if (!r->host || strcmp(r->host, "docker.io") == 0 ||
	    strcmp(r->host, "index.docker.io") == 0 || strcmp(r->host, HUB_HOST) == 0) {
		free(r->host);
		r->host = xstrdup(HUB_HOST);
		if (!strchr(name, '/')) {
			char *full = xasprintf("library/%s", name);
			free(name);
			name = full;
		}
	}
	r->name = name;
	return !(*why = check_name(name));
}

bool ref_parse(const char *s, struct ref *r, const char **why)
{
	*r = (struct ref){0};
	if (parse(s, r, why))
		return true;
	ref_free(r);
	return false;
}

void ref_free(struct ref *r)
{
	free(r->host);
	free(r->name);
	free(r->tag);
	free(r->digest);
	*r = (struct ref){0};
}

bool ref_is_loopback(const struct ref *r)
{
	return host_is_loopback(r->host);
}

bool host_is_loopback(const char *h)
{
	size_t n = strcspn(h, h[0] == '[' ? "]" : ":");
	if (h[0] == '[')
		return strncmp(h, "[::1]", 5) == 0 && (h[5] == '\0' || h[5] == ':');
	if (n == 9 && strncmp(h, "localhost", 9) == 0)
		return true;
	/* 127.a.b.c, each a decimal octet */
	if (strncmp(h, "127.", 4) != 0)
		return false;
	int dots = 0;
	const char *p = h + 4;
	for (;;) {
		size_t d = strspn(p, "0123456789");
		if (d < 1 || d > 3 || strtol(p, NULL, 10) > 255)
			return false;
		p += d;
		if (*p != '.')
			break;
		p++, dots++;
	}
	return dots == 2 && (*p == '\0' || *p == ':');
}

bool ref_is_docker_hub(const struct ref *r)
{
	return strcmp(r->host, HUB_HOST) == 0;
}

static bool reflist_add(struct reflist *l, const char *text, const char *file, size_t line)
{
	struct ref r;
	const char *why;
	if (!ref_parse(text, &r, &why)) {
		if (file)
			warnx("%s:%zu: %s: invalid reference: %s", file, line, text, why);
		else
			warnx("%s: invalid reference: %s", text, why);
		return false;
	}
	l->text = xrealloc(l->text, (l->n + 1) * sizeof *l->text);
	l->ref = xrealloc(l->ref, (l->n + 1) * sizeof *l->ref);
	l->text[l->n] = xstrdup(text);
	l->ref[l->n++] = r;
	return true;
}

bool reflist_read(struct reflist *l, char **args, size_t n)
{
	*l = (struct reflist){0};
	for (size_t i = 0; i < n; i++)
		if (!reflist_add(l, args[i], NULL, 0))
			return false;
	if (n)
		return true;
	struct input in;
	input_read(&in, NULL);
	size_t pos = 0, lineno = 0, len;
	const char *line;
	bool ok = true;
	while (ok && next_line(&in.text, &pos, &line, &len)) {
		lineno++;
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		if (memchr(line, '\0', len)) {
			warnx("%s:%zu: NUL byte in a reference", in.name, lineno);
			ok = false;
			break;
		}
		char *text = xstrndup(line, len);
		ok = reflist_add(l, text, in.name, lineno);
		free(text);
	}
	input_free(&in);
	return ok;
}

void reflist_free(struct reflist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->text[i]);
		ref_free(&l->ref[i]);
	}
	free(l->text);
	free(l->ref);
	*l = (struct reflist){0};
}
