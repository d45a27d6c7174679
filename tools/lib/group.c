/* group.c: the group lines that travel between the filters. */
#include "group.h"
#include "util.h"
#include "library.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

json_t *group_next(const struct input *in, size_t *pos, size_t *lineno)
{
	const char *line;
	size_t len;
	while (next_line(&in->text, pos, &line, &len)) {
		++*lineno;
		if (blank(line, len))
			continue;
		json_error_t err;
		json_t *g = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
		if (!g)
			die_at(in->name, *lineno, "bad JSON: %s", err.text);
		if (json_is_object(g))
			return g;
		bool array = json_is_array(g);
		json_decref(g);
		die_at(in->name, *lineno, "%s: give one group a line%s",
		       array ? "a JSON array" : "not a JSON object",
		       array ? " (rust-groups without --matrix)" : "");
	}
	return NULL;
}

const char *group_string(const struct input *in, size_t lineno, json_t *g, const char *key)
{
	json_t *v = json_object_get(g, key);
	if (!v)
		die_at(in->name, lineno, "the group has no \"%s\"", key);
	if (!json_is_string(v))
		die_at(in->name, lineno, "\"%s\" is not a string", key);
	return json_string_value(v);
}

void group_strings(const struct input *in, size_t lineno, json_t *g, const char *key,
                   struct strlist *out)
{
	json_t *a = json_object_get(g, key);
	if (!a)
		die_at(in->name, lineno, "the group has no \"%s\"", key);
	if (!json_is_array(a))
		die_at(in->name, lineno, "\"%s\" is not an array", key);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			die_at(in->name, lineno, "\"%s\" must hold strings only", key);
		strlist_push(out, json_string_value(v));
	}
}

void group_set_last(json_t *g, const char *key, json_t *v)
{
	json_object_del(g, key);
	if (!v || json_object_set_new(g, key, v) != 0)
		die(EXIT_BAD, "out of memory");
}

json_t *group_array(const struct strlist *l)
{
	json_t *a = json_array();
	if (!a)
		die(EXIT_BAD, "out of memory");
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(a, json_string(l->v[i])) != 0)
			die(EXIT_BAD, "cannot make a JSON string of %s", l->v[i]);
	return a;
}

/* ---- the lines rust-groups prints ----------------------------------------- */

struct row {
	char *key;              /* the group_key printed */
	const struct lib_group *group;
};

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->key, ((const struct row *)b)->key);
}

/* The line of one group, its members in the order of the interface. */
static json_t *group_json(const struct row *r)
{
	char hex[65];
	sha256_hex(r->key, strlen(r->key), hex);
	hex[16] = '\0';
	json_t *o = json_object();
	if (!o || json_object_set_new(o, "group_key", json_string(r->key)) ||
	    json_object_set_new(o, "group_key_tag", json_string(hex)) ||
	    json_object_set_new(o, "rust_aliases", group_array(&r->group->tags)) ||
	    json_object_set_new(o, "shared_aliases", group_array(&r->group->shared)) ||
	    json_object_set_new(o, "architectures", group_array(&r->group->arches)) ||
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

void group_print(const struct lib_group *groups, size_t n, bool workflow_keys, bool matrix,
                 struct buf *out)
{
	struct row *rows = xcalloc(n, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		const struct lib_group *g = &groups[i];
		rows[i].group = g;
		rows[i].key = workflow_keys && g->plain
		                      ? xasprintf("%s: %s", g->commit, g->directory)
		                      : xstrdup(g->key);
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
	for (size_t i = 0; i < n; i++)
		free(rows[i].key);
	free(rows);
}
