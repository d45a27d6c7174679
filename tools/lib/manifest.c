/* manifest.c: manifest head, get and put (see manifest.h). */
#include "manifest.h"
#include "authorize.h"
#include "digest.h"
#include "http_param.h"
#include "transport.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

static int manifest_request(struct registry *reg, const char *method, const struct ref *r,
                            const char *reference, const struct manifest *put,
                            struct response *resp)
{
	char *path = xasprintf("manifests/%s", reference);
	char *url = repo_url(reg, r, path);
	unsigned long *counter = put ? &reg->puts : strcmp(method, "GET") == 0 ? &reg->gets : &reg->heads;
	int rc = authorized_request(reg, method, url, r, true, put ? &put->body : NULL,
	                            put ? put->media_type : NULL, counter, resp);
	free(url);
	free(path);
	return rc;
}

/* The type the Content-Type names (NULL when none or only JSON's) and the
 * one the bytes declare in mediaType (NULL when they declare none); to free. */
static void media_types(const char *content_type, const struct buf *body, char **served,
                        char **declared)
{
	*served = *declared = NULL;
	if (content_type && *content_type && strncmp(content_type, "application/json", 16) != 0)
		*served = xstrndup(content_type, strcspn(content_type, "; \t"));
	if (body && body->len) {
		json_t *j = json_parse_bounded(body->data, body->len, NULL);
		const char *s = json_string_value(json_object_get(j, "mediaType"));
		*declared = s ? xstrdup(s) : NULL;
		json_decref(j);
	}
}

char *manifest_media_type(const char *content_type, const struct buf *body)
{
	char *served, *declared;
	media_types(content_type, body, &served, &declared);
	/* distribution spec 1.0.1 (CVE-2021-41190): a type that the bytes
	 * contradict would make other clients read other bytes */
	char *t = declared ? declared : served;
	if (served && declared && strcasecmp(served, declared) != 0)
		t = NULL;
	if (t != served)
		free(served);
	if (t != declared)
		free(declared);
	if (t && (!*t || !http_visible(t) || !strchr(t, '/'))) {
		free(t);
		t = NULL;
	}
	return t;
}

/* Why manifest_media_type() found none, for the message; to free. */
static char *no_media_type(const char *content_type, const struct buf *body)
{
	char *served, *declared, *why;
	media_types(content_type, body, &served, &declared);
	if (served && declared && strcasecmp(served, declared) != 0) {
		char *s = printable(served, strlen(served), MAX_URL_SHOWN);
		char *d = printable(declared, strlen(declared), MAX_URL_SHOWN);
		why = xasprintf("Content-Type %s contradicts the manifest's mediaType %s", s, d);
		free(s);
		free(d);
	} else
		why = xstrdup("manifest without a valid media type");
	free(served);
	free(declared);
	return why;
}

/* Two Docker-Content-Digest headers that disagree are an error (the
 * error set), not "the last one wins". */
static bool one_digest(struct registry *reg, const char *method, const struct response *resp)
{
	if (resp->digests_disagree)
		registry_fail(reg, "%s answered two Docker-Content-Digest headers that disagree", method);
	return !resp->digests_disagree;
}

static int answer(struct registry *reg, const struct response *resp)
{
	if (resp->status == 404)
		return REG_MISSING;
	char *d = response_error_text(resp);
	registry_fail(reg, "%s", d);
	free(d);
	return REG_FAILED;
}

int manifest_head(struct registry *reg, const struct ref *r, struct manifest *m)
{
	*m = (struct manifest){0};
	struct response resp = {0};
	int rc = REG_FAILED;
	const char *reference = r->digest ? r->digest : r->tag ? r->tag : "latest";
	operation_begin(reg);
	if (manifest_request(reg, "HEAD", r, reference, NULL, &resp) != 0)
		;
	else if (resp.status != 200)
		rc = answer(reg, &resp);
	else if (!one_digest(reg, "HEAD", &resp))
		;
	else if (!resp.digest || !valid_digest(resp.digest))
		registry_fail(reg, "HEAD answered without a valid Docker-Content-Digest");
	else if (r->digest && strcmp(resp.digest, r->digest) != 0)
		registry_fail(reg, "HEAD answered digest %s", resp.digest);
	else {
		snprintf(m->digest, sizeof m->digest, "%s", resp.digest);
		m->media_type = manifest_media_type(resp.content_type, NULL);
		rc = REG_OK;
	}
	response_free(&resp);
	return rc;
}

int manifest_get(struct registry *reg, const struct ref *r, struct manifest *m)
{
	*m = (struct manifest){0};
	struct response resp = {0};
	int rc = REG_FAILED;
	const char *reference = r->digest ? r->digest : r->tag ? r->tag : "latest";
	operation_begin(reg);
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
	if (!one_digest(reg, "GET", &resp))
		;
	else if (resp.digest && !valid_digest(resp.digest))
		registry_fail(reg, "GET answered an invalid Docker-Content-Digest");
	else if (want && strcmp(want, m->digest) != 0)
		registry_fail(reg, "body's digest %s is not %s", m->digest, want);
	else if (!(m->media_type = manifest_media_type(resp.content_type, &resp.body))) {
		char *why = no_media_type(resp.content_type, &resp.body);
		registry_fail(reg, "%s", why);
		free(why);
	} else {
		m->body = resp.body;
		resp.body = (struct buf){0};
		rc = REG_OK;
	}
	if (rc != REG_OK)
		manifest_free(m);
	response_free(&resp);
	return rc;
}

int manifest_put(struct registry *reg, const struct ref *r, const struct manifest *m)
{
	struct response resp = {0};
	int rc = REG_FAILED;
	operation_begin(reg);
	if (!r->tag)
		registry_fail(reg, "a PUT needs a tag");
	else if (manifest_request(reg, "PUT", r, r->tag, m, &resp) != 0)
		;
	else if (resp.status != 201) {
		char *d = response_error_text(&resp);
		registry_fail(reg, "%s", d);
		free(d);
	} else if (!one_digest(reg, "PUT", &resp))
		;
	else if (resp.digest && strcmp(resp.digest, m->digest) != 0) {
		char *d = printable(resp.digest, strlen(resp.digest), MAX_URL_SHOWN);
		registry_fail(reg, "PUT answered digest %s, not %s", d, m->digest);
		free(d);
	} else
		rc = REG_OK;
	response_free(&resp);
	return rc;
}

void manifest_free(struct manifest *m)
{
	free(m->media_type);
	buf_free(&m->body);
	*m = (struct manifest){0};
}
