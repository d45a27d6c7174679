/* fuzz.c: the harness every fuzz target links (see fuzz.h). */
#include "fuzz.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf *unwind_to;

static _Noreturn void unwind(int status)
{
	(void)status;
	longjmp(*unwind_to, 1);
}

bool fuzz_run(void (*fn)(void *), void *arg)
{
	jmp_buf here;
	unwind_to = &here;
	die_hook = unwind;
	if (setjmp(here) != 0) {
		die_hook = NULL;
		return false;
	}
	fn(arg);
	die_hook = NULL;   /* a die() outside fuzz_run() exits, loudly */
	return true;
}

void fuzz_input(struct input *in, const uint8_t *data, size_t size)
{
	in->name = "fuzz";
	in->text = (struct buf){0};
	buf_add(&in->text, data, size);
	buf_add(&in->text, "", 0);   /* never NULL, as input_read() leaves it */
}

void fuzz_args_input(const uint8_t *data, size_t size, struct strlist *args,
                     struct input *in)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size;
	char *line = xstrndup((const char *)data, first);
	for (char *save, *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		strlist_push(args, w);
	free(line);
	size_t skip = nl ? first + 1 : size;
	fuzz_input(in, data + skip, size - skip);
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, what);
	abort();
}
