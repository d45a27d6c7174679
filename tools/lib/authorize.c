/* authorize.c: answering a registry's 401 (see authorize.h). */
#include "authorize.h"
#include "http_param.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

static struct host_auth *host_auth(struct registry *reg, const char *host)
{
	for (size_t i = 0; i < reg->nhosts; i++)
		if (strcmp(reg->hosts[i].host, host) == 0)
			return &reg->hosts[i];
	reg->hosts = xrealloc(reg->hosts, (reg->nhosts + 1) * sizeof *reg->hosts);
	struct host_auth *h = &reg->hosts[reg->nhosts++];
	*h = (struct host_auth){.host = xstrdup(host)};
	return h;
}

/* The host's credentials, looked up once: NULL when there are none or the
 * lookup failed (then *failed is set and the error said). */
static const struct credentials *credentials(struct registry *reg, struct host_auth *h,
                                             bool *failed)
{
	*failed = false;
	if (!h->credentials_looked_up) {
		char *err;
		h->credentials_looked_up = true;
		h->found = credentials_find(h->host, &h->cr, &err);
		if (h->found == CREDENTIALS_FAILED) {
			registry_fail(reg, "credentials for %s: %s", h->host, err);
			free(err);
		}
	}
	if (h->found == CREDENTIALS_FAILED)
		*failed = true;
	return h->found == CREDENTIALS_FOUND ? &h->cr : NULL;
}

/* A token longer than this is not a token (Docker Hub's are some 2 KB). */
#define MAX_TOKEN (32L << 10)

/* The "Authorization: Bearer ..." line for scope on h, from the cache or
 * the token server; NULL on failure (the error set). */
static const char *bearer(struct registry *reg, struct host_auth *h, const char *scope)
{
	const struct challenge *ch = &h->challenge;
	char *key = xasprintf("%s %s %s", ch->realm, ch->service ? ch->service : "", scope);
	for (size_t i = 0; i < reg->ntokens; i++)
		if (strcmp(reg->tokens[i].key, key) == 0) {
			if (reg->tokens[i].expires > monotonic_ms()) {
				free(key);
				return reg->tokens[i].header;
			}
			/* renewed before it is refused: Docker Hub's last 300 s */
			token_free(&reg->tokens[i]);
			reg->tokens[i] = reg->tokens[--reg->ntokens];
			break;
		}
	bool failed;
	const struct credentials *cr = credentials(reg, h, &failed);
	if (failed) {
		free(key);
		return NULL;
	}
	if (cr && cr->identity_token) {
		free(key);
		return registry_fail(reg, "credentials for %s: identity tokens are not supported; log in "
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
	char *realm = url_shown(ch->realm);
	char *scope_shown = url_shown(scope);
	if (transport_send(reg, &rq, &resp) == 0) {
		char *token = resp.status == 200 ? token_from_json(resp.body.data, resp.body.len) : NULL;
		if (resp.status == 401 || resp.status == 403) {
			char *d = response_error_text(&resp);
			registry_fail(reg, "token server %s refused %s for %s: %s", realm,
			     cr ? "the credentials" : "anonymous access", scope_shown, d);
			free(d);
		} else if (resp.status != 200) {
			char *d = response_error_text(&resp);
			registry_fail(reg, "token server %s: %s", realm, d);
			free(d);
		} else if (!token || !http_visible(token)) {
			registry_fail(reg, "token server %s answered without a usable token", realm);
		} else if (strlen(token) > (size_t)MAX_TOKEN) {
			registry_fail(reg, "token server %s answered a token of %zu bytes, longer than %ld",
			              realm, strlen(token), MAX_TOKEN);
		} else {
			/* the spec's default lifetime is 60 s; renew a little early */
			long life = token_expires_in(resp.body.data, resp.body.len) * 1000L;
			long margin = life / 10 < 5000 ? life / 10 : 5000;
			reg->tokens = xrealloc(reg->tokens, (reg->ntokens + 1) * sizeof *reg->tokens);
			reg->tokens[reg->ntokens] = (struct token){key, xasprintf("Authorization: Bearer %s", token),
			                                           monotonic_ms() + life - margin};
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
	free(realm);
	free(scope_shown);
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

bool learn_challenge(struct registry *reg, struct host_auth *h, const struct response *resp)
{
	struct challenge ch = {0};
	for (size_t i = 0; i < resp->challenges.n && !ch.scheme; i++)
		challenge_parse(resp->challenges.v[i], &ch);
	if (!ch.scheme) {
		char *d = response_error_text(resp);
		registry_fail(reg, "%s without a Bearer or Basic WWW-Authenticate challenge", d);
		free(d);
		return false;
	}
	bool is_bearer = strcasecmp(ch.scheme, "Bearer") == 0;
	if (is_bearer && (!ch.realm || !http_visible(ch.realm) ||
	                  (strncmp(ch.realm, "https://", 8) != 0 && strncmp(ch.realm, "http://", 7) != 0))) {
		registry_fail(reg, "unusable Bearer realm in the registry's challenge");
		challenge_free(&ch);
		return false;
	}
	if (is_bearer && strncmp(ch.realm, "http://", 7) == 0 && !reg->o.insecure) {
		/* credentials and tokens in cleartext: only over loopback */
		char *host = xstrndup(ch.realm + 7, strcspn(ch.realm + 7, "/?#"));
		bool loopback = !strchr(host, '@') && host_is_loopback(host);
		free(host);
		if (!loopback) {
			char *realm = url_shown(ch.realm);
			registry_fail(reg, "refusing the Bearer realm %s: plain HTTP to a host that is not "
			              "loopback would carry credentials in cleartext (--insecure allows it)",
			              realm);
			free(realm);
			challenge_free(&ch);
			return false;
		}
	}
	challenge_free(&h->challenge);
	h->challenge = ch;
	return true;
}

/* A token for the scope is fetched at the first 401 and reused after; a
 * second 401 is an error. */
int authorized_request(struct registry *reg, const char *method, const char *url,
                       const struct ref *r, bool manifest, const struct buf *put_body,
                       const char *put_type, unsigned long *counter, struct response *resp)
{
	bool pushing = put_body != NULL;
	char *scope = xasprintf("repository:%s:%s", r->name, pushing ? "pull,push" : "pull");
	struct host_auth *h = host_auth(reg, r->host);
	int rc = -1;
	for (int round = 0; round < 2; round++) {
		/* a tag listing's redirect is a next page: tag_list.c checks it */
		struct request rq = {.method = method, .url = url, .manifest = manifest,
		                     .no_redirect = !manifest, .counter = counter};
		rq.body = put_body;
		rq.content_type = put_type;
		bool failed = false;
		if (h->challenge.scheme && strcasecmp(h->challenge.scheme, "Bearer") == 0) {
			if (!(rq.authorization = bearer(reg, h, scope)))
				break;
		} else if (h->challenge.scheme) {
			rq.basic = credentials(reg, h, &failed);
			if (failed)
				break;
			if (!rq.basic) {
				registry_fail(reg, "%s asks for a user name and password and none is configured "
				     "(REGISTRY_USER, or docker login)", r->host);
				break;
			}
		}
		if (transport_send(reg, &rq, resp) != 0)
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
			char *shown = url_shown(scope);
			registry_fail(reg, "%stoken for %s lacks %s (insufficient_scope)",
			     h->found == CREDENTIALS_FOUND ? "" : "anonymous ", shown, pushing ? "push" : "pull");
			free(shown);
			break;
		}
		if (round == 1 || rq.basic) {
			char *d = response_error_text(resp);
			registry_fail(reg, "%s for %s (%s)", rq.basic ? "wrong user name or password" : "token refused",
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
		if (h->challenge.scope && http_visible(h->challenge.scope) &&
		    strcasecmp(h->challenge.scheme, "Bearer") == 0) {
			free(scope);
			scope = xstrdup(h->challenge.scope);
		}
	}
	free(scope);
	return rc;
}

char *token_from_json(const char *body, size_t len)
{
	json_t *j = json_parse_bounded(body, len, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	if (!t || !*t)
		t = json_string_value(json_object_get(j, "access_token"));
	char *token = t && *t ? xstrdup(t) : NULL;
	json_decref(j);
	return token;
}

long token_expires_in(const char *body, size_t len)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	json_t *v = json_object_get(j, "expires_in");
	long s = json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 86400
	                 ? (long)json_integer_value(v) : 60;
	json_decref(j);
	return s;
}
