/* Tests for crypto/trail_key.c: a key made once and opened again gives the same public key
 * and fingerprint; a signature verifies with the public PEM alone and fails for a changed
 * message, a changed or cut signature and another key; PEM that is garbage, cut short, or
 * of another key type is refused; a sealed key that was tampered with does not open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/file.h"
#include "crypto/trail_key.h"

static char dir[] = "/tmp/custos-trail-key-test-XXXXXX";

/* An EC P-256 public key in PEM: a valid key of the wrong type. */
static const char ec_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0mEQaTvk/yR4vYwmi5h5duup6RyK\n"
    "UPepfFSPpZ5zcPJT+bRuF8w8QweGSMeXaGXLySntunRi5TMjRdVOZtwpzw==\n"
    "-----END PUBLIC KEY-----\n";

int main(void)
{
    struct master_key *mk = NULL;
    struct trail_key *k = NULL, *again = NULL;
    struct trail_pubkey *pub = NULL, *other = NULL;
    struct buf pem, pem2, sealed;
    uint8_t sig[TRAIL_SIG_LEN];
    char f1[TRAIL_FINGERPRINT_LEN + 1], f2[TRAIL_FINGERPRINT_LEN + 1], path[200], why[64];
    const struct bytes msg = bytes_of("digest end\nfile\nhash\nnull", 26);

    if (!mkdtemp(dir) || master_key_new_random(&mk) != CU_OK)
        return 1;
    buf_init(&pem, 1 << 16);
    buf_init(&pem2, 1 << 16);
    buf_init(&sealed, 1 << 16);
    CHECK_OK(trail_key_load_or_create(mk, dir, &k, NULL));
    CHECK_OK(trail_key_load_or_create(mk, dir, &again, NULL));
    CHECK_OK(trail_key_public_pem(k, &pem));
    CHECK_OK(trail_key_public_pem(again, &pem2));
    CHECK_STR(pem.p, pem2.p);
    trail_key_fingerprint(k, f1);
    CHECK_INT(strlen(f1), TRAIL_FINGERPRINT_LEN);

    /* the public half on disk is the key's */
    snprintf(path, sizeof(path), "%s/public-key.pem", dir);
    buf_reset(&pem2);
    CHECK_OK(file_read_all(path, &pem2));
    CHECK_STR(pem2.p, pem.p);
    CHECK_OK(trail_pubkey_parse(buf_bytes(&pem), &pub));
    trail_pubkey_fingerprint(pub, f2);
    CHECK_STR(f1, f2);

    CHECK_OK(trail_key_sign(k, msg, sig));
    CHECK(trail_pubkey_verify(pub, msg, bytes_of(sig, sizeof(sig))));
    CHECK(!trail_pubkey_verify(pub, bytes_of(msg.p, msg.n - 1), bytes_of(sig, sizeof(sig))));
    CHECK(!trail_pubkey_verify(pub, msg, bytes_of(sig, sizeof(sig) - 1)));
    sig[5] ^= 1;
    CHECK(!trail_pubkey_verify(pub, msg, bytes_of(sig, sizeof(sig))));
    sig[5] ^= 1;

    /* bad PEM: garbage, cut short, another key type */
    CHECK_RC(trail_pubkey_parse(bytes_of("not pem", 7), &other), CU_E_MALFORMED_INPUT);
    CHECK_RC(trail_pubkey_parse(bytes_of(pem.p, pem.n / 2), &other), CU_E_MALFORMED_INPUT);
    CHECK_RC(trail_pubkey_parse(bytes_of(ec_pem, sizeof(ec_pem) - 1), &other),
             CU_E_MALFORMED_INPUT);

    /* a tampered sealed key does not open */
    snprintf(path, sizeof(path), "%s/signing-key.sealed", dir);
    CHECK_OK(file_read_all(path, &sealed));
    sealed.p[sealed.n - 1] ^= 1;
    CHECK_OK(file_write_atomic(path, buf_bytes(&sealed), 0600, false, why, sizeof(why)));
    trail_key_free(again);
    again = NULL;
    CHECK_RC(trail_key_load(mk, dir, &again, NULL), CU_E_INTERNAL);
    CHECK(again == NULL);

    trail_key_free(k);
    trail_pubkey_free(pub);
    master_key_free(mk);
    buf_release(&pem);
    buf_release(&pem2);
    buf_release(&sealed);
    unlink(path);
    snprintf(path, sizeof(path), "%s/public-key.pem", dir);
    unlink(path);
    rmdir(dir);
    TEST_END();
}
