/* manifest.c: manifest head, get and put (see manifest.h). */
#include "manifest.h"
#include "authorize.h"
#include "http_param.h"
#include "transport.h"

#include <stdlib.h>
#include <string.h>

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

char *manifest_media_type(const char *content_type, const struct buf *body)
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
	if (t && (!*t || !http_visible(t) || !strchr(t, '/'))) {
		free(t);
		t = NULL;
	}
	return t;
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
	if (manifest_request(reg, "HEAD", r, reference, NULL, &resp) != 0)
		;
	else if (resp.status != 200)
		rc = answer(reg, &resp);
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
		registry_fail(reg, "body's digest %s is not %s", m->digest, want);
	else if (!(m->media_type = manifest_media_type(resp.content_type, &resp.body)))
		registry_fail(reg, "manifest without a media type");
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

int manifest_put(struct registry *reg, const struct ref *r, const struct manifest *m)
{
	struct response resp = {0};
	int rc = REG_FAILED;
	if (!r->tag)
		registry_fail(reg, "a PUT needs a tag");
	else if (manifest_request(reg, "PUT", r, r->tag, m, &resp) != 0)
		;
	else if (resp.status != 201) {
		char *d = response_error_text(&resp);
		registry_fail(reg, "%s", d);
		free(d);
	} else if (resp.digest && strcmp(resp.digest, m->digest) != 0)
		registry_fail(reg, "PUT answered digest %s, not %s", resp.digest, m->digest);
	else
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
