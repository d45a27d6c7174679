/* digest.c: SHA-256 (see digest.h). */
#include "digest.h"

#include <stdio.h>

#include <nettle/sha2.h>

void sha256_hex(const void *p, size_t n, char out[65])
{
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, n, p);
	sha256_digest(&ctx, sizeof md, md);
	for (unsigned i = 0; i < sizeof md; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
