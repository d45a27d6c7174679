/* client.c: the registry client's handle (see client.h). */
#include "client.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

void registry_fail(struct registry *reg, const char *fmt, ...)
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


void token_free(struct token *t)
{
	free(t->key);
	OPENSSL_cleanse(t->header, strlen(t->header));
	free(t->header);
}

/* Whether libcurl was built with a CA directory (Debian's, Ubuntu's:
 * /etc/ssl/certs, hashed by update-ca-certificates) and it exists.  Then
 * the system's CAs are looked up there by subject, the one a handshake
 * needs, instead of libcurl's bundle, which OpenSSL parses whole before a
 * process's first handshake: 146 certificates, ~22 ms of CPU a tool run,
 * most of a run to a registry on loopback.  The same CAs are trusted. */
static bool ca_dir_exists(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	struct stat st;
	return v->capath && stat(v->capath, &st) == 0 && S_ISDIR(st.st_mode);
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
	reg->ca_dir_only = ca_dir_exists();
	reg->rng = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 20 ^ (uint64_t)monotonic_ms();
	if (!reg->rng)
		reg->rng = 1;
	/* validated by registry_parse_args: curl gets the entries one by one */
	for (const char *p = o->connect_to; p && *p;) {
		size_t n = strcspn(p, ",");
		char *entry = xstrndup(p, n);
		reg->connect_to = curl_slist_append(reg->connect_to, entry);
		free(entry);
		p += n + (p[n] == ',');
	}
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
	strlist_free(&reg->plain_http);
	curl_slist_free_all(reg->connect_to);
	buf_free(&reg->error);
	free(reg);
}

