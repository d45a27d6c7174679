/* transport.c: requests to a registry, retried and counted (see transport.h). */
#include "transport.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static const char ACCEPT[] =
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

/* The distribution spec's limit on a manifest, and ours on any answer. */
#define MAX_BODY (4L << 20)
/* No single backoff sleeps longer than this, Retry-After aside. */
#define MAX_BACKOFF_MS 60000L

void response_free(struct response *resp)
{
	buf_free(&resp->body);
	free(resp->digest);
	free(resp->content_type);
	free(resp->rl_limit);
	free(resp->rl_remaining);
	strlist_free(&resp->challenges);
	buf_free(&resp->link);
	free(resp->location);
	*resp = (struct response){0};
}

size_t response_on_body(char *p, size_t size, size_t n, void *arg)
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

size_t response_on_header(char *p, size_t size, size_t n, void *arg)
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
	if (IS("Docker-Content-Digest")) {
		/* two that disagree: which one is the manifest's is anyone's guess */
		if (resp->digest && (strlen(resp->digest) != vn || strncmp(resp->digest, v, vn) != 0))
			resp->digests_disagree = true;
		set_header(&resp->digest, v, vn);
	}
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

json_t *json_parse_bounded(const char *data, size_t len, bool *too_many)
{
	if (too_many)
		*too_many = false;
	if (!data)
		return NULL;
	long values = 1;
	bool in_string = false;
	for (size_t i = 0; i < len && values <= MAX_JSON_VALUES; i++) {
		char c = data[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[' || c == ',')
			values++;
	}
	if (values > MAX_JSON_VALUES) {
		if (too_many)
			*too_many = true;
		return NULL;
	}
	return json_loadb(data, len, 0, NULL);
}

char *url_shown(const char *url)
{
	return printable(url, strlen(url), MAX_URL_SHOWN);
}

char *response_error_text(const struct response *resp)
{
	struct buf b = {0};
	json_t *j = json_parse_bounded(resp->body.data, resp->body.len, NULL);
	json_t *e;
	size_t i;
	/* a line of the registry's words at most, escaped: a hostile answer
	 * writes no control byte or bidi override to a terminal */
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		if (b.len >= MAX_SERVER_TEXT) {
			buf_adds(&b, "; ...");
			break;
		}
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		char *one = xasprintf("%s: %s", code ? code : "UNKNOWN", msg ? msg : "");
		char *shown = printable(one, strlen(one), MAX_SERVER_TEXT - b.len);
		buf_printf(&b, "%s%s", b.len ? "; " : "", shown);
		free(shown);
		free(one);
	}
	json_decref(j);
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

void note_ratelimit(struct registry *reg, const struct response *resp)
{
	long remaining, limit, window, w;
	if (ratelimit_value(resp->rl_remaining, &remaining, &window) &&
	    ratelimit_value(resp->rl_limit, &limit, &w))
		snprintf(reg->ratelimit, sizeof reg->ratelimit, "%ld of %ld per %lds", remaining,
		         limit, window ? window : w);
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

/* REGISTRY_CA_FILE's certificates join the system's (CURLOPT_CAINFO would
 * replace them): a private registry's CA and Docker Hub's both verify. */
static CURLcode add_ca_file(CURL *curl, void *ssl_ctx, void *path)
{
	(void)curl;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)ssl_ctx);
	return X509_STORE_load_file(store, path) == 1 ? CURLE_OK : CURLE_SSL_CACERT_BADFILE;
}

static void setup(struct registry *reg, const struct request *rq, const char *url,
                  struct response *resp, struct curl_slist **headers, long timeout_ms)
{
	CURL *c = reg->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (reg->connect_to)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, reg->connect_to);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* no downgrade: what started on https:// stays there */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
	                 strncmp(url, "https://", 8) == 0 ? "https" : "http,https");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, reg->curl_error);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, argv0);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, reg->o.connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, reg->o.stall_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, response_on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, response_on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	if (reg->ca_dir_only)
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);   /* CURLOPT_CAPATH's lookups only */
	const char *ca = getenv("REGISTRY_CA_FILE");
	if (ca && *ca) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_ca_file);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)ca);
	}
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
	} else if (!rq->no_redirect) {
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

/* "HOST[:PORT]" of an https:// URL; NULL for any other. */
static char *https_host(const char *url)
{
	if (strncmp(url, "https://", 8) != 0)
		return NULL;
	return xstrndup(url + 8, strcspn(url + 8, "/?#"));
}

char *transport_url(const struct registry *reg, const char *url)
{
	char *host = https_host(url);
	bool plain = host && strlist_has(&reg->plain_http, host);
	free(host);
	return plain ? xasprintf("http://%s", url + 8) : xstrdup(url);
}

/* Docker's rule for a loopback registry: HTTPS first, plain HTTP when the
 * TLS handshake fails (a certificate that does not verify is another error,
 * CURLE_PEER_FAILED_VERIFICATION, and no reason to fall back).  The host
 * is remembered, so the handshake fails once a run. */
static bool falls_back_to_http(struct registry *reg, const char *url, CURLcode rc)
{
	if (rc != CURLE_SSL_CONNECT_ERROR)
		return false;
	char *host = https_host(url);
	bool fall = host && host_is_loopback(host);
	if (fall)
		strlist_push(&reg->plain_http, host);
	free(host);
	return fall;
}

void operation_begin(struct registry *reg)
{
	reg->deadline_at = monotonic_ms() + reg->o.deadline * 1000L;
}

int transport_send(struct registry *reg, const struct request *rq, struct response *resp)
{
	long start = monotonic_ms();
	long end = reg->deadline_at ? reg->deadline_at : start + reg->o.deadline * 1000L;
	char *url = transport_url(reg, rq->url), *shown = url_shown(url);
	int rc = -1;
	for (long attempt = 1;; attempt++) {
		response_free(resp);
		struct curl_slist *headers;
		long left = end - monotonic_ms();
		if (left <= 0) {
			registry_fail(reg, "%s %s: the deadline of %lds is reached", rq->method, shown,
			              reg->o.deadline);
			break;
		}
		setup(reg, rq, url, resp, &headers, left);
		reg->curl_error[0] = '\0';
		++*rq->counter;
		CURLcode code = curl_easy_perform(reg->curl);
		free_headers(headers);
		if (falls_back_to_http(reg, url, code)) {
			/* no request reached the registry: not one to count */
			--*rq->counter;
			char *plain = transport_url(reg, url);
			free(url);
			free(shown);
			url = plain;
			shown = url_shown(url);
			attempt--;
			continue;
		}
		char *why;
		curl_off_t retry_after = 0;
		if (code == CURLE_UNSUPPORTED_PROTOCOL && strncmp(url, "https://", 8) == 0) {
			registry_fail(reg, "%s %s: a redirect to plain HTTP, refused", rq->method, shown);
			break;
		} else if (code != CURLE_OK) {
			const char *err = reg->curl_error[0] ? reg->curl_error : curl_easy_strerror(code);
			why = resp->too_big ? xstrdup("answer larger than 4 MiB")
			                    : printable(err, strlen(err), MAX_SERVER_TEXT);
			if (!transient(code)) {
				registry_fail(reg, "%s %s: %s", rq->method, shown, why);
				free(why);
				break;
			}
		} else {
			curl_easy_getinfo(reg->curl, CURLINFO_RESPONSE_CODE, &resp->status);
			note_ratelimit(reg, resp);
			if (resp->status != 429 && resp->status < 500) {
				char *location = NULL;
				if (rq->no_redirect && resp->status / 100 == 3 &&
				    curl_easy_getinfo(reg->curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
				    location)
					resp->location = xstrdup(location);
				rc = 0;
				break;
			}
			curl_easy_getinfo(reg->curl, CURLINFO_RETRY_AFTER, &retry_after);
			why = response_error_text(resp);
		}
		long now = monotonic_ms();
		long wait = retry_after > 0 ? (long)(retry_after < INT_MAX / 1000 ? retry_after * 1000
		                                                                  : INT_MAX)
		                            : backoff_ms(reg, attempt);
		const char *s = attempt > 1 ? "s" : "";
		if (attempt >= reg->o.attempts)
			registry_fail(reg, "%s %s: %s; gave up after %ld attempt%s in %.1fs", rq->method, shown,
			              why, attempt, s, (now - start) / 1000.0);
		else if (retry_after > 0 && now + wait >= end)
			registry_fail(reg, "%s %s: %s; its Retry-After of %llds is beyond the deadline "
			              "(%lds); gave up after %ld attempt%s", rq->method, shown, why,
			              (long long)retry_after, reg->o.deadline, attempt, s);
		else if (now + wait >= end)
			registry_fail(reg, "%s %s: %s; gave up after %ld attempt%s: the deadline of %lds "
			              "is reached", rq->method, shown, why, attempt, s, reg->o.deadline);
		else {
			warnx("%s %s: %s; retrying in %.1fs", rq->method, shown, why, wait / 1000.0);
			free(why);
			sleep_ms(wait);
			continue;
		}
		free(why);
		break;
	}
	free(url);
	free(shown);
	return rc;
}

char *repo_url(const struct registry *reg, const struct ref *r, const char *rest)
{
	return xasprintf("%s://%s/v2/%s/%s", reg->o.insecure ? "http" : "https",
	                 r->host, r->name, rest);
}

