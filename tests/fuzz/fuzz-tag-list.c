/*
 * fuzz-tag-list: semver-check on a list of tags (names, or git ls-remote
 * lines).  The first line holds its options ("--releases-only", or
 * "--is-release VERSION"); the rest is the list.  Property: when it
 * succeeds it prints exactly one release, MAJOR.MINOR.PATCH: digits and
 * dots only, safe in a shell word (its length is tag-gen's to check).
 */
#include "fuzz.h"
#include "semver.h"

#include <string.h>

struct run {
	struct input in;
	bool releases_only;
	const char *version;   /* --is-release */
	struct buf out;
};

static void run(void *arg)
{
	struct run *r = arg;
	const char *why;
	if (r->version) {
		if (!semver_check_release(r->version, &why))
			die(EXIT_BAD, "%s: %s", quoted(r->version), why);
		return;
	}
	semver_greatest(&r->in, r->releases_only, &r->out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {0};
	struct strlist args = {0};
	argv0 = "semver-check";
	fuzz_args_input(data, size, &args, &r.in);
	for (size_t i = 0; i < args.n; i++) {
		if (strcmp(args.v[i], "--releases-only") == 0)
			r.releases_only = true;
		else if (strcmp(args.v[i], "--is-release") == 0 && i + 1 < args.n)
			r.version = args.v[++i];
	}
	if (fuzz_run(run, &r) && !r.version) {
		/* the one line printed is a whole release */
		const char *why;
		fuzz_assert(r.out.len > 1 && r.out.data[r.out.len - 1] == '\n');
		r.out.data[--r.out.len] = '\0';
		fuzz_assert(semver_check_release(r.out.data, &why));
		fuzz_assert(r.out.data[strspn(r.out.data, "0123456789.")] == '\0');
	}
	buf_free(&r.out);
	strlist_free(&args);
	input_free(&r.in);
	return 0;
}
