#ifndef MANIFEST_H
#define MANIFEST_H
/* ---- manifest.c: manifest head, get and put --------------------------------
 * HEAD (free on Docker Hub), GET (a counted pull, verified against its
 * digest) and PUT (the exact bytes, with their media type).  Every request
 * accepts the four kinds of manifest: OCI and Docker, index and image. */
#include "client.h"
#include "ref.h"
#include "util.h"

/* A manifest as the registry describes it. */
struct manifest {
	char digest[72];        /* "sha256:<64 hex>" */
	char *media_type;       /* the Content-Type (else the body's mediaType) */
	struct buf body;        /* the exact bytes (GET only) */
};
void manifest_free(struct manifest *m);

/* HEAD the manifest of r: REG_OK (digest and media type set), REG_MISSING
 * (404) or REG_FAILED (registry_error() says why). */
int manifest_head(struct registry *reg, const struct ref *r, struct manifest *m);
/* GET the manifest of r (by digest when r has one) and check that sha256 of
 * the body is its digest: REG_OK, REG_MISSING or REG_FAILED. */
int manifest_get(struct registry *reg, const struct ref *r, struct manifest *m);
/* PUT m's exact bytes as the tag of r with m's media type; REG_OK only when
 * the registry answers 201 with m's digest. */
int manifest_put(struct registry *reg, const struct ref *r, const struct manifest *m);

/* The media type of a manifest: its Content-Type, else the mediaType of its
 * body (when given); NULL unless visible ASCII with a '/'.  To free. */
char *manifest_media_type(const char *content_type, const struct buf *body);

#endif
