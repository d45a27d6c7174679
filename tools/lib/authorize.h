#ifndef AUTHORIZE_H
#define AUTHORIZE_H
/* ---- authorize.c: answering a registry's 401 ---------------------------------
 * A request about a repository goes with the authorization its host asked
 * for: a Bearer token for the request's scope (fetched from the challenge's
 * realm at the first 401, with the host's credentials or anonymously, then
 * cached until its expires_in), or Basic credentials.  The host's
 * credentials go to the host itself (Basic) or to the realm its challenge
 * names (Bearer), docker's rule, and to no other host.  A 401 is answered once; after
 * that it is an error. */
#include "client.h"
#include "ref.h"
#include "transport.h"

#include <stdbool.h>
#include <stddef.h>

/* Sends a request about r's repository (a manifest one when manifest is
 * set: with the Accept header; put's bytes when put_body is set) with the
 * authorization its host needs, counting it in *counter: 0 with *resp set
 * (any status but a 401 answered), or -1 with the error set. */
int authorized_request(struct registry *reg, const char *method, const char *url,
                       const struct ref *r, bool manifest, const struct buf *put_body,
                       const char *put_type, unsigned long *counter, struct response *resp);

/* Remembers h's challenge from the WWW-Authenticate headers of a 401;
 * false (error set) when there is no usable Bearer or Basic one. */
bool learn_challenge(struct registry *reg, struct host_auth *h, const struct response *resp);

/* The token of a token server's JSON answer ("token", else "access_token"),
 * or NULL. */
char *token_from_json(const char *body, size_t len);
/* The token's lifetime in seconds: its "expires_in" (1 to 86400), else the
 * token spec's default, 60.  A token is renewed before it ends. */
long token_expires_in(const char *body, size_t len);

#endif
