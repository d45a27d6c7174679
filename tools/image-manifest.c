/* image-manifest: one manifest, fetched and checked against its digest. */
#include "util.h"
#include "ref.h"
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: %s [OPTIONS] [--raw] REF\n"
	        "GETs the manifest of REF (a counted pull on Docker Hub), checks it against\n"
	        "its digest and prints {\"reference\",\"digest\",\"mediaType\",\"manifest\"} on\n"
	        "one line, or with --raw the exact bytes.\n"
	        "OPTIONS:\n%s  --raw                   print the manifest's bytes as served\n"
	        "  --help\n",
	        argv0, registry_usage);
	exit(status);
}

/* The JSON line of m, or false (said why) when its body is not JSON. */
static bool manifest_line(const char *text, const struct manifest *m, struct buf *out)
{
	json_error_t e;
	json_t *body = json_loadb(m->body.data, m->body.len, 0, &e);
	if (!body) {
		/* jansson's words may quote the offending bytes */
		char *why = printable(e.text, strlen(e.text), QUOTED_MAX);
		warnx("%s: manifest is not JSON: %d: %s", text, e.line, why);
		free(why);
		return false;
	}
	json_t *j = json_pack("{s:s, s:s, s:s, s:o}", "reference", text, "digest", m->digest,
	                      "mediaType", m->media_type, "manifest", body);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (!s)
		die(EXIT_BAD, "cannot encode JSON");
	buf_printf(out, "%s\n", s);
	free(s);
	json_decref(j);
	return true;
}

int main(int argc, char **argv)
{
	argv0 = "image-manifest";
	bool raw = false;
	struct registry_options o;
	const struct registry_flag flags[] = {{"--raw", &raw}, {0}};
	int first = registry_parse_args(argc, argv, &o, flags, usage);
	if (argc - first != 1) {
		warnx(argc - first ? "one REF only" : "REF is missing");
		usage(EXIT_USAGE);
	}
	const char *text = argv[first];
	struct registry *reg = registry_begin(&o);
	struct ref r;
	struct manifest m = {0};
	struct buf out = {0};
	const char *why;
	bool ok = false;
	if (!ref_parse(text, &r, &why)) {
		ref_warn_invalid(NULL, 0, text, why);
	} else {
		int rc = manifest_get(reg, &r, &m);
		if (rc != REG_OK)
			warnx("%s: %s", text, rc == REG_MISSING ? "not found" : registry_error(reg));
		else if (raw)
			ok = (buf_add(&out, m.body.data, m.body.len), true);
		else
			ok = manifest_line(text, &m, &out);
		ref_free(&r);
	}
	if (ok)
		output(&out);
	buf_free(&out);
	manifest_free(&m);
	registry_end(reg);
	return ok ? 0 : EXIT_BAD;
}
