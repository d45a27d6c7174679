/* group_line.c: the JSON group lines that travel between the filters. */
#include "group_line.h"
#include "util.h"

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

json_t *group_line_next(const struct input *in, size_t *pos, size_t *lineno)
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

const char *group_line_string(const struct input *in, size_t lineno, json_t *g, const char *key)
{
	json_t *v = json_object_get(g, key);
	if (!v)
		die_at(in->name, lineno, "the group has no \"%s\"", key);
	if (!json_is_string(v))
		die_at(in->name, lineno, "\"%s\" is not a string", key);
	return json_string_value(v);
}

void group_line_strings(const struct input *in, size_t lineno, json_t *g, const char *key,
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

void group_line_set_last(json_t *g, const char *key, json_t *v)
{
	json_object_del(g, key);
	if (!v || json_object_set_new(g, key, v) != 0)
		die(EXIT_BAD, "out of memory");
}

json_t *group_line_array(const struct strlist *l)
{
	json_t *a = json_array();
	if (!a)
		die(EXIT_BAD, "out of memory");
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(a, json_string(l->v[i])) != 0)
			die(EXIT_BAD, "cannot make a JSON string of %s", l->v[i]);
	return a;
}
