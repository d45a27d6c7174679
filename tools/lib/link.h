#ifndef LINK_H
#define LINK_H
/* ---- link.c: the Link header of a paged answer (RFC 8288, RFC 3986) -------- */

/* The URL of the rel="next" link of a Link header value (RFC 8288: links
 * separated by commas, rel quoted or not, a list of relation types),
 * resolved against base_url, the URL of the request answered (RFC 3986).
 * NULL with *why NULL when there is no next link; NULL with *why set (a
 * static message) when the header is malformed or the link leaves
 * base_url's scheme and host or holds what a URL may not.  A URL returned
 * (to free) starts with base_url's "scheme://host/". */
char *link_next(const char *header, const char *base_url, const char **why);
/* A URL reference (a redirect's Location) resolved against base_url under
 * the same rules as a next link: NULL with *why set when it leaves base_url's
 * scheme and host or holds what a URL may not. */
char *link_resolve(const char *ref, const char *base_url, const char **why);

#endif
