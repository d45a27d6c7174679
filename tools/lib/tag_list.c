/* tag_list.c: a repository's tag list, page by page (see tag_list.h). */
#include "tag_list.h"
#include "authorize.h"
#include "link.h"
#include "transport.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Tags asked for per tags/list page, and the pages followed at most (a
 * registry whose links never end cannot keep a run going for ever). */
#define TAGS_PAGE 1000
#define MAX_TAG_PAGES 10000
/* The tags of a listing, at most: each costs some 50 bytes besides its
 * own, so a listing holds 200 MiB at most whatever its pages look like. */
#define MAX_TAGS 1000000

/* Adds the tags of one tags/list answer to *tags; false (error set) unless
 * it is {"tags": [valid tags...]} or {"tags": null} (an empty repository). */
static bool page_tags(struct registry *reg, const struct response *resp, struct strlist *tags)
{
	bool too_many;
	json_t *j = json_parse_bounded(resp->body.data, resp->body.len, &too_many);
	json_t *list = json_object_get(j, "tags"), *t;
	bool ok = json_is_array(list) || json_is_null(list);
	size_t i;
	if (too_many)
		registry_fail(reg, "the tags/list answer holds more than %ld JSON values", MAX_JSON_VALUES);
	else if (!ok)
		registry_fail(reg, "the tags/list answer is not {\"tags\": [...]}");
	if (ok && tags->n + json_array_size(list) > MAX_TAGS) {
		registry_fail(reg, "more than %d tags: refused (a registry's listing has to end)",
		              MAX_TAGS);
		ok = false;
	}
	json_array_foreach(ok ? list : NULL, i, t) {
		const char *s = json_string_value(t);
		if (!s || strlen(s) != json_string_length(t) || !valid_tag(s)) {
			char *q = s ? quoted(s) : xstrdup("a non-string");
			registry_fail(reg, "the tags/list answer holds %s, not a valid tag", q);
			free(q);
			ok = false;
			break;
		}
		strlist_push(tags, s);
	}
	json_decref(j);
	return ok;
}

int tag_list(struct registry *reg, const struct ref *r, struct strlist *tags)
{
	*tags = (struct strlist){0};
	char *first = xasprintf("tags/list?n=%d", TAGS_PAGE);
	char *url = repo_url(reg, r, first);
	free(first);
	struct strlist seen = {0};
	int rc = REG_OK;
	operation_begin(reg);   /* one deadline for every page */
	while (url && rc == REG_OK) {
		struct response resp = {0};
		const char *why = NULL;
		char *next = NULL;
		int sent = authorized_request(reg, "GET", url, r, false, NULL, NULL, &reg->lists, &resp);
		/* the next page is relative to the URL as sent (maybe http now) */
		char *as_sent = transport_url(reg, url);
		free(url);
		url = as_sent;
		strlist_push(&seen, url);
		if (sent != 0)
			rc = REG_FAILED;
		else if (resp.status / 100 == 3 && resp.location) {
			/* a redirect goes where a next link may go, and no further */
			if (!(next = link_resolve(resp.location, url, &why)))
				registry_fail(reg, "page %zu: redirect refused: %s", seen.n, why), rc = REG_FAILED;
			else if (strlist_has(&seen, next))
				registry_fail(reg, "page %zu: the redirects loop", seen.n), rc = REG_FAILED;
			else if (seen.n >= MAX_TAG_PAGES)
				registry_fail(reg, "more than %d pages of tags", MAX_TAG_PAGES), rc = REG_FAILED;
		} else if (resp.status != 200) {
			/* an unknown repository; a later page that vanished is a failure */
			char *d = response_error_text(&resp);
			if (seen.n == 1)
				registry_fail(reg, "%s", d);
			else
				registry_fail(reg, "page %zu: %s", seen.n, d);
			free(d);
			rc = resp.status == 404 && seen.n == 1 ? REG_MISSING : REG_FAILED;
		} else if (!page_tags(reg, &resp, tags))
			rc = REG_FAILED;
		else if (resp.link_too_big)
			registry_fail(reg, "Link headers longer than %ld bytes", MAX_LINK), rc = REG_FAILED;
		else if (resp.link.len && !(next = link_next(resp.link.data, url, &why)) && why)
			registry_fail(reg, "page %zu: next page refused: %s", seen.n, why), rc = REG_FAILED;
		else if (next && strlist_has(&seen, next)) {
			char *shown = url_shown(next);
			registry_fail(reg, "page %zu: the next page is %s again: the pages loop", seen.n, shown);
			free(shown);
			rc = REG_FAILED;
		}
		else if (next && seen.n >= MAX_TAG_PAGES)
			registry_fail(reg, "more than %d pages of tags", MAX_TAG_PAGES), rc = REG_FAILED;
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
