/*
 * fuzz-token: token_from_json() on a token server's answer (any bytes).
 * Property: a token found is a non-empty string.
 */
#include "fuzz.h"
#include "authorize.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = token_from_json((const char *)data, size);
	if (token) {
		fuzz_assert(*token);
		free(token);
	}
	return 0;
}
