/* rust_groups.c: the group lines rust-groups prints (see rust_groups.h). */
#include "rust_groups.h"
#include "digest.h"
#include "group_line.h"
#include "library.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct row {
	char *key;              /* the group_key printed */
	char *workflow_key;     /* with both keys: the workflow's, else NULL */
	const struct source_group *group;
};

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key, ((const struct row *)b)->key);
}

/* The key tag of key: the first 16 hex digits of its SHA-256, into hex[17]. */
static void key_tag(const char *key, char hex[17])
{
	char full[65];
	sha256_hex(key, strlen(key), full);
	memcpy(hex, full, 16);
	hex[16] = '\0';
}

/* The line of one group, its members in the order of the interface. */
static json_t *group_json(const struct row *r)
{
	char hex[17], workflow[17];
	key_tag(r->key, hex);
	json_t *o = json_object();
	if (!o || json_object_set_new(o, "group_key", json_string(r->key)) ||
	    json_object_set_new(o, "group_key_tag", json_string(hex)))
		die(EXIT_BAD, "cannot make the JSON of group %s", r->key);
	if (r->workflow_key) {
		key_tag(r->workflow_key, workflow);
		if (json_object_set_new(o, "workflow_key_tag", json_string(workflow)))
			die(EXIT_BAD, "cannot make the JSON of group %s", r->key);
	}
	if (
	    json_object_set_new(o, "rust_aliases", group_line_array(&r->group->tags)) ||
	    json_object_set_new(o, "shared_aliases", group_line_array(&r->group->shared)) ||
	    json_object_set_new(o, "architectures", group_line_array(&r->group->arches)) ||
	    json_object_set_new(o, "representative_rust_tag",
	                        json_string(library_representative(&r->group->tags))))
		die(EXIT_BAD, "cannot make the JSON of group %s", r->key);
	return o;
}

static void dump(json_t *j, struct buf *out)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		die(EXIT_BAD, "out of memory");
	buf_printf(out, "%s\n", s);
	free(s);
}

void rust_groups_print(const struct source_group *groups, size_t n, enum group_keys keys,
                       bool matrix, struct buf *out)
{
	struct row *rows = xcalloc(n, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		const struct source_group *g = &groups[i];
		rows[i].group = g;
		char *workflow = g->plain ? xasprintf("%s: %s", g->commit, g->directory)
		                          : xstrdup(g->key);
		if (keys == KEYS_WORKFLOW) {
			rows[i].key = workflow;
		} else {
			rows[i].key = xstrdup(g->key);
			rows[i].workflow_key = keys == KEYS_BOTH ? workflow : (free(workflow), NULL);
		}
	}
	qsort(rows, n, sizeof *rows, cmp_row);
	json_t *all = json_array();
	if (!all)
		die(EXIT_BAD, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *o = group_json(&rows[i]);
		if (matrix) {
			json_array_append_new(all, o);
		} else {
			dump(o, out);
			json_decref(o);
		}
	}
	if (matrix)
		dump(all, out);
	json_decref(all);
	for (size_t i = 0; i < n; i++) {
		free(rows[i].key);
		free(rows[i].workflow_key);
	}
	free(rows);
}
