#ifndef AUTH_H
#define AUTH_H
/* ---- auth.c: registry authentication pieces ------------------------------
 * What registry.c needs to answer a 401: the WWW-Authenticate challenge,
 * the credentials the docker CLI would use for a host, and the token out of
 * a token server's answer.  Secrets live only in memory: never in argv,
 * never printed, wiped when freed. */

/* One challenge of a WWW-Authenticate header (RFC 7235). */
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

/* A user name and password (or identity token) for one registry. */
struct credentials {
	char *user;
	char *secret;
	bool identity_token;   /* the helper's Username was "<token>" */
};

/* The credentials for a registry host ("registry-1.docker.io",
 * "127.0.0.1:5000"), in the docker CLI's order: REGISTRY_USER and
 * REGISTRY_PASSWORD, else $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json: credHelpers[host], credsStore, auths[host].
 * Returns 1 found, 0 none, -1 on error (a message in *err, to free). */
int credentials_find(const char *host, struct credentials *cr, char **err);
void credentials_free(struct credentials *cr);

/* The token of a token server's JSON answer ("token", else "access_token"),
 * or NULL. */
char *token_from_json(const char *body, size_t len);

#endif
