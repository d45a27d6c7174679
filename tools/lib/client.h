#ifndef CLIENT_H
#define CLIENT_H
/* ---- client.c: the registry client's handle ---------------------------------
 * One per run: the options, one curl handle (so connections are kept
 * alive), what each host said about its authorization, the tokens fetched
 * (cached per scope for the run), the counts of the requests sent and the
 * last error.  The tools hold it as an opaque pointer; transport.c,
 * authorize.c, manifest.c and tag_list.c each work on their part of it. */
#include "challenge.h"
#include "credentials.h"
#include "registry_options.h"
#include "util.h"

#include <stdint.h>

#include <curl/curl.h>

/* What the registry said about one host's authorization. */
struct host_auth {
	char *host;
	struct challenge challenge;      /* scheme NULL until a 401 */
	bool credentials_looked_up;      /* credentials_find() asked, once */
	enum credentials_found found;    /* its answer, once looked up */
	struct credentials cr;
};

/* A bearer token fetched for one realm, service and scope. */
struct token {
	char *key;     /* realm, service and scope */
	char *header;  /* "Authorization: Bearer ..." */
	long expires;  /* monotonic_ms() when it is no longer to be sent */
};

struct registry {
	struct registry_options o;
	CURL *curl;
	char curl_error[CURL_ERROR_SIZE];
	struct buf error;
	unsigned long heads, gets, puts, lists, tokens_fetched;
	struct host_auth *hosts;
	size_t nhosts;
	struct token *tokens;
	size_t ntokens;
	char ratelimit[96];           /* "N of M per Ws", the last one seen */
	struct strlist plain_http;    /* loopback hosts whose TLS handshake failed */
	struct curl_slist *connect_to;   /* REGISTRY_CONNECT_TO's entries */
	bool ca_dir_only;             /* the system's CAs from libcurl's CA directory */
	uint64_t rng;
	long deadline_at;             /* monotonic ms the operation under way ends by; 0: none */
};

/* What a call about a manifest or a repository found. */
enum { REG_OK = 0, REG_MISSING = 1, REG_FAILED = -1 };

struct registry *registry_begin(const struct registry_options *o);
/* Prints the rate-limit line (when seen) and the request summary on stderr,
 * "TOOL: requests: HEAD=n GET=n PUT=n token=n" (followed by " list=n" when
 * tags/list requests were sent), and frees everything. */
void registry_end(struct registry *reg);

/* What the last failure was, for the tool to print after the reference
 * ("MANIFEST_INVALID: manifest invalid (HTTP 400)"); "" when none. */
const char *registry_error(const struct registry *reg);
/* Sets the last failure. */
void registry_fail(struct registry *reg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Wipes and frees a token of the cache. */
void token_free(struct token *t);

#endif
