/* tags.c: the image references each group of sources is published under. */
#include "tags.h"
#include "util.h"
#include "group.h"
#include "platform.h"
#include "semver.h"
#include "ref.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* One group line and what is published from it. */
struct group {
	json_t *obj;
	size_t lineno;
	const char *key;                  /* its group_key, for messages */
	const char *key_tag;              /* its group_key_tag */
	struct strlist aliases;           /* rust_aliases, then the shared ones it owns */
	struct strlist shared;            /* shared_aliases */
	char *canonical;                  /* the tag, without REPO: */
	struct strlist tags;              /* the tags, without REPO:, sorted */
};

struct groups {
	struct group *v;
	size_t n, cap;
};

static bool is_key_tag(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 16 && s[n] == '\0';
}

/* Reads and checks one group; its aliases and tags come later. */
static void read_group(const struct input *in, size_t lineno, json_t *obj, struct group *g)
{
	struct strlist platforms = {0};
	*g = (struct group){.obj = obj, .lineno = lineno};
	g->key = group_string(in, lineno, obj, "group_key");
	g->key_tag = group_string(in, lineno, obj, "group_key_tag");
	if (!is_key_tag(g->key_tag))
		die_at(in->name, lineno, "group_key_tag %s is not 16 lowercase hex digits",
		       quoted(g->key_tag));
	group_strings(in, lineno, obj, "rust_aliases", &g->aliases);
	group_strings(in, lineno, obj, "shared_aliases", &g->shared);
	group_strings(in, lineno, obj, "platforms", &platforms);
	if (platforms.n == 0)
		die_at(in->name, lineno, "the group has no platform: pipe it through arch-filter");
	/* they reach the builder's command line: only the table's names pass */
	for (size_t i = 0; i < platforms.n; i++)
		if (!arch_of_platform(platforms.v[i]))
			die_at(in->name, lineno, "unknown platform %s", quoted(platforms.v[i]));
	strlist_free(&platforms);
}

/* Each shared alias goes to the one group that claims it; two claims fail. */
static void share_aliases(const struct input *in, struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		struct group *g = &gs->v[i];
		for (size_t k = 0; k < g->shared.n; k++) {
			for (size_t j = 0; j < i; j++)
				if (strlist_has(&gs->v[j].shared, g->shared.v[k])) {
					char *a = quoted(g->shared.v[k]), *mine = quoted(g->key);
					die_at(in->name, g->lineno, "shared alias %s is claimed by group %s "
					       "(line %zu) and group %s", a, quoted(gs->v[j].key),
					       gs->v[j].lineno, mine);
				}
			strlist_push(&g->aliases, g->shared.v[k]);
		}
	}
}

/* Adds the tag made of prefix and alias to g's tags, checked. */
static void add_tag(const struct input *in, struct group *g, const char *prefix,
                    const char *alias, struct buf *tag)
{
	buf_reset(tag);
	buf_printf(tag, "%s%s", prefix, alias);
	if (!valid_tag(tag->data))
		die_at(in->name, g->lineno, "alias %s makes %s, not a valid tag "
		       "([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})", quoted(alias), quoted(tag->data));
	strlist_push(&g->tags, tag->data);
}

static void make_tags(const struct input *in, const struct tag_options *o, struct group *g)
{
	g->canonical = xasprintf("%s-base-%s", o->version, g->key_tag);
	if (!valid_tag(g->canonical))
		die_at(in->name, g->lineno, "the canonical tag %s is not a valid tag",
		       quoted(g->canonical));
	char *versioned = xasprintf("%s-rust-", o->version);
	struct buf tag = {0};
	for (size_t i = 0; i < g->aliases.n; i++) {
		const char *a = g->aliases.v[i];
		if (!valid_tag(a))
			die_at(in->name, g->lineno, "alias %s is not a valid tag", quoted(a));
		add_tag(in, g, versioned, a, &tag);
		if (o->no_latest)
			continue;
		add_tag(in, g, "latest-rust-", a, &tag);
		if (strcmp(a, "latest") == 0)
			add_tag(in, g, "", a, &tag);
	}
	strlist_sort_unique(&g->tags);
	buf_free(&tag);
	free(versioned);
}

/* A tag and the group that publishes it. */
struct owner {
	const char *tag;
	const struct group *group;
};

static int cmp_owner(const void *a, const void *b)
{
	return strcmp(((const struct owner *)a)->tag, ((const struct owner *)b)->tag);
}

/* No tag may be published by two groups (nor twice by one). */
static void check_unique(const struct input *in, const struct groups *gs)
{
	size_t n = 0;
	for (size_t i = 0; i < gs->n; i++)
		n += 1 + gs->v[i].tags.n;
	struct owner *all = xcalloc(n, sizeof *all);
	n = 0;
	for (size_t i = 0; i < gs->n; i++) {
		all[n++] = (struct owner){gs->v[i].canonical, &gs->v[i]};
		for (size_t k = 0; k < gs->v[i].tags.n; k++)
			all[n++] = (struct owner){gs->v[i].tags.v[k], &gs->v[i]};
	}
	qsort(all, n, sizeof *all, cmp_owner);
	struct owner dup = {0};
	const struct group *first = NULL;
	for (size_t i = 1; i < n && !first; i++) {
		if (strcmp(all[i - 1].tag, all[i].tag) != 0)
			continue;
		bool in_order = all[i - 1].group->lineno <= all[i].group->lineno;
		first = in_order ? all[i - 1].group : all[i].group;
		dup = in_order ? all[i] : all[i - 1];
	}
	free(all);
	if (first)
		die_at(in->name, dup.group->lineno, "tag %s comes from group %s (line %zu) and group %s",
		       quoted(dup.tag), quoted(first->key), first->lineno, quoted(dup.group->key));
}

static void print_group(const struct tag_options *o, struct group *g, struct buf *out)
{
	if (o->plain) {
		buf_printf(out, "%s:%s\n", o->image, g->canonical);
		for (size_t i = 0; i < g->tags.n; i++)
			buf_printf(out, "%s:%s\n", o->image, g->tags.v[i]);
		return;
	}
	struct strlist refs = {0};
	for (size_t i = 0; i < g->tags.n; i++) {
		char *ref = xasprintf("%s:%s", o->image, g->tags.v[i]);
		strlist_push(&refs, ref);
		free(ref);
	}
	char *canonical = xasprintf("%s:%s", o->image, g->canonical);
	group_set_last(g->obj, "canonical", json_string(canonical));
	group_set_last(g->obj, "tags", group_array(&refs));
	char *s = json_dumps(g->obj, JSON_COMPACT);
	if (!s)
		die(EXIT_BAD, "out of memory");
	buf_printf(out, "%s\n", s);
	free(s);
	free(canonical);
	strlist_free(&refs);
}

void tags_check_options(const struct tag_options *o)
{
	const char *why;
	if (!semver_check_release(o->version, &why))
		die(EXIT_BAD, "--version %s: %s", quoted(o->version), why);
	struct ref r;
	if (!ref_parse(o->image, &r, &why))
		die(EXIT_BAD, "--image %s: %s", quoted(o->image), why);
	bool bare = !r.tag && !r.digest;
	ref_free(&r);
	if (!bare)
		die(EXIT_BAD, "--image %s: give a repository, without a tag or digest",
		    quoted(o->image));
}

void tags_generate(const struct input *in, const struct tag_options *o, struct buf *out)
{
	struct groups gs = {0};
	size_t pos = 0, lineno = 0;
	json_t *obj;
	while ((obj = group_next(in, &pos, &lineno))) {
		if (gs.n == gs.cap) {
			gs.cap = gs.cap ? 2 * gs.cap : 16;
			gs.v = xrealloc(gs.v, gs.cap * sizeof *gs.v);
		}
		read_group(in, lineno, obj, &gs.v[gs.n++]);
	}
	share_aliases(in, &gs);
	for (size_t i = 0; i < gs.n; i++)
		make_tags(in, o, &gs.v[i]);
	check_unique(in, &gs);
	for (size_t i = 0; i < gs.n; i++) {
		struct group *g = &gs.v[i];
		print_group(o, g, out);
		json_decref(g->obj);
		strlist_free(&g->aliases);
		strlist_free(&g->shared);
		strlist_free(&g->tags);
		free(g->canonical);
	}
	free(gs.v);
}
