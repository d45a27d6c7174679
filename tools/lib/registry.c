/* registry.c: a small OCI distribution client on libcurl (see registry.h). */
#include "util.h"
#include "auth.h"

#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

/* Every manifest request accepts all four kinds (registry.md says why). */
static const char ACCEPT[] =
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

/* The distribution spec's limit on a manifest, and ours on any answer. */
#define MAX_BODY (4L << 20)
/* No single backoff sleeps longer than this, Retry-After aside. */
#define MAX_BACKOFF_MS 60000L
/* Tags asked for per tags/list page, and the pages followed at most (a
 * registry whose links never end cannot keep a run going for ever). */
#define TAGS_PAGE 1000
#define MAX_TAG_PAGES 10000
/* The Link header values of one answer, together, at most. */
#define MAX_LINK (64L << 10)

const char registry_usage[] =
	"  --insecure              plain HTTP to a non-loopback registry\n"
	"  --attempts N            send a request at most N times (5)\n"
	"  --deadline SECONDS      time bound of a request and its retries (120)\n"
	"  --connect-timeout SECONDS   (10)\n"
	"  --stall-timeout SECONDS     abort a transfer idle this long (30)\n";

/* ---- options ---------------------------------------------------------------- */

struct knob {
	const char *option, *env;
	size_t offset;
	long min, max;
};

static const struct knob knobs[] = {
	{"--attempts", "REGISTRY_ATTEMPTS", offsetof(struct registry_options, attempts), 1, 100},
	{"--deadline", "REGISTRY_DEADLINE", offsetof(struct registry_options, deadline), 1, 86400},
	{"--connect-timeout", "REGISTRY_CONNECT_TIMEOUT",
	 offsetof(struct registry_options, connect_timeout), 1, 3600},
	{"--stall-timeout", "REGISTRY_STALL_TIMEOUT",
	 offsetof(struct registry_options, stall_timeout), 1, 3600},
	{NULL, "REGISTRY_BACKOFF_MS", offsetof(struct registry_options, backoff_ms), 0, 600000},
};

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void set_knob(const struct knob *k, struct registry_options *o, const char *name,
                     const char *value, void (*usage)(int))
{
	if (!parse_long(value, k->min, k->max, (long *)((char *)o + k->offset))) {
		warnx("%s: want a whole number from %ld to %ld, not \"%s\"", name, k->min, k->max, value);
		usage(EXIT_USAGE);
		exit(EXIT_USAGE);
	}
}

int registry_parse_args(int argc, char **argv, struct registry_options *o,
                        const struct registry_flag *flags, void (*usage)(int))
{
	*o = (struct registry_options){false, 5, 120, 10, 30, 500};
	for (size_t k = 0; k < sizeof knobs / sizeof *knobs; k++) {
		const char *v = getenv(knobs[k].env);
		if (v && *v)
			set_knob(&knobs[k], o, knobs[k].env, v, usage);
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--help") == 0)
			usage(0);
		if (strcmp(a, "--insecure") == 0) {
			o->insecure = true;
			continue;
		}
		const struct registry_flag *f = flags;
		while (f && f->name && strcmp(a, f->name) != 0)
			f++;
		if (f && f->name) {
			*f->value = true;
			continue;
		}
		const struct knob *k = knobs;
		size_t n = strcspn(a, "=");
		while (k->option && !(strlen(k->option) == n && strncmp(a, k->option, n) == 0))
			k++;
		if (!k->option) {
			warnx("unknown option %s", a);
			usage(EXIT_USAGE);
			exit(EXIT_USAGE);
		}
		const char *value = a[n] == '=' ? a + n + 1 : argv[++i];
		if (!value) {
			warnx("%s needs a value", k->option);
			usage(EXIT_USAGE);
			exit(EXIT_USAGE);
		}
		set_knob(k, o, k->option, value, usage);
	}
	return i;
}

/* ---- the client --------------------------------------------------------------- */

/* What the registry said about one host's authentication. */
struct host_auth {
	char *host;
	struct challenge challenge;   /* scheme NULL until a 401 */
	int have_credentials;         /* -2 not looked up yet, else credentials_find's */
	struct credentials cr;
};

struct token {
	char *key;     /* realm, service and scope */
	char *header;  /* "Authorization: Bearer ..." */
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
	uint64_t rng;
};

/* One answer: the status, the headers we read, the body. */
struct response {
	long status;
	struct buf body;
	char *digest, *content_type, *rl_limit, *rl_remaining;
	struct strlist challenges;    /* WWW-Authenticate values */
	struct buf link;              /* the Link values, joined by ", " (RFC 9110 5.3) */
	bool too_big, link_too_big;
};

static void response_free(struct response *resp)
{
	buf_free(&resp->body);
	free(resp->digest);
	free(resp->content_type);
	free(resp->rl_limit);
	free(resp->rl_remaining);
	strlist_free(&resp->challenges);
	buf_free(&resp->link);
	*resp = (struct response){0};
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct response *resp = arg;
	if (resp->body.len + n * size > (size_t)MAX_BODY) {
		resp->too_big = true;
		return 0;
	}
	buf_add(&resp->body, p, n * size);
	return n * size;
}

static void set_header(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = xstrndup(v, n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct response *resp = arg;
	size_t len = n * size;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new answer (after a redirect or a 100): forget the last one */
		response_free(resp);
		return len;
	}
	const char *colon = memchr(p, ':', len);
	if (!colon)
		return len;
	size_t name = (size_t)(colon - p);
	const char *v = colon + 1, *end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vn = (size_t)(end - v);
	if (memchr(v, '\0', vn))
		return len;
#define IS(h) (name == sizeof h - 1 && strncasecmp(p, h, name) == 0)
	if (IS("Docker-Content-Digest"))
		set_header(&resp->digest, v, vn);
	else if (IS("Content-Type"))
		set_header(&resp->content_type, v, vn);
	else if (IS("RateLimit-Limit"))
		set_header(&resp->rl_limit, v, vn);
	else if (IS("RateLimit-Remaining"))
		set_header(&resp->rl_remaining, v, vn);
	else if (IS("WWW-Authenticate")) {
		char *s = xstrndup(v, vn);
		strlist_push(&resp->challenges, s);
		free(s);
	} else if (IS("Link")) {
		/* dropping a value could drop the next page: too much is an error */
		if (resp->link.len + vn + 2 > (size_t)MAX_LINK)
			resp->link_too_big = true;
		else {
			if (resp->link.len)
				buf_adds(&resp->link, ", ");
			buf_add(&resp->link, v, vn);
		}
	}
#undef IS
	return len;
}

static void fail(struct registry *reg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct registry *reg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
	buf_reset(&reg->error);
	buf_adds(&reg->error, s);
	free(s);
}

const char *registry_error(const struct registry *reg)
{
	return reg->error.data ? reg->error.data : "";
}

/* The registry's own words for a failed answer: "CODE: message (HTTP n)". */
static char *describe(const struct response *resp)
{
	struct buf b = {0};
	json_t *j = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		buf_printf(&b, "%s%s: %s", b.len ? "; " : "", code ? code : "UNKNOWN", msg ? msg : "");
	}
	json_decref(j);
	/* keep a hostile answer from writing control characters to a terminal */
	for (size_t k = 0; k < b.len; k++)
		if ((unsigned char)b.data[k] < ' ' || b.data[k] == 0x7f)
			b.data[k] = '?';
	char *s = b.len ? xasprintf("%s (HTTP %ld)", b.data, resp->status)
	                : xasprintf("HTTP %ld", resp->status);
	buf_free(&b);
	return s;
}

/* "76;w=21600" -> 76 and 21600; false unless it reads so. */
static bool ratelimit_value(const char *s, long *n, long *w)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return false;
	*n = strtol(s, &end, 10);
	*w = 0;
	const char *win = strstr(end, "w=");
	if (win && win[2] >= '0' && win[2] <= '9')
		*w = strtol(win + 2, NULL, 10);
	return *end == '\0' || *end == ';';
}

static void note_ratelimit(struct registry *reg, const struct response *resp)
{
	long remaining, limit, window, w;
	if (ratelimit_value(resp->rl_remaining, &remaining, &window) &&
	    ratelimit_value(resp->rl_limit, &limit, &w))
		snprintf(reg->ratelimit, sizeof reg->ratelimit, "%ld of %ld per %lds", remaining,
		         limit, window ? window : w);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
static long backoff_ms(struct registry *reg, long attempt)
{
	long ceiling = reg->o.backoff_ms;
	for (long i = 1; i < attempt && ceiling < MAX_BACKOFF_MS; i++)
		ceiling *= 2;
	if (ceiling > MAX_BACKOFF_MS)
		ceiling = MAX_BACKOFF_MS;
	reg->rng ^= reg->rng << 13;   /* xorshift64 */
	reg->rng ^= reg->rng >> 7;
	reg->rng ^= reg->rng << 17;
	return ceiling ? (long)(reg->rng % (uint64_t)(ceiling + 1)) : 0;
}

/* Failures worth another try: the connection, not the request. */
static bool transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* A request to send: what registry_send needs besides the URL. */
struct request {
	const char *method;           /* "HEAD", "GET", "PUT" */
	const char *url;
	const char *authorization;    /* a whole header line, or NULL */
	const struct credentials *basic;
	const struct buf *body;       /* PUT */
	const char *content_type;     /* PUT */
	bool manifest;                /* send the Accept header */
	unsigned long *counter;
};

static void setup(struct registry *reg, const struct request *rq, struct response *resp,
                  struct curl_slist **headers, long timeout_ms)
{
	CURL *c = reg->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, reg->curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, argv0);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, reg->o.connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, reg->o.stall_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	const char *ca = getenv("REGISTRY_CA_FILE");
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	*headers = NULL;
	if (rq->manifest)
		*headers = curl_slist_append(*headers, ACCEPT);
	if (rq->authorization)
		*headers = curl_slist_append(*headers, rq->authorization);
	if (rq->basic) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, rq->basic->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, rq->basic->secret);
	}
	if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(rq->method, "PUT") == 0) {
		char *ct = xasprintf("Content-Type: %s", rq->content_type);
		*headers = curl_slist_append(*headers, ct);
		free(ct);
		*headers = curl_slist_append(*headers, "Expect:");
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body->data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body->len);
	} else {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *headers);
}

static void free_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/* Sends rq until an answer that is not worth retrying: 0 with *resp set
 * (any status), or -1 with the error set when attempts or time ran out or
 * the connection failed for good. */
static int send_retrying(struct registry *reg, const struct request *rq, struct response *resp)
{
	long start = now_ms(), deadline = reg->o.deadline * 1000L;
	for (long attempt = 1;; attempt++) {
		response_free(resp);
		struct curl_slist *headers;
		long left = deadline - (now_ms() - start);
		if (left <= 0)
			return fail(reg, "%s %s: deadline of %lds reached", rq->method, rq->url,
			            reg->o.deadline), -1;
		setup(reg, rq, resp, &headers, left);
		reg->curl_error[0] = '\0';
		++*rq->counter;
		CURLcode rc = curl_easy_perform(reg->curl);
		free_headers(headers);
		char *why;
		curl_off_t retry_after = 0;
		if (rc != CURLE_OK) {
			why = xstrdup(resp->too_big ? "answer larger than 4 MiB"
			              : reg->curl_error[0] ? reg->curl_error : curl_easy_strerror(rc));
			if (!transient(rc)) {
				fail(reg, "%s %s: %s", rq->method, rq->url, why);
				free(why);
				return -1;
			}
		} else {
			curl_easy_getinfo(reg->curl, CURLINFO_RESPONSE_CODE, &resp->status);
			note_ratelimit(reg, resp);
			if (resp->status != 429 && resp->status < 500)
				return 0;
			curl_easy_getinfo(reg->curl, CURLINFO_RETRY_AFTER, &retry_after);
			why = describe(resp);
		}
		long wait = retry_after > 0 ? (long)(retry_after < INT_MAX / 1000 ? retry_after * 1000
		                                                                  : INT_MAX)
		                            : backoff_ms(reg, attempt);
		if (attempt >= reg->o.attempts || now_ms() - start + wait >= deadline) {
			fail(reg, "%s %s: %s; gave up after %ld attempt%s in %.1fs", rq->method, rq->url,
			     why, attempt, attempt > 1 ? "s" : "", (now_ms() - start) / 1000.0);
			free(why);
			return -1;
		}
		warnx("%s %s: %s; retrying in %.1fs", rq->method, rq->url, why, wait / 1000.0);
		free(why);
		sleep_ms(wait);
	}
}

static void token_free(struct token *t)
{
	free(t->key);
	OPENSSL_cleanse(t->header, strlen(t->header));
	free(t->header);
}

struct registry *registry_begin(const struct registry_options *o)
{
	/* a credential helper may exit before reading: EPIPE, not death */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die(EXIT_BAD, "curl_global_init failed");
	struct registry *reg = xcalloc(1, sizeof *reg);
	reg->o = *o;
	if (!(reg->curl = curl_easy_init()))
		die(EXIT_BAD, "curl_easy_init failed");
	reg->rng = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 20 ^ (uint64_t)now_ms();
	if (!reg->rng)
		reg->rng = 1;
	return reg;
}

void registry_end(struct registry *reg)
{
	if (reg->ratelimit[0])
		warnx("ratelimit-remaining: %s", reg->ratelimit);
	/* tags/list requests are no pulls: apart, and said only by the tools
	 * that send them, so the other tools' line keeps its exact form */
	char lists[32] = "";
	if (reg->lists)
		snprintf(lists, sizeof lists, " list=%lu", reg->lists);
	warnx("requests: HEAD=%lu GET=%lu PUT=%lu token=%lu%s", reg->heads, reg->gets, reg->puts,
	      reg->tokens_fetched, lists);
	curl_easy_cleanup(reg->curl);
	curl_global_cleanup();
	for (size_t i = 0; i < reg->nhosts; i++) {
		free(reg->hosts[i].host);
		challenge_free(&reg->hosts[i].challenge);
		credentials_free(&reg->hosts[i].cr);
	}
	free(reg->hosts);
	for (size_t i = 0; i < reg->ntokens; i++)
		token_free(&reg->tokens[i]);
	free(reg->tokens);
	buf_free(&reg->error);
	free(reg);
}

void manifest_free(struct manifest *m)
{
	free(m->media_type);
	buf_free(&m->body);
	*m = (struct manifest){0};
}

/* ---- authentication -------------------------------------------------------- */

static struct host_auth *host_auth(struct registry *reg, const char *host)
{
	for (size_t i = 0; i < reg->nhosts; i++)
		if (strcmp(reg->hosts[i].host, host) == 0)
			return &reg->hosts[i];
	reg->hosts = xrealloc(reg->hosts, (reg->nhosts + 1) * sizeof *reg->hosts);
	struct host_auth *h = &reg->hosts[reg->nhosts++];
	*h = (struct host_auth){.host = xstrdup(host), .have_credentials = -2};
	return h;
}

/* The host's credentials, looked up once: NULL when there are none or the
 * lookup failed (then *failed is set and the error said). */
static const struct credentials *credentials(struct registry *reg, struct host_auth *h,
                                             bool *failed)
{
	*failed = false;
	if (h->have_credentials == -2) {
		char *err;
		h->have_credentials = credentials_find(h->host, &h->cr, &err);
		if (h->have_credentials < 0) {
			fail(reg, "credentials for %s: %s", h->host, err);
			free(err);
		}
	}
	if (h->have_credentials < 0)
		*failed = true;
	return h->have_credentials == 1 ? &h->cr : NULL;
}

/* Characters a token, realm or media type may hold: visible ASCII. */
static bool visible(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* The "Authorization: Bearer ..." line for scope on h, from the cache or
 * the token server; NULL on failure (the error set). */
static const char *bearer(struct registry *reg, struct host_auth *h, const char *scope)
{
	const struct challenge *ch = &h->challenge;
	char *key = xasprintf("%s %s %s", ch->realm, ch->service ? ch->service : "", scope);
	for (size_t i = 0; i < reg->ntokens; i++)
		if (strcmp(reg->tokens[i].key, key) == 0) {
			free(key);
			return reg->tokens[i].header;
		}
	bool failed;
	const struct credentials *cr = credentials(reg, h, &failed);
	if (failed) {
		free(key);
		return NULL;
	}
	if (cr && cr->identity_token) {
		free(key);
		return fail(reg, "credentials for %s: identity tokens are not supported; log in "
		            "with a password or access token", h->host), NULL;
	}
	struct buf url = {0};
	buf_printf(&url, "%s%c", ch->realm, strchr(ch->realm, '?') ? '&' : '?');
	char *esc;
	if (ch->service) {
		esc = curl_easy_escape(reg->curl, ch->service, 0);
		buf_printf(&url, "service=%s&", esc);
		curl_free(esc);
	}
	esc = curl_easy_escape(reg->curl, scope, 0);
	buf_printf(&url, "scope=%s", esc);
	curl_free(esc);
	struct request rq = {.method = "GET", .url = url.data, .basic = cr,
	                     .counter = &reg->tokens_fetched};
	struct response resp = {0};
	const char *header = NULL;
	if (send_retrying(reg, &rq, &resp) == 0) {
		char *token = resp.status == 200 ? token_from_json(resp.body.data, resp.body.len) : NULL;
		if (resp.status == 401 || resp.status == 403) {
			char *d = describe(&resp);
			fail(reg, "token server %s refused %s for %s: %s", ch->realm,
			     cr ? "the credentials" : "anonymous access", scope, d);
			free(d);
		} else if (resp.status != 200) {
			char *d = describe(&resp);
			fail(reg, "token server %s: %s", ch->realm, d);
			free(d);
		} else if (!token || !visible(token)) {
			fail(reg, "token server %s answered without a usable token", ch->realm);
		} else {
			reg->tokens = xrealloc(reg->tokens, (reg->ntokens + 1) * sizeof *reg->tokens);
			reg->tokens[reg->ntokens] = (struct token){key, xasprintf("Authorization: Bearer %s", token)};
			header = reg->tokens[reg->ntokens++].header;
			key = NULL;
		}
		if (token) {
			OPENSSL_cleanse(token, strlen(token));
			free(token);
		}
	}
	if (resp.body.data)
		OPENSSL_cleanse(resp.body.data, resp.body.len);
	response_free(&resp);
	buf_free(&url);
	free(key);
	return header;
}

static void forget_token(struct registry *reg, const char *header)
{
	for (size_t i = 0; i < reg->ntokens; i++)
		if (reg->tokens[i].header == header) {
			token_free(&reg->tokens[i]);
			reg->tokens[i] = reg->tokens[--reg->ntokens];
			return;
		}
}

/* Remembers h's challenge from a 401; false (error set) when unusable. */
static bool learn_challenge(struct registry *reg, struct host_auth *h, const struct response *resp)
{
	struct challenge ch = {0};
	for (size_t i = 0; i < resp->challenges.n && !ch.scheme; i++)
		challenge_parse(resp->challenges.v[i], &ch);
	if (!ch.scheme) {
		char *d = describe(resp);
		fail(reg, "%s without a Bearer or Basic WWW-Authenticate challenge", d);
		free(d);
		return false;
	}
	bool is_bearer = strcasecmp(ch.scheme, "Bearer") == 0;
	if (is_bearer && (!ch.realm || !visible(ch.realm) ||
	                  (strncmp(ch.realm, "https://", 8) != 0 && strncmp(ch.realm, "http://", 7) != 0))) {
		fail(reg, "unusable Bearer realm in the registry's challenge");
		challenge_free(&ch);
		return false;
	}
	challenge_free(&h->challenge);
	h->challenge = ch;
	return true;
}

/* ---- requests to a repository ----------------------------------------------- */

/* The URL of rest in r's repository: "http(s)://HOST/v2/NAME/REST". */
static char *repo_url(const struct registry *reg, const struct ref *r, const char *rest)
{
	return xasprintf("%s://%s/v2/%s/%s", reg->o.insecure || ref_is_loopback(r) ? "http" : "https",
	                 r->host, r->name, rest);
}

/* Sends one request about r's repository (a manifest one when manifest is
 * set: with the Accept header) with the authentication its host needs: a
 * token for the scope (fetched at the first 401, reused after), or Basic
 * credentials.  A 401 is answered once; after that it is an error. */
static int repo_request(struct registry *reg, const char *method, const char *url,
                        const struct ref *r, bool manifest, const struct manifest *put,
                        unsigned long *counter, struct response *resp)
{
	bool pushing = put != NULL;
	char *scope = xasprintf("repository:%s:%s", r->name, pushing ? "pull,push" : "pull");
	struct host_auth *h = host_auth(reg, r->host);
	int rc = -1;
	for (int round = 0; round < 2; round++) {
		struct request rq = {.method = method, .url = url, .manifest = manifest,
		                     .counter = counter};
		if (put) {
			rq.body = &put->body;
			rq.content_type = put->media_type;
		}
		bool failed = false;
		if (h->challenge.scheme && strcasecmp(h->challenge.scheme, "Bearer") == 0) {
			if (!(rq.authorization = bearer(reg, h, scope)))
				break;
		} else if (h->challenge.scheme) {
			rq.basic = credentials(reg, h, &failed);
			if (failed)
				break;
			if (!rq.basic) {
				fail(reg, "%s asks for a user name and password and none is configured "
				     "(REGISTRY_USER, or docker login)", r->host);
				break;
			}
		}
		if (send_retrying(reg, &rq, resp) != 0)
			break;
		if (resp->status != 401) {
			rc = 0;
			break;
		}
		struct challenge ch = {0};
		for (size_t i = 0; i < resp->challenges.n && !ch.scheme; i++)
			challenge_parse(resp->challenges.v[i], &ch);
		bool lacking = ch.error && strcmp(ch.error, "insufficient_scope") == 0;
		challenge_free(&ch);
		if (rq.authorization && lacking) {
			fail(reg, "%stoken for %s lacks %s (insufficient_scope)",
			     h->have_credentials == 1 ? "" : "anonymous ", scope, pushing ? "push" : "pull");
			break;
		}
		if (round == 1 || rq.basic) {
			char *d = describe(resp);
			fail(reg, "%s for %s (%s)", rq.basic ? "wrong user name or password" : "token refused",
			     r->host, d);
			free(d);
			break;
		}
		/* a cached token may have expired: ask for a new one, once */
		if (rq.authorization)
			forget_token(reg, rq.authorization);
		if (!learn_challenge(reg, h, resp))
			break;
		/* the registry's own scope for this request, when it names one */
		if (h->challenge.scope && visible(h->challenge.scope) &&
		    strcasecmp(h->challenge.scheme, "Bearer") == 0) {
			free(scope);
			scope = xstrdup(h->challenge.scope);
		}
	}
	free(scope);
	return rc;
}

/* ---- manifests ------------------------------------------------------------- */

static int manifest_request(struct registry *reg, const char *method, const struct ref *r,
                            const char *reference, const struct manifest *put,
                            struct response *resp)
{
	char *path = xasprintf("manifests/%s", reference);
	char *url = repo_url(reg, r, path);
	unsigned long *counter = put ? &reg->puts : strcmp(method, "GET") == 0 ? &reg->gets : &reg->heads;
	int rc = repo_request(reg, method, url, r, true, put, counter, resp);
	free(url);
	free(path);
	return rc;
}

/* The media type of a manifest: its Content-Type, else its mediaType. */
static char *media_type(const char *content_type, const struct buf *body)
{
	char *t = NULL;
	if (content_type && *content_type && strncmp(content_type, "application/json", 16) != 0)
		t = xstrndup(content_type, strcspn(content_type, "; "));
	if (!t && body && body->len) {
		json_t *j = json_loadb(body->data, body->len, 0, NULL);
		const char *s = json_string_value(json_object_get(j, "mediaType"));
		t = s ? xstrdup(s) : NULL;
		json_decref(j);
	}
	if (t && (!*t || !visible(t) || !strchr(t, '/'))) {
		free(t);
		t = NULL;
	}
	return t;
}

static int answer(struct registry *reg, const struct response *resp)
{
	if (resp->status == 404)
		return REG_MISSING;
	char *d = describe(resp);
	fail(reg, "%s", d);
	free(d);
	return REG_FAILED;
}

int registry_head(struct registry *reg, const struct ref *r, struct manifest *m)
{
	*m = (struct manifest){0};
	struct response resp = {0};
	int rc = REG_FAILED;
	const char *reference = r->digest ? r->digest : r->tag ? r->tag : "latest";
	if (manifest_request(reg, "HEAD", r, reference, NULL, &resp) != 0)
		;
	else if (resp.status != 200)
		rc = answer(reg, &resp);
	else if (!resp.digest || !valid_digest(resp.digest))
		fail(reg, "HEAD answered without a valid Docker-Content-Digest");
	else if (r->digest && strcmp(resp.digest, r->digest) != 0)
		fail(reg, "HEAD answered digest %s", resp.digest);
	else {
		snprintf(m->digest, sizeof m->digest, "%s", resp.digest);
		m->media_type = media_type(resp.content_type, NULL);
		rc = REG_OK;
	}
	response_free(&resp);
	return rc;
}

int registry_get(struct registry *reg, const struct ref *r, struct manifest *m)
{
	*m = (struct manifest){0};
	struct response resp = {0};
	int rc = REG_FAILED;
	const char *reference = r->digest ? r->digest : r->tag ? r->tag : "latest";
	if (manifest_request(reg, "GET", r, reference, NULL, &resp) != 0) {
		response_free(&resp);
		return REG_FAILED;
	}
	if (resp.status != 200) {
		rc = answer(reg, &resp);
		response_free(&resp);
		return rc;
	}
	char hex[65];
	sha256_hex(resp.body.data ? resp.body.data : "", resp.body.len, hex);
	snprintf(m->digest, sizeof m->digest, "sha256:%s", hex);
	const char *want = r->digest ? r->digest : resp.digest;
	if (!r->digest && !resp.digest)
		warnx("%s/%s:%s: no Docker-Content-Digest; using sha256 of the body", r->host, r->name,
		      reference);
	if (want && strcmp(want, m->digest) != 0)
		fail(reg, "body's digest %s is not %s", m->digest, want);
	else if (!(m->media_type = media_type(resp.content_type, &resp.body)))
		fail(reg, "manifest without a media type");
	else {
		m->body = resp.body;
		resp.body = (struct buf){0};
		rc = REG_OK;
	}
	if (rc != REG_OK)
		manifest_free(m);
	response_free(&resp);
	return rc;
}

int registry_put(struct registry *reg, const struct ref *r, const struct manifest *m)
{
	struct response resp = {0};
	int rc = REG_FAILED;
	if (!r->tag)
		fail(reg, "a PUT needs a tag");
	else if (manifest_request(reg, "PUT", r, r->tag, m, &resp) != 0)
		;
	else if (resp.status != 201) {
		char *d = describe(&resp);
		fail(reg, "%s", d);
		free(d);
	} else if (resp.digest && strcmp(resp.digest, m->digest) != 0)
		fail(reg, "PUT answered digest %s, not %s", resp.digest, m->digest);
	else
		rc = REG_OK;
	response_free(&resp);
	return rc;
}

/* ---- tags, and the Link header of their pages ---------------------------------- */

/* A URI reference cut as RFC 3986's appendix B does; the fragment is dropped. */
struct uri {
	const char *scheme, *auth, *path, *query;   /* NULL: absent */
	size_t scheme_n, auth_n, path_n, query_n;
};

static void uri_split(const char *s, struct uri *u)
{
	*u = (struct uri){0};
	size_t n = strcspn(s, ":/?#");
	if (n && s[n] == ':') {
		u->scheme = s;
		u->scheme_n = n;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		u->auth = s + 2;
		u->auth_n = strcspn(u->auth, "/?#");
		s = u->auth + u->auth_n;
	}
	u->path = s;
	u->path_n = strcspn(s, "?#");
	s += u->path_n;
	if (*s == '?') {
		u->query = s + 1;
		u->query_n = strcspn(u->query, "#");
	}
}

/* Appends path to out without its "." and ".." segments (RFC 3986 5.2.4). */
static void remove_dot_segments(struct buf *out, const char *path, size_t n)
{
	char *copy = xstrndup(path, n), *p = copy;
	size_t start = out->len;
	while (*p) {
		if (strncmp(p, "../", 3) == 0)
			p += 3;
		else if (strncmp(p, "./", 2) == 0 || strncmp(p, "/./", 3) == 0)
			p += 2;
		else if (strcmp(p, "/.") == 0)
			*(++p) = '/';   /* "/." becomes "/" */
		else if (strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0) {
			/* "/../x" becomes "/x", "/.." becomes "/"; one segment less */
			if (p[3] == '/')
				p += 3;
			else
				*(p += 2) = '/';
			while (out->len > start && out->data[--out->len] != '/')
				;
			if (out->data)
				out->data[out->len] = '\0';
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
			break;
		else {
			size_t seg = 1 + strcspn(p + 1, "/");
			buf_add(out, p, seg);
			p += seg;
		}
	}
	free(copy);
}

/* What a URL we send may hold: RFC 3986's unreserved and reserved
 * characters and '%' (so no space, quote, backslash or control byte). */
static bool url_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c))))
			return false;
	}
	return true;
}

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || strncasecmp(a, b, an) == 0);
}

/* ref resolved against base (RFC 3986 5.2.2), or NULL with *why set when it
 * is not a URL of base's scheme and authority, or holds what a URL may not. */
static char *resolve(const char *ref, size_t n, const char *base_url, const char **why)
{
	char *r = xstrndup(ref, n);
	struct uri b, u;
	uri_split(base_url, &b);
	uri_split(r, &u);
	struct buf path = {0};
	const char *query = u.query;
	size_t query_n = u.query_n;
	char *url = NULL;
	if (!url_chars(ref, n)) {
		*why = "it holds a character a URL may not";
		goto out;
	}
	/* "http:/x" has no authority: not the base's either */
	if (u.scheme && (!u.auth || !same(u.scheme, u.scheme_n, b.scheme, b.scheme_n))) {
		*why = "it leads to another scheme or host";
		goto out;
	}
	if (u.auth && !same(u.auth, u.auth_n, b.auth, b.auth_n)) {
		*why = "it leads to another host";
		goto out;
	}
	if (u.scheme || u.auth || (u.path_n && u.path[0] == '/')) {
		remove_dot_segments(&path, u.path, u.path_n);
	} else if (!u.path_n) {
		remove_dot_segments(&path, b.path, b.path_n);
		if (!query) {
			query = b.query;
			query_n = b.query_n;
		}
	} else {
		/* merge: base's path up to its last '/', then ref's */
		struct buf merged = {0};
		size_t keep = b.path_n;
		while (keep && b.path[keep - 1] != '/')
			keep--;
		if (keep)
			buf_add(&merged, b.path, keep);
		else
			buf_addc(&merged, '/');
		buf_add(&merged, u.path, u.path_n);
		remove_dot_segments(&path, merged.data, merged.len);
		buf_free(&merged);
	}
	/* "http://h" + "" or "x" would not start the path with '/' */
	url = xasprintf("%.*s://%.*s%s%.*s%s%.*s", (int)b.scheme_n, b.scheme, (int)b.auth_n, b.auth,
	                path.len && path.data[0] == '/' ? "" : "/", (int)path.len,
	                path.data ? path.data : "", query ? "?" : "", (int)query_n,
	                query ? query : "");
out:
	buf_free(&path);
	free(r);
	return url;
}

/* Characters of a token (RFC 9110 5.6.2): a parameter's name or bare value. */
static const char TCHARS[] = "!#$%&'*+-.^_`|~0123456789"
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Reads a token or quoted-string at *p into v (unescaped); false if neither. */
static bool param_value(const char **p, struct buf *v)
{
	const char *s = *p;
	if (*s != '"') {
		size_t n = strspn(s, TCHARS);
		buf_add(v, s, n);
		*p = s + n;
		return n > 0;
	}
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		buf_addc(v, *s);
	}
	if (*s != '"')
		return false;
	*p = s + 1;
	return true;
}

/* True when the relation types of a rel value (space-separated) say next. */
static bool rel_next(const struct buf *v)
{
	const char *s = v->data ? v->data : "";
	while (*s) {
		s += strspn(s, " \t");
		size_t n = strcspn(s, " \t");
		if (n == 4 && strncasecmp(s, "next", 4) == 0)
			return true;
		s += n;
	}
	return false;
}

char *link_next(const char *header, const char *base_url, const char **why)
{
	*why = NULL;
	const char *p = header;
	struct buf v = {0};
	for (;;) {
		p += strspn(p, " \t,");
		if (!*p)
			break;
		const char *end = *p == '<' ? strchr(p, '>') : NULL;
		if (!end)
			goto malformed;
		const char *target = p + 1;
		bool next = false, rel_seen = false;
		for (p = end + 1;;) {
			p += strspn(p, " \t");
			if (*p != ';')
				break;
			p++;
			p += strspn(p, " \t");
			const char *name = p;
			size_t name_n = strspn(p, TCHARS);
			if (!name_n)
				goto malformed;
			p += name_n;
			p += strspn(p, " \t");
			buf_reset(&v);
			if (*p == '=') {
				p++;
				p += strspn(p, " \t");
				if (!param_value(&p, &v))
					goto malformed;
			}
			/* RFC 8288 3.3: a rel after the first is ignored */
			if (same(name, name_n, "rel", 3) && !rel_seen) {
				rel_seen = true;
				next = rel_next(&v);
			}
		}
		if (*p && *p != ',')
			goto malformed;
		if (next) {
			buf_free(&v);
			return resolve(target, (size_t)(end - target), base_url, why);
		}
	}
	buf_free(&v);
	return NULL;
malformed:
	buf_free(&v);
	*why = "the Link header is malformed";
	return NULL;
}

/* Adds the tags of one tags/list answer to *tags; false (error set) unless
 * it is {"tags": [valid tags...]} or {"tags": null} (an empty repository). */
static bool page_tags(struct registry *reg, const struct response *resp, struct strlist *tags)
{
	json_t *j = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	json_t *list = json_object_get(j, "tags"), *t;
	bool ok = json_is_array(list) || json_is_null(list);
	size_t i;
	if (!ok)
		fail(reg, "the tags/list answer is not {\"tags\": [...]}");
	json_array_foreach(list, i, t) {
		const char *s = json_string_value(t);
		if (!s || strlen(s) != json_string_length(t) || !valid_tag(s)) {
			char *q = s ? quoted(s) : xstrdup("a non-string");
			fail(reg, "the tags/list answer holds %s, not a valid tag", q);
			free(q);
			ok = false;
			break;
		}
		strlist_push(tags, s);
	}
	json_decref(j);
	return ok;
}

int registry_tags(struct registry *reg, const struct ref *r, struct strlist *tags)
{
	*tags = (struct strlist){0};
	char *first = xasprintf("tags/list?n=%d", TAGS_PAGE);
	char *url = repo_url(reg, r, first);
	free(first);
	struct strlist seen = {0};
	int rc = REG_OK;
	while (url && rc == REG_OK) {
		struct response resp = {0};
		const char *why = NULL;
		char *next = NULL;
		strlist_push(&seen, url);
		if (repo_request(reg, "GET", url, r, false, NULL, &reg->lists, &resp) != 0)
			rc = REG_FAILED;
		else if (resp.status != 200) {
			/* an unknown repository; a later page that vanished is a failure */
			char *d = describe(&resp);
			if (seen.n == 1)
				fail(reg, "%s", d);
			else
				fail(reg, "page %zu: %s", seen.n, d);
			free(d);
			rc = resp.status == 404 && seen.n == 1 ? REG_MISSING : REG_FAILED;
		} else if (!page_tags(reg, &resp, tags))
			rc = REG_FAILED;
		else if (resp.link_too_big)
			fail(reg, "Link headers longer than %ld bytes", MAX_LINK), rc = REG_FAILED;
		else if (resp.link.len && !(next = link_next(resp.link.data, url, &why)) && why)
			fail(reg, "page %zu: next page refused: %s", seen.n, why), rc = REG_FAILED;
		else if (next && strlist_has(&seen, next))
			fail(reg, "page %zu: the next page is %s again: the pages loop", seen.n, next),
				rc = REG_FAILED;
		else if (next && seen.n >= MAX_TAG_PAGES)
			fail(reg, "more than %d pages of tags", MAX_TAG_PAGES), rc = REG_FAILED;
		response_free(&resp);
		free(url);
		url = rc == REG_OK ? next : (free(next), NULL);
	}
	free(url);
	strlist_free(&seen);
	if (rc != REG_OK)
		strlist_free(tags);
	return rc;
}
