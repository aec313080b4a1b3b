/* test_keys.h — fixed RSA keys for the unit tests that need a key and do not test its
 * generation (tests/vectors/keys/README.md says why: generation is slow under valgrind). */
#ifndef CU_TEST_KEYS_H
#define CU_TEST_KEYS_H

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

/* The private key tests/vectors/keys/<name>.pem; aborts when it cannot be read, since no
 * test can go on without it. */
static EVP_PKEY *test_key(const char *name)
{
    char path[512];
    FILE *f;
    EVP_PKEY *k;

    snprintf(path, sizeof(path), "%s/keys/%s.pem", CU_VECTORS_DIR, name);
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!k)
        abort();
    return k;
}

#endif
