/* http_param.c: tokens and quoted-strings of HTTP headers (see http_param.h). */
#include "http_param.h"
#include "util.h"

#include <string.h>

/* RFC 9110 tchar. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

size_t http_token_len(const char *p)
{
	size_t n = 0;
	while (is_tchar(p[n]))
		n++;
	return n;
}

const char *http_skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

const char *http_quoted_string(const char *p, struct buf *out)
{
	for (p++; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		if (!*p || ((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return NULL;
		buf_addc(out, *p);
	}
	return p + 1;
}

const char *http_param_value(const char *p, struct buf *out)
{
	if (*p == '"')
		return http_quoted_string(p, out);
	size_t n = http_token_len(p);
	if (n == 0)
		return NULL;
	buf_add(out, p, n);
	return p + n;
}

bool http_visible(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}
