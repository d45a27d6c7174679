#ifndef HTTP_PARAM_H
#define HTTP_PARAM_H
/* ---- http_param.c: the words of HTTP header parameters --------------------
 * RFC 9110 5.6: tokens, optional white space and quoted-strings, as the
 * auth-params of a WWW-Authenticate challenge (challenge.c) and the
 * link-params of a Link header (link.c) are made of.  One reader for both,
 * so that both refuse the same things. */
#include <stdbool.h>
#include <stddef.h>

struct buf;

/* The length of the token (RFC 9110 tchar run) at p; 0 when none. */
size_t http_token_len(const char *p);
/* p past spaces and tabs. */
const char *http_skip_ows(const char *p);
/* Appends the quoted-string at p (on its opening quote) to *out, unescaped;
 * returns the end, or NULL when it is unterminated or holds a control
 * character other than a tab. */
const char *http_quoted_string(const char *p, struct buf *out);
/* Appends a parameter value at p, a token or a quoted-string, to *out;
 * returns the end, or NULL when there is neither. */
const char *http_param_value(const char *p, struct buf *out);
/* Visible ASCII only (what a token, realm or media type may hold): no space,
 * no control byte, nothing beyond 0x7e. */
bool http_visible(const char *s);

#endif
