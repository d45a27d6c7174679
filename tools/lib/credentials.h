#ifndef CREDENTIALS_H
#define CREDENTIALS_H
/* ---- credentials.c: a registry's credentials, as the docker CLI finds them --
 * Secrets live only in memory: never in argv, never printed, wiped when
 * freed. */
#include <stdbool.h>

/* A user name and password (or identity token) for one registry. */
struct credentials {
	char *user;
	char *secret;
	bool identity_token;   /* the helper's Username was "<token>" */
};

/* What a look-up found. */
enum credentials_found {
	CREDENTIALS_FAILED = -1,   /* a broken config.json or helper: an error */
	CREDENTIALS_NONE = 0,      /* nothing for this host: anonymous */
	CREDENTIALS_FOUND = 1,
};

/* The credentials for a registry host ("registry-1.docker.io",
 * "127.0.0.1:5000"): REGISTRY_USER and REGISTRY_PASSWORD when
 * REGISTRY_CREDENTIALS_HOST names this host (without it they go to no host,
 * with a warning), else $DOCKER_CONFIG/config.json or ~/.docker/config.json:
 * credHelpers[host], credsStore, auths[host], as the docker CLI reads them.
 * On CREDENTIALS_FAILED a message is in *err, to free. */
enum credentials_found credentials_find(const char *host, struct credentials *cr, char **err);
void credentials_free(struct credentials *cr);
/* Whether name ("docker.io", "https://index.docker.io/v1/", "host:5000")
 * names the registry host, as config.json's keys do. */
bool credentials_host_matches(const char *name, const char *host);

#endif
