#ifndef LIBRARY_H
#define LIBRARY_H
/* ---- library.c: the Docker Official Images library file -------------------
 * The RFC 2822-like format of docker-library/official-images' library/NAME,
 * read as bashbrew's manifest package reads it (docs: library-format.md):
 * comments anywhere, paragraphs, continuation lines, a global paragraph whose
 * fields every entry inherits, per-architecture fields ("arm64v8-Directory").
 * library_parse() validates as bashbrew does and dies at the first error with
 * "FILE:LINE: message", the message naming the entry by its Tags in
 * bashbrew's own words, so a rejected file reads the same in both tools.
 * Values are checked before they can reach a shell, a URL or a file name:
 * tags against valid_tag(), commits as 40 or 64 lowercase hex digits. */
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

/* The single-valued fields, each also per architecture ("<arch>-<Field>"). */
enum lib_field { LIB_GITREPO, LIB_GITFETCH, LIB_GITCOMMIT, LIB_DIRECTORY, LIB_FILE,
                 LIB_BUILDER, LIB_NFIELDS };
/* The list fields: comma-separated values. */
enum lib_list { LIB_MAINTAINERS, LIB_TAGS, LIB_SHAREDTAGS, LIB_ARCHITECTURES,
                LIB_CONSTRAINTS, LIB_NLISTS };

/* One "<arch>-<Field>: value" line, kept even when empty: an empty value
 * cancels the one inherited from the global paragraph. */
struct lib_archvalue {
	char *arch;             /* "arm64v8" */
	enum lib_field field;
	char *value;
	size_t line;
};

/* An entry with everything it inherits resolved.  Each value remembers the
 * line it was written on (the global paragraph's, when inherited; the
 * entry's first line for a built-in default) so that errors point at it. */
struct lib_entry {
	size_t line;                            /* first line of the paragraph */
	char *field[LIB_NFIELDS];
	size_t field_line[LIB_NFIELDS];
	struct strlist list[LIB_NLISTS];        /* Architectures sorted, unique */
	size_t list_line[LIB_NLISTS];
	struct lib_archvalue *archval;
	size_t narchval;
};

/* A parsed, valid library file: its entries in file order. */
struct library {
	const char *file;                       /* the name errors carry */
	struct lib_entry global;
	struct lib_entry *entry;
	size_t n;
};

/* Parses and validates in into *lib; dies with "FILE:LINE: message" (exit 1)
 * on the first error, as bashbrew would stop.  Also rejects what bashbrew
 * does not look at but this pipeline must not pass on: NUL bytes, invalid
 * UTF-8, empty input, the pre-2017 line-based format (said so by name). */
void library_parse(struct library *lib, const struct input *in);
void library_free(struct library *lib);

/* Field f of entry e as architecture arch builds it: "<arch>-<F>" when set
 * and non-empty, else the plain field. */
const char *lib_entry_get(const struct lib_entry *e, const char *arch, enum lib_field f);

/* ---- library.c: groups -----------------------------------------------------
 * A group is the set of entries that build from the same sources, as
 * bashbrew's SameBuildArtifacts() decides: the same Architectures and, for
 * each of them, the same GitCommit, Directory, File and Builder, and the same
 * Constraints.  Its key names those sources:
 *
 *   <commit>:<directory>     when every architecture builds the same commit
 *                            and directory with File "Dockerfile", no Builder
 *                            and no Constraints (every library/rust revision);
 *   otherwise the sources part by part, ';' between parts:
 *     <commit>:<directory>   or, when architectures differ,
 *                            <arch>=<commit>:<directory>,... (arches sorted)
 *     file=<file>            when not "Dockerfile"; per architecture as
 *                            above (file=<arch>=<file>,...) when they differ
 *     builder=<builder>      when not empty; per architecture likewise
 *     constraints=<c>,<c>    when any, in file order
 *     arches=<arch>,...      only when groups of the same sources but for
 *                            different architectures would share a key
 *   e.g. "3f2a...:11/jdk;file=Dockerfile.alpine" or
 *   "amd64=3f2a...:x86_64,arm64v8=3f2a...:aarch64".
 * A directory holding '%', ',', ';' or '=' also takes the second form, where
 * those characters are written %XX, so two different sources never share a
 * key. */
struct lib_group {
	char *key;
	bool plain;                     /* key is "<commit>:<directory>" */
	char *commit, *directory;       /* of a plain key, else NULL */
	struct strlist tags;            /* every entry's Tags, sorted */
	struct strlist shared;          /* their SharedTags, sorted, unique */
	struct strlist arches;          /* union of Architectures, sorted */
};

/* Groups the entries of lib into *groups (*n of them), in order of first
 * appearance; free with lib_groups_free(). */
void library_group(const struct library *lib, struct lib_group **groups, size_t *n);
void lib_groups_free(struct lib_group *groups, size_t n);

/* The tag to build a group from: the first, in byte order, of the full
 * versions "X.Y.Z[-suffix]", else of "X.Y[-suffix]", else "X[-suffix]", else
 * any other tag but "latest", else "latest".  NULL when tags is empty. */
const char *library_representative(const struct strlist *tags);

#endif
