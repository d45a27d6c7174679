/* image-alias: point tags at SOURCE's manifest, spending a GET only when
 * some tag differs. */
#include "util.h"
#include "ref.h"
#include "registry.h"

#include <stdlib.h>
#include <string.h>

enum state { TODO, UNCHANGED, UPDATED };
static const char *const state_name[] = {"", "unchanged", "updated"};

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: %s [OPTIONS] SOURCE < TARGETS\n"
	        "Makes every target reference (one a line on stdin, in SOURCE's repository)\n"
	        "point at SOURCE's manifest: HEAD of SOURCE and of each target, one GET of\n"
	        "SOURCE only if some target differs, a PUT of those exact bytes to each.\n"
	        "Prints TARGET<TAB>DIGEST<TAB>unchanged|updated per target.\n"
	        "OPTIONS:\n%s  --help\n",
	        argv0, registry_usage);
	exit(status);
}

/* Refuses targets that are not tags of SOURCE's repository (their blobs
 * would be missing there), all of them named, before any request. */
static bool check_targets(const struct ref *src, const char *source, const struct reflist *t)
{
	struct buf other = {0};
	for (size_t i = 0; i < t->n; i++) {
		const struct ref *r = &t->ref[i];
		if (r->digest || !r->tag) {
			warnx("%s: a target must be a tag (name:tag)", t->text[i]);
			buf_free(&other);
			return false;
		}
		if (strcmp(r->host, src->host) != 0 || strcmp(r->name, src->name) != 0)
			buf_printf(&other, "%s%s", other.len ? ", " : "", t->text[i]);
	}
	if (other.len)
		warnx("refusing targets outside %s's repository %s/%s (their blobs would be "
		      "missing there): %s", source, src->host, src->name, other.data);
	bool ok = !other.len;
	buf_free(&other);
	return ok;
}

/* HEADs the targets, GETs the source when one differs, PUTs it to those:
 * true when every target is done; *state says which are. */
static bool alias(struct registry *reg, const char *source, const struct ref *src,
                  const struct reflist *t, const bool *dup, enum state *state, char *digest)
{
	struct manifest m;
	int rc = manifest_head(reg, src, &m);
	if (rc != REG_OK) {
		warnx("%s: %s", source, rc == REG_MISSING ? "source not found" : registry_error(reg));
		manifest_free(&m);
		return false;
	}
	snprintf(digest, 72, "%s", m.digest);
	manifest_free(&m);
	bool differs = false;
	for (size_t i = 0; i < t->n; i++) {
		if (dup[i])
			continue;
		if ((rc = manifest_head(reg, &t->ref[i], &m)) == REG_FAILED) {
			warnx("%s: %s", t->text[i], registry_error(reg));
			manifest_free(&m);
			return false;
		}
		if (rc == REG_OK && strcmp(m.digest, digest) == 0)
			state[i] = UNCHANGED;
		else
			differs = true;
		manifest_free(&m);
	}
	if (!differs)
		return true;
	/* by digest: the bytes HEAD described, even if the tag moves meanwhile */
	struct ref by_digest = {src->host, src->name, NULL, digest};
	if ((rc = manifest_get(reg, &by_digest, &m)) != REG_OK) {
		warnx("%s: %s", source, rc == REG_MISSING ? "source vanished" : registry_error(reg));
		manifest_free(&m);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < t->n && ok; i++) {
		if (dup[i] || state[i] != TODO)
			continue;
		if ((ok = manifest_put(reg, &t->ref[i], &m) == REG_OK))
			state[i] = UPDATED;
		else
			warnx("%s: %s", t->text[i], registry_error(reg));
	}
	manifest_free(&m);
	return ok;
}

int main(int argc, char **argv)
{
	argv0 = "image-alias";
	struct registry_options o;
	int first = registry_parse_args(argc, argv, &o, NULL, usage);
	if (argc - first != 1) {
		warnx(argc - first ? "one SOURCE only" : "SOURCE is missing");
		usage(EXIT_USAGE);
	}
	const char *source = argv[first];
	struct registry *reg = registry_begin(&o);
	struct ref src = {0};
	struct reflist t = {0};
	const char *why;
	bool ok = false;
	if (!ref_parse(source, &src, &why))
		ref_warn_invalid(NULL, 0, source, why);
	else if (reflist_read(&t, NULL, 0) && check_targets(&src, source, &t))
		ok = true;

	/* the same tag twice is done once and printed once (checked targets
	 * all have a tag) */
	bool *dup = xcalloc(t.n, sizeof *dup);
	for (size_t i = 0; ok && i < t.n; i++)
		for (size_t j = 0; j < i && !dup[i]; j++)
			dup[i] = strcmp(t.ref[i].tag, t.ref[j].tag) == 0;
	enum state *state = xcalloc(t.n, sizeof *state);
	char digest[72] = "";
	if (ok && t.n)
		ok = alias(reg, source, &src, &t, dup, state, digest);

	struct buf out = {0}, todo = {0};
	for (size_t i = 0; i < t.n; i++) {
		if (dup[i])
			continue;
		if (state[i] != TODO)
			buf_printf(&out, "%s\t%s\t%s\n", t.text[i], digest, state_name[state[i]]);
		else
			buf_printf(&todo, "%s%s", todo.len ? ", " : "", t.text[i]);
	}
	output(&out);
	if (!ok && todo.len && digest[0])
		warnx("not done: %s", todo.data);
	buf_free(&out);
	buf_free(&todo);
	free(dup);
	free(state);
	reflist_free(&t);
	ref_free(&src);
	registry_end(reg);
	return ok ? 0 : EXIT_BAD;
}
