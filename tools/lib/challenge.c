/* challenge.c: WWW-Authenticate challenges (see challenge.h). */
#include "challenge.h"
#include "http_param.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A parameter value: a quoted-string, or (leniently) a run of anything
 * but separators, so that an unquoted URL still reads. */
static const char *param_value(const char *p, struct buf *out)
{
	if (*p == '"')
		return http_quoted_string(p, out);
	size_t n = strcspn(p, ", \t\"");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
			return NULL;
	if (n == 0)
		return NULL;
	buf_add(out, p, n);
	return p + n;
}

static void set_param(struct challenge *c, const char *name, size_t n, struct buf *v)
{
	char **slot = NULL;
	if (n == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (n == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (n == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	else if (n == 5 && strncasecmp(name, "error", 5) == 0)
		slot = &c->error;
	if (slot && !*slot)   /* a repeated parameter: the first one counts */
		*slot = xstrdup(v->data ? v->data : "");
}

/* After a scheme: its token68 or auth-params, up to the next challenge. */
static const char *challenge_params(const char *p, struct challenge *c)
{
	struct buf v = {0};
	bool first = true;
	for (;;) {
		const char *start = p;
		p = http_skip_ows(p);
		if (!first) {
			if (*p != ',')
				break;
			while (*p == ',' || *p == ' ' || *p == '\t')
				p++;
		}
		size_t n = http_token_len(p);
		const char *eq = http_skip_ows(p + n);
		const char *val = *eq == '=' ? http_skip_ows(eq + 1) : eq;
		/* name=value, unless the '=' is the padding of a token68 */
		if (n && *eq == '=' && *val && *val != '=' && *val != ',') {
			buf_reset(&v);
			const char *end = param_value(val, &v);
			if (!end) {
				buf_free(&v);
				return NULL;
			}
			if (c)
				set_param(c, p, n, &v);
			p = end;
		} else if (first && (n || *p == '=')) {
			/* token68: [A-Za-z0-9-._~+/]+ =* */
			p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
			p += strspn(p, "=");
		} else {
			/* the name of the next challenge, or the end */
			p = start;
			break;
		}
		first = false;
	}
	buf_free(&v);
	return p;
}

bool challenge_parse(const char *value, struct challenge *out)
{
	const char *p = value;
	*out = (struct challenge){0};
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		size_t n = http_token_len(p);
		if (n == 0)
			goto bad;
		bool want = !out->scheme && ((n == 6 && strncasecmp(p, "Bearer", 6) == 0) ||
		                             (n == 5 && strncasecmp(p, "Basic", 5) == 0));
		if (want)
			out->scheme = xstrndup(p, n);
		p += n;
		if (*p && *p != ' ' && *p != '\t' && *p != ',')
			goto bad;
		if (!(p = challenge_params(p, want ? out : NULL)))
			goto bad;
		/* what follows a challenge is the end or ", next-challenge" */
		p = http_skip_ows(p);
		if (*p && *p != ',')
			goto bad;
	}
	if (out->scheme)
		return true;
bad:
	challenge_free(out);
	return false;
}

void challenge_free(struct challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	*c = (struct challenge){0};
}

