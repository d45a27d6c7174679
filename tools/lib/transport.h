#ifndef TRANSPORT_H
#define TRANSPORT_H
/* ---- transport.c: requests to a registry, retried and counted --------------
 * A request is sent until an answer not worth retrying: 429, 5xx and
 * connection failures are retried with exponential backoff and full
 * jitter, honouring Retry-After, within --attempts and --deadline.  Every
 * request sent is counted.  An answer keeps the few headers the client
 * reads and a body of 4 MiB at most.  Every connection honours
 * REGISTRY_CONNECT_TO (curl's CURLOPT_CONNECT_TO) and REGISTRY_CA_FILE
 * (CAs added to the system's). */
#include "client.h"
#include "ref.h"
#include "util.h"

#include <stddef.h>

/* The Link header values of one answer, together, at most. */
#define MAX_LINK (64L << 10)
/* What a message shows of a server's words (error messages, a digest),
 * and of a URL or realm it named, at most. */
#define MAX_SERVER_TEXT 1024
#define MAX_URL_SHOWN 256
/* The values (objects, arrays, members, elements) of a JSON answer, at
 * most: jansson spends some 200 bytes on an empty object, so that 4 MiB of
 * "{}," would cost a few hundred MiB. */
#define MAX_JSON_VALUES 100000L

/* One answer: the status, the headers we read, the body. */
struct response {
	long status;
	struct buf body;
	char *digest, *content_type, *rl_limit, *rl_remaining;
	struct strlist challenges;    /* WWW-Authenticate values */
	struct buf link;              /* the Link values, joined by ", " (RFC 9110 5.3) */
	char *location;               /* a redirect not followed: its absolute URL */
	bool too_big, link_too_big;
	bool digests_disagree;        /* two Docker-Content-Digest values, not the same */
};
void response_free(struct response *resp);
/* libcurl's write and header callbacks: each adds to the response arg. */
size_t response_on_body(char *p, size_t size, size_t n, void *arg);
size_t response_on_header(char *p, size_t size, size_t n, void *arg);
/* The registry's own words for a failed answer: "CODE: message (HTTP n)",
 * without control characters; to free. */
char *response_error_text(const struct response *resp);
/* The JSON of a body, or NULL when it is not JSON or holds more than
 * MAX_JSON_VALUES values (counted before parsing: memory stays bounded;
 * then *too_many is set, when too_many is not NULL). */
struct json_t *json_parse_bounded(const char *data, size_t len, bool *too_many);
/* A URL for a message: printable() and at most MAX_URL_SHOWN bytes; to free. */
char *url_shown(const char *url);

/* Keeps the RateLimit-* headers of an answer for registry_end() to print. */
void note_ratelimit(struct registry *reg, const struct response *resp);

/* A request to send: what transport_send needs besides the URL. */
struct request {
	const char *method;           /* "HEAD", "GET", "PUT" */
	const char *url;
	const char *authorization;    /* a whole header line, or NULL */
	const struct credentials *basic;
	const struct buf *body;       /* PUT */
	const char *content_type;     /* PUT */
	bool manifest;                /* send the Accept header of manifests */
	bool no_redirect;             /* a 3xx is the answer (its URL in location) */
	unsigned long *counter;
};

/* Starts an operation (a manifest head, get or put, a whole tag listing):
 * every request until the next one, token requests and retries included,
 * ends within --deadline seconds of now. */
void operation_begin(struct registry *reg);

/* Sends rq until an answer that is not worth retrying: 0 with *resp set
 * (any status), or -1 with the error set when attempts or time ran out or
 * the connection failed for good.  A redirect is followed (5 at most)
 * unless rq->no_redirect, and never from https:// to http://. */
int transport_send(struct registry *reg, const struct request *rq, struct response *resp);

/* The URL of rest in r's repository: "https://HOST/v2/NAME/REST" (plain
 * HTTP with --insecure).  transport_send sends it to a loopback host in
 * plain HTTP once that host's TLS handshake failed. */
char *repo_url(const struct registry *reg, const struct ref *r, const char *rest);
/* The URL transport_send sends for url (to free): http:// for a loopback
 * host whose TLS handshake failed, else url itself. */
char *transport_url(const struct registry *reg, const char *url);

#endif
