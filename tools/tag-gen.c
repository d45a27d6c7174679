/* tag-gen: the image references each group of sources is published under. */
#include "util.h"
#include "tag_gen.h"
#include "tags.h"

#include <getopt.h>
#include <stdlib.h>

static _Noreturn void usage(int status)
{
	fputs("usage: tag-gen --version X.Y.Z --image REPO [--format F] [--base REPO]\n"
	      "               [--context SHA256 [--previous X.Y.Z]] [--plain] [--no-latest] [FILE]\n"
	      "       tag-gen --kinds [--version X.Y.Z] [--format F] [FILE]\n"
	      "       tag-gen --build-tag --context SHA256 [FILE]\n"
	      "Adds to each group line (from arch-filter) \"canonical\", the group's\n"
	      "canonical reference in REPO for X.Y.Z, and \"tags\": each alias in the\n"
	      "format F (default " TAG_FORMAT_DEFAULT "), with X.Y.Z and with latest\n"
	      "for {version}, and latest; with --base, \"base\" (REPO:<representative>);\n"
	      "with a workflow_key_tag (rust-groups --with-workflow-keys), in its place,\n"
	      "\"workflow_canonical\"; with --context, \"build_tag\" (and with --previous,\n"
	      "\"previous_build_tag\", the same inputs' build tag for that release).\n"
	      "--plain prints one reference a line; --no-latest leaves out latest*.\n"
	      "--kinds reads tags and says which are canonical, build or alias tags.\n"
	      "--build-tag reads plan lines and prints each one's build tag for SHA256.\n",
	      status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"version", required_argument, NULL, 'v'},
		{"image", required_argument, NULL, 'i'},
		{"plain", no_argument, NULL, 'p'},
		{"no-latest", no_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"base", required_argument, NULL, 'b'},
		{"context", required_argument, NULL, 'c'},
		{"kinds", no_argument, NULL, 'k'},
		{"previous", required_argument, NULL, 'P'},
		{"build-tag", no_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	argv0 = "tag-gen";
	struct tag_gen_options o = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'v': o.version = optarg; break;
		case 'i': o.image = optarg; break;
		case 'p': o.plain = true; break;
		case 'n': o.no_latest = true; break;
		case 'f': o.format = optarg; break;
		case 'b': o.base = optarg; break;
		case 'c': o.context = optarg; break;
		case 'k': o.kinds = true; break;
		case 'P': o.previous = optarg; break;
		case 'B': o.build_tag = true; break;
		case 'h': usage(0);
		case ':': warnx("%s needs an argument", argv[optind - 1]); usage(EXIT_USAGE);
		default: warnx("bad option %s", argv[optind - 1]); usage(EXIT_USAGE);
		}
	}
	if (o.kinds && (o.image || o.base || o.context || o.previous || o.plain || o.no_latest)) {
		warnx("--kinds takes --version and --format only");
		usage(EXIT_USAGE);
	}
	if (o.build_tag && (o.kinds || o.version || o.image || o.base || o.previous || o.plain ||
	                    o.no_latest || o.format)) {
		warnx("--build-tag takes --context only");
		usage(EXIT_USAGE);
	}
	if (!o.kinds && !o.build_tag && (!o.version || !o.image)) {
		warnx("--version and --image are required");
		usage(EXIT_USAGE);
	}
	if (argc - optind > 1) {
		warnx("one FILE at most");
		usage(EXIT_USAGE);
	}

	tag_gen_check_options(&o);
	struct input in;
	input_read(&in, argv[optind]);
	struct buf out = {0};
	if (o.kinds)
		tag_gen_kinds(&in, &o, &out);
	else if (o.build_tag)
		tag_gen_build_tags(&in, &o, &out);
	else
		tag_gen(&in, &o, &out);
	output(&out);
	buf_free(&out);
	input_free(&in);
	return 0;
}
