#ifndef REF_H
#define REF_H
/* ---- ref.c: image references ---------------------------------------------
 * [host[:port]/]name[:tag][@sha256:<64 hex>], as the docker CLI reads them.
 * No host (or docker.io, index.docker.io) means Docker Hub, whose host is
 * registry-1.docker.io and where a one-component name gets "library/".
 * A first component is a host when it has a '.' or ':' or is "localhost".
 * Names follow the distribution spec: lowercase components
 * [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* joined by '/', at most 255 characters.
 * Tags: valid_tag().  Everything that parses is safe in a URL path, a file
 * name and a shell word. */
#include <stdbool.h>
#include <stddef.h>
struct ref {
	char *host;     /* "registry-1.docker.io", "127.0.0.1:5000", "[::1]:5000" */
	char *name;     /* "library/rust" */
	char *tag;      /* NULL when absent */
	char *digest;   /* "sha256:<64 hex>", NULL when absent */
};

/* Parses and validates s into *r; on failure returns false, sets *why to a
 * static message and leaves *r empty. */
bool ref_parse(const char *s, struct ref *r, const char **why);
void ref_free(struct ref *r);
/* Loopback hosts (localhost, 127.0.0.0/8, [::1]), with or without a port:
 * spoken to in HTTPS first, in plain HTTP when the TLS handshake fails. */
bool ref_is_loopback(const struct ref *r);
bool host_is_loopback(const char *host);
bool ref_is_docker_hub(const struct ref *r);
/* The same for a host ("127.0.0.1:5000", "localhost", "[::1]"), as a URL's
 * authority names it. */
bool host_is_loopback(const char *host);
/* "TEXT: invalid reference: WHY" (after "FILE:LINE: " when file is set),
 * with TEXT escaped by printable(): a reference that ref_parse refused may
 * hold anything. */
void ref_warn_invalid(const char *file, size_t line, const char *text, const char *why);
/* "sha256:" and 64 lowercase hex digits. */
bool valid_digest(const char *s);

/* References as a tool was given them: each text and its parse. */
struct reflist {
	size_t n;
	char **text;
	struct ref *ref;
};
/* Reads the n operands args[], or when n is 0 the lines of stdin (blank
 * lines skipped).  At the first invalid one prints
 * "argv0: [stdin:LINE: ]TEXT: invalid reference: why" and returns false. */
bool reflist_read(struct reflist *l, char **args, size_t n);
void reflist_free(struct reflist *l);

#endif
