/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz/ share.
 *
 * The library reports bad input with die(), which would end the fuzzer;
 * fuzz_run() sets die_hook so that a die() unwinds back to it instead, and a
 * rejected input is an ordinary return.  An unwound parse leaks what it had
 * allocated: run the targets with -detect_leaks=0 (leaks are valgrind's job,
 * on the real tools: tests/t8010-valgrind.sh).
 *
 * A target's input is often "an argument line, then a document": the first
 * line holds the tool's options, as tests/golden/<tool>/<case>/args would
 * give them, so the golden cases seed the fuzzer with their options too.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "util.h"

#include <stdint.h>

/* Calls fn(arg); false when it died (the die() message went to stderr). */
bool fuzz_run(void (*fn)(void *), void *arg);

/* The input a filter would read from a file of these bytes, named "fuzz". */
void fuzz_input(struct input *in, const uint8_t *data, size_t size);

/* Splits data at its first newline: the words of the first line (split on
 * spaces and tabs) into *args, the rest as an input into *in. */
void fuzz_args_input(const uint8_t *data, size_t size, struct strlist *args,
                     struct input *in);

/* Stops the fuzzer with a crash report when a property of the code under
 * test does not hold: a finding as real as a sanitizer's. */
#define fuzz_assert(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The sign of a comparison: -1, 0 or 1. */
static inline int fuzz_sign(int c)
{
	return (c > 0) - (c < 0);
}

#endif
