/* tag_gen.c: the image references each group of sources is published under. */
#include "tag_gen.h"
#include "util.h"
#include "group_line.h"
#include "platform.h"
#include "semver.h"
#include "ref.h"
#include "tags.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* One group line and what is published from it. */
struct published_group {
	json_t *obj;
	size_t lineno;
	const char *key;                  /* its group_key, for messages */
	const char *key_tag;              /* its group_key_tag */
	char *workflow_key_tag;           /* the original workflow's, or NULL */
	const char *representative;       /* its representative_rust_tag, with --base */
	struct strlist aliases;           /* rust_aliases, then the shared ones it owns */
	struct strlist shared;            /* shared_aliases */
	struct strlist platforms;
	char *canonical;                  /* the tag, without REPO: */
	char *build_tag;                  /* with a context hash: its build tag */
	char *previous_build_tag;         /* and with a previous release: that one's */
	struct strlist tags;              /* the tags, without REPO:, sorted */
	struct strlist made_of;           /* the alias each of tags is made of, as added */
};

struct published_groups {
	struct published_group *v;
	size_t n, cap;
};

/* n lowercase hex digits and nothing more */
static bool is_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdef") == n && s[n] == '\0';
}

static bool is_key_tag(const char *s)
{
	return is_hex(s, 16);
}

/* Reads and checks one group; its aliases and tags come later. */
static void read_group(const struct input *in, const struct tag_gen_options *o, size_t lineno,
                       json_t *obj, struct published_group *g)
{
	*g = (struct published_group){.obj = obj, .lineno = lineno};
	g->key = group_line_string(in, lineno, obj, "group_key");
	g->key_tag = group_line_string(in, lineno, obj, "group_key_tag");
	if (!is_key_tag(g->key_tag))
		die_at(in->name, lineno, "group_key_tag %s is not 16 lowercase hex digits",
		       quoted(g->key_tag));
	/* rust-groups --with-workflow-keys: its workflow_canonical, in its place */
	if (json_object_get(obj, "workflow_key_tag")) {
		const char *w = group_line_string(in, lineno, obj, "workflow_key_tag");
		if (!is_key_tag(w))
			die_at(in->name, lineno, "workflow_key_tag %s is not 16 lowercase hex digits",
			       quoted(w));
		g->workflow_key_tag = xstrdup(w);
		json_object_del(obj, "workflow_key_tag");
	}
	if (o->base) {
		g->representative = group_line_string(in, lineno, obj, "representative_rust_tag");
		if (!valid_tag(g->representative))
			die_at(in->name, lineno, "representative_rust_tag %s is not a valid tag",
			       quoted(g->representative));
	}
	group_line_strings(in, lineno, obj, "rust_aliases", &g->aliases);
	group_line_strings(in, lineno, obj, "shared_aliases", &g->shared);
	group_line_strings(in, lineno, obj, "platforms", &g->platforms);
	if (g->platforms.n == 0)
		die_at(in->name, lineno, "the group has no platform: pipe it through arch-filter");
	/* they reach the builder's command line: only the table's names pass */
	for (size_t i = 0; i < g->platforms.n; i++)
		if (!arch_of_platform(g->platforms.v[i]))
			die_at(in->name, lineno, "unknown platform %s", quoted(g->platforms.v[i]));
}

/* Each shared alias goes to the one group that claims it; two claims fail. */
static void share_aliases(const struct input *in, struct published_groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		struct published_group *g = &gs->v[i];
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

/* Adds to g's tags the tag version's alias made of alias, checked: a valid
 * tag, not of the form of a canonical or build tag, and no other alias's. */
static void add_tag(const struct input *in, const struct tag_gen_options *o,
                    struct published_group *g, const char *version, const char *alias,
                    struct buf *made)
{
	if (version) {
		tag_alias(made, o->format, version, alias);
	} else {
		buf_reset(made);
		buf_adds(made, alias);
	}
	const char *tag = made->data;
	if (!valid_tag(tag))
		die_at(in->name, g->lineno, "alias %s makes %s, not a valid tag "
		       "([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})", quoted(alias), quoted(tag));
	size_t n;
	if (tag_kind_of(tag, &n) != TAG_OTHER)
		die_at(in->name, g->lineno, "alias %s makes %s, which has the form of a canonical "
		       "or build tag (" TAG_BASE_FORM ")", quoted(alias), quoted(tag));
	for (size_t i = 0; i < g->tags.n; i++)
		if (strcmp(g->tags.v[i], tag) == 0 && strcmp(g->made_of.v[i], alias) != 0)
			die_at(in->name, g->lineno, "aliases %s and %s both make the tag %s",
			       quoted(g->made_of.v[i]), quoted(alias), quoted(tag));
	strlist_push(&g->tags, tag);
	strlist_push(&g->made_of, alias);
}

static void make_tags(const struct input *in, const struct tag_gen_options *o,
                      struct published_group *g)
{
	g->canonical = tag_canonical(o->version, g->key_tag);
	if (!valid_tag(g->canonical))
		die_at(in->name, g->lineno, "the canonical tag %s is not a valid tag",
		       quoted(g->canonical));
	struct buf made = {0};
	for (size_t i = 0; i < g->aliases.n; i++) {
		const char *a = g->aliases.v[i];
		if (!valid_tag(a))
			die_at(in->name, g->lineno, "alias %s is not a valid tag", quoted(a));
		add_tag(in, o, g, o->version, a, &made);
		if (o->no_latest)
			continue;
		add_tag(in, o, g, TAG_LATEST, a, &made);
		if (strcmp(a, TAG_LATEST) == 0)
			add_tag(in, o, g, NULL, a, &made);
	}
	buf_free(&made);
	strlist_sort_unique(&g->tags);
}

/* A tag and the group that publishes it. */
struct owner {
	const char *tag;
	const struct published_group *group;
};

static int cmp_owner(const void *a, const void *b)
{
	return strcmp(((const struct owner *)a)->tag, ((const struct owner *)b)->tag);
}

/* No tag may be published by two groups (nor twice by one). */
static void check_unique(const struct input *in, const struct published_groups *gs)
{
	size_t n = 0;
	for (size_t i = 0; i < gs->n; i++)
		n += 2 + gs->v[i].tags.n;
	struct owner *all = xcalloc(n, sizeof *all);
	n = 0;
	for (size_t i = 0; i < gs->n; i++) {
		all[n++] = (struct owner){gs->v[i].canonical, &gs->v[i]};
		if (gs->v[i].build_tag)
			all[n++] = (struct owner){gs->v[i].build_tag, &gs->v[i]};
		for (size_t k = 0; k < gs->v[i].tags.n; k++)
			all[n++] = (struct owner){gs->v[i].tags.v[k], &gs->v[i]};
	}
	qsort(all, n, sizeof *all, cmp_owner);
	struct owner dup = {0};
	const struct published_group *first = NULL;
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

static void print_group(const struct tag_gen_options *o, struct published_group *g, struct buf *out)
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
	/* what an earlier tag-gen added goes: only this run's additions end the line */
	json_object_del(g->obj, "base");
	json_object_del(g->obj, "workflow_canonical");
	json_object_del(g->obj, "build_tag");
	json_object_del(g->obj, "previous_build_tag");
	char *canonical = xasprintf("%s:%s", o->image, g->canonical);
	group_line_set_last(g->obj, "canonical", json_string(canonical));
	group_line_set_last(g->obj, "tags", group_line_array(&refs));
	if (o->base) {
		char *base = xasprintf("%s:%s", o->base, g->representative);
		group_line_set_last(g->obj, "base", json_string(base));
		free(base);
	}
	/* the original workflow named its images in the default format only */
	if (g->workflow_key_tag && strcmp(o->format, TAG_FORMAT_DEFAULT) == 0) {
		char *tag = tag_canonical(o->version, g->workflow_key_tag);
		char *workflow = xasprintf("%s:%s", o->image, tag);
		group_line_set_last(g->obj, "workflow_canonical", json_string(workflow));
		free(workflow);
		free(tag);
	}
	if (g->build_tag) {
		char *build = xasprintf("%s:%s", o->image, g->build_tag);
		group_line_set_last(g->obj, "build_tag", json_string(build));
		free(build);
	}
	if (g->previous_build_tag) {
		char *previous = xasprintf("%s:%s", o->image, g->previous_build_tag);
		group_line_set_last(g->obj, "previous_build_tag", json_string(previous));
		free(previous);
	}
	char *s = json_dumps(g->obj, JSON_COMPACT);
	if (!s)
		die(EXIT_BAD, "out of memory");
	buf_printf(out, "%s\n", s);
	free(s);
	free(canonical);
	strlist_free(&refs);
}

/* Dies unless repo is a repository without tag or digest. */
static void check_repository(const char *option, const char *repo)
{
	const char *why;
	struct ref r;
	if (!ref_parse(repo, &r, &why))
		die(EXIT_BAD, "%s %s: %s", option, quoted(repo), why);
	bool bare = !r.tag && !r.digest;
	ref_free(&r);
	if (!bare)
		die(EXIT_BAD, "%s %s: give a repository, without a tag or digest", option,
		    quoted(repo));
}

void tag_gen_check_options(struct tag_gen_options *o)
{
	const char *why;
	if (!o->format)
		o->format = TAG_FORMAT_DEFAULT;
	if (!tag_format_check(o->format, &why))
		die(EXIT_BAD, "--format %s: %s", quoted(o->format), why);
	if (o->build_tag) {
		if (!o->context || !is_hex(o->context, 64))
			die(EXIT_BAD, "--build-tag needs --context, a SHA-256 (64 lowercase hex digits)");
		return;
	}
	if (o->kinds) {
		if (o->version && !tag_version_ok(o->version))
			die(EXIT_BAD, "--version %s: not a version (X.Y.Z[-pre])", quoted(o->version));
		return;
	}
	if (!semver_check_release(o->version, &why))
		die(EXIT_BAD, "--version %s: %s", quoted(o->version), why);
	check_repository("--image", o->image);
	if (o->base)
		check_repository("--base", o->base);
	if (o->context && !is_hex(o->context, 64))
		die(EXIT_BAD, "--context %s: not a SHA-256 (64 lowercase hex digits)",
		    quoted(o->context));
	if (o->previous && !o->context)
		die(EXIT_BAD, "--previous needs --context");
	if (o->previous && !semver_check_release(o->previous, &why))
		die(EXIT_BAD, "--previous %s: %s", quoted(o->previous), why);
	/* one alias made now, so that a bad format is said before any input
	 * (of a short version: the version's own tags are checked with the
	 * groups') */
	static struct buf tag;
	tag_alias(&tag, o->format, "0.0.0", "x");
	size_t n;
	if (!valid_tag(tag.data) || tag_kind_of(tag.data, &n) != TAG_OTHER)
		die(EXIT_BAD, "--format %s: makes %s, not an alias tag", quoted(o->format),
		    quoted(tag.data));
	buf_free(&tag);
}

static int cmp_len_desc(const void *a, const void *b)
{
	size_t m = strlen(*(char *const *)a), n = strlen(*(char *const *)b);
	return m < n ? 1 : m > n ? -1 : 0;
}

void tag_gen_kinds(const struct input *in, const struct tag_gen_options *o, struct buf *out)
{
	struct strlist tags = {0}, versions = {0};
	const char *line;
	size_t len, pos = 0, lineno = 0, vlen;
	static struct buf tag; /* static: still reachable when a bad line dies */
	while (next_line(&in->text, &pos, &line, &len)) {
		buf_reset(&tag);
		buf_add(&tag, line, len);
		++lineno;
		if (!valid_tag(tag.data))
			die_at(in->name, lineno, "%s is not a tag", quoted(tag.data));
		strlist_push(&tags, tag.data);
		if (!o->version && tag_kind_of(tag.data, &vlen) != TAG_OTHER) {
			tag.data[vlen] = '\0';
			if (!strlist_has(&versions, tag.data))
				strlist_push(&versions, tag.data);
		}
	}
	buf_free(&tag);
	if (o->version)
		strlist_push(&versions, o->version);
	/* an alias is the longest version's whose alias it can be */
	qsort(versions.v, versions.n, sizeof *versions.v, cmp_len_desc);
	for (size_t i = 0; i < tags.n; i++) {
		const char *t = tags.v[i];
		enum tag_kind kind = tag_kind_of(t, &vlen);
		if (kind != TAG_OTHER) {
			for (size_t k = 0; k < versions.n; k++)
				if (strlen(versions.v[k]) == vlen && strncmp(versions.v[k], t, vlen) == 0)
					buf_printf(out, "%s %s %.*s\n", kind == TAG_BUILD ? "build" : "canonical",
					           t, (int)vlen, t);
			continue;
		}
		size_t k = 0;
		while (k < versions.n && !tag_is_alias_of(o->format, versions.v[k], t))
			k++;
		if (k < versions.n)
			buf_printf(out, "alias %s %s\n", t, versions.v[k]);
		else if (!tag_is_alias_of(o->format, NULL, t))
			buf_printf(out, "alias %s -\n", t);
	}
	strlist_free(&tags);
	strlist_free(&versions);
}

void tag_gen(const struct input *in, const struct tag_gen_options *o, struct buf *out)
{
	struct published_groups gs = {0};
	size_t pos = 0, lineno = 0;
	json_t *obj;
	while ((obj = group_line_next(in, &pos, &lineno))) {
		if (gs.n == gs.cap) {
			gs.cap = gs.cap ? 2 * gs.cap : 16;
			gs.v = xrealloc(gs.v, gs.cap * sizeof *gs.v);
		}
		read_group(in, o, lineno, obj, &gs.v[gs.n++]);
	}
	share_aliases(in, &gs);
	for (size_t i = 0; i < gs.n; i++) {
		make_tags(in, o, &gs.v[i]);
		if (o->context)
			gs.v[i].build_tag = tag_build(gs.v[i].canonical, &gs.v[i].platforms, o->context);
		if (o->context && o->previous) {
			char *canonical = tag_canonical(o->previous, gs.v[i].key_tag);
			gs.v[i].previous_build_tag = tag_build(canonical, &gs.v[i].platforms, o->context);
			free(canonical);
		}
	}
	check_unique(in, &gs);
	for (size_t i = 0; i < gs.n; i++) {
		struct published_group *g = &gs.v[i];
		print_group(o, g, out);
		json_decref(g->obj);
		strlist_free(&g->aliases);
		strlist_free(&g->shared);
		strlist_free(&g->tags);
		strlist_free(&g->made_of);
		strlist_free(&g->platforms);
		free(g->canonical);
		free(g->build_tag);
		free(g->previous_build_tag);
		free(g->workflow_key_tag);
	}
	free(gs.v);
}

void tag_gen_build_tags(const struct input *in, const struct tag_gen_options *o, struct buf *out)
{
	size_t pos = 0, lineno = 0, vlen;
	static json_t *obj; /* static: still reachable when a bad line dies */
	while ((obj = group_line_next(in, &pos, &lineno))) {
		const char *canonical = group_line_string(in, lineno, obj, "canonical");
		const char *tag = strrchr(canonical, ':');
		if (!tag || strchr(tag, '/') || tag_kind_of(tag + 1, &vlen) != TAG_CANONICAL)
			die_at(in->name, lineno, "canonical %s is not a canonical reference",
			       quoted(canonical));
		struct strlist platforms = {0};
		group_line_strings(in, lineno, obj, "platforms", &platforms);
		char *build = tag_build(canonical, &platforms, o->context);
		buf_printf(out, "%s\n", build);
		free(build);
		strlist_free(&platforms);
		json_decref(obj);
	}
}
