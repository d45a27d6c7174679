/* semver-check: the greatest Semantic Versioning 2.0.0 release of a list of tags. */
#include "util.h"
#include "semver.h"

#include <getopt.h>
#include <stdlib.h>

static _Noreturn void usage(int status)
{
	fputs("usage: semver-check [--releases-only] [FILE]\n"
	      "       semver-check --is-release VERSION\n"
	      "Prints the greatest semver tag of FILE (tag names one a line, or the\n"
	      "output of git ls-remote --tags) without its 'v'; fails when that is a\n"
	      "pre-release, unless --releases-only picks the greatest release.\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"releases-only", no_argument, NULL, 'r'},
		{"is-release", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	argv0 = "semver-check";
	const char *version = NULL;
	bool releases_only = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'r': releases_only = true; break;
		case 'i': version = optarg; break;
		case 'h': usage(0); break;
		case ':': warnx("%s needs an argument", argv[optind - 1]); usage(EXIT_USAGE);
		default: warnx("bad option %s", argv[optind - 1]); usage(EXIT_USAGE);
		}
	}
	if (argc - optind > (version ? 0 : 1) || (version && releases_only)) {
		warnx(version ? "--is-release takes no other option or argument" : "one FILE at most");
		usage(EXIT_USAGE);
	}

	if (version) {
		const char *why;
		if (!semver_check_release(version, &why))
			die(EXIT_BAD, "%s: %s", quoted(version), why);
		return 0;
	}
	struct input in;
	input_read(&in, argv[optind]);
	struct buf out = {0};
	semver_greatest(&in, releases_only, &out);
	output(&out);
	buf_free(&out);
	input_free(&in);
	return 0;
}
