#ifndef REGISTRY_H
#define REGISTRY_H
/* ---- registry.c: a small OCI distribution client on libcurl ---------------
 * Manifests: HEAD (free on Docker Hub), GET (a counted pull, verified
 * against its digest) and PUT (the exact bytes, with their media type);
 * and tag listings (tags/list, page by page: no pull either).
 * One curl handle for the run, so connections are kept alive.  A 401 is
 * answered once with a Bearer token (cached per scope for the run) or Basic
 * credentials (see auth.h); 429, 5xx and connection failures are retried
 * with exponential backoff and full jitter, honouring Retry-After, within
 * --attempts and --deadline.  Every request sent is counted, and
 * registry_end() prints "TOOL: requests: HEAD=n GET=n PUT=n token=n"
 * (followed by " list=n" when tags/list requests were sent). */

/* The knobs every registry tool shares (options and REGISTRY_* variables). */
struct registry_options {
	bool insecure;          /* --insecure: plain HTTP to non-loopback hosts */
	long attempts;          /* --attempts N: sends of one request, at most */
	long deadline;          /* --deadline S: seconds for one request and its retries */
	long connect_timeout;   /* --connect-timeout S */
	long stall_timeout;     /* --stall-timeout S: abort a transfer idle this long */
	long backoff_ms;        /* REGISTRY_BACKOFF_MS: the first retry waits up to this */
};

/* A tool's own boolean flag, for registry_parse_args. */
struct registry_flag {
	const char *name;       /* "--raw" */
	bool *value;
};

/* Parses the common options (after the REGISTRY_* variables, which they
 * override) and the tool's flags (a list ended by {0}) out of argv; --help
 * calls usage(0), a bad option or value usage(2) after a message (usage
 * must exit).  Returns the index of the first operand. */
int registry_parse_args(int argc, char **argv, struct registry_options *o,
                        const struct registry_flag *flags, void (*usage)(int));

/* The common OPTIONS text of every tool's usage message. */
extern const char registry_usage[];

struct registry;   /* opaque: the curl handle, tokens, counts */

struct registry *registry_begin(const struct registry_options *o);
/* Prints the rate-limit line (when seen) and the request summary on
 * stderr, and frees everything. */
void registry_end(struct registry *reg);

/* A manifest as the registry describes it. */
struct manifest {
	char digest[72];        /* "sha256:<64 hex>" */
	char *media_type;       /* the Content-Type (else the body's mediaType) */
	struct buf body;        /* the exact bytes (GET only) */
};
void manifest_free(struct manifest *m);

enum { REG_OK = 0, REG_MISSING = 1, REG_FAILED = -1 };

/* HEAD the manifest of r: REG_OK (digest and media type set), REG_MISSING
 * (404) or REG_FAILED (registry_error() says why). */
int registry_head(struct registry *reg, const struct ref *r, struct manifest *m);
/* GET the manifest of r (by digest when r has one) and check that sha256 of
 * the body is its digest: REG_OK, REG_MISSING or REG_FAILED. */
int registry_get(struct registry *reg, const struct ref *r, struct manifest *m);
/* PUT m's exact bytes as the tag of r with m's media type; REG_OK only when
 * the registry answers 201 with m's digest. */
int registry_put(struct registry *reg, const struct ref *r, const struct manifest *m);
/* Every tag of r's repository (r's tag and digest are not looked at), in
 * the order served, following the pages' Link rel="next" (same host only,
 * no loop, 10000 pages at most): REG_OK with *tags set ("tags": null is
 * none), REG_MISSING (404: unknown repository; registry_error() has the
 * registry's words) or REG_FAILED.  Each tag is valid_tag(). */
int registry_tags(struct registry *reg, const struct ref *r, struct strlist *tags);

/* The URL of the rel="next" link of a Link header value (RFC 8288: links
 * separated by commas, rel quoted or not, a list of relation types),
 * resolved against base_url, the URL of the request answered (RFC 3986).
 * NULL with *why NULL when there is no next link; NULL with *why set (a
 * static message) when the header is malformed or the link leaves
 * base_url's scheme and host or holds what a URL may not.  A URL returned
 * (to free) starts with base_url's "scheme://host/". */
char *link_next(const char *header, const char *base_url, const char **why);

/* What the last failure was, for the tool to print after the reference
 * ("MANIFEST_INVALID: manifest invalid (HTTP 400)"); "" when none. */
const char *registry_error(const struct registry *reg);

#endif
