#ifndef DIGEST_H
#define DIGEST_H
/* ---- digest.c: SHA-256 -------------------------------------------------------
 * Nettle's, which costs what a digest costs: no provider to fetch, no
 * configuration file to read at start-up (OpenSSL 3's libcrypto spent more
 * on its lazy initialisation than a filter spends on its whole input). */
#include <stddef.h>

/* Lowercase hex SHA-256 of n bytes into out[65]. */
void sha256_hex(const void *p, size_t n, char out[65]);

#endif
