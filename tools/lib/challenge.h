#ifndef CHALLENGE_H
#define CHALLENGE_H
/* ---- challenge.c: WWW-Authenticate challenges (RFC 9110 11.6.1) ------------
 * What a registry's 401 asks for: Bearer (a token from the realm, for a
 * service and scope) or Basic. */
#include <stdbool.h>

/* One challenge of a WWW-Authenticate header. */
struct challenge {
	char *scheme;   /* "Bearer" or "Basic", as sent */
	char *realm;    /* NULL when absent; for Bearer, the token URL */
	char *service;  /* Bearer only; may be NULL */
	char *scope;    /* Bearer only; may be NULL */
	char *error;    /* e.g. "insufficient_scope"; may be NULL */
};

/* Parses a WWW-Authenticate value into its first Bearer or Basic challenge
 * (the auth-params: comma-separated name=token or name="quoted \"string\"",
 * names case-insensitive).  False when there is none or it is malformed. */
bool challenge_parse(const char *value, struct challenge *c);
void challenge_free(struct challenge *c);

#endif
