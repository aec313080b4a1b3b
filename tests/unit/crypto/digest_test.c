/* Tests for crypto/digest.c: RFC 4231 §4 HMAC-SHA-256 test cases 1-4, 6 and 7 (published
 * facts; case 5 is a truncated output, which custos never uses), FIPS 180-2's "abc"
 * SHA-256, a cross-check of both against OpenSSL's EVP interfaces over many key and
 * message lengths (around the 64-byte block edges), incremental updates, and output
 * written over its own key as SigV4's key chain does. */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "check.h"
#include "crypto/digest.h"
#include "crypto_vectors.h"

struct hmac_vector {
    const char *key, *data, *mac; /* hex */
};

static const struct hmac_vector rfc4231[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddd",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"0102030405060708090a0b0c0d0e0f10111213141516171819",
     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
     "cdcdcdcdcdcd",
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
};

/* Cases 6 and 7: a 131-byte key of 0xaa (longer than the block, so hashed first). */
static const struct {
    const char *data, *mac;
} rfc4231_long_key[] = {
    {"Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"This is a test using a larger than block-size key and a larger than block-size data. "
     "The key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static void hmac_vectors(void)
{
    uint8_t got[DIGEST_SHA256_LEN], long_key[131];

    for (size_t i = 0; i < ARRAY_LEN(rfc4231); i++) {
        size_t key_n, data_n, mac_n;
        uint8_t *key = unhex(rfc4231[i].key, &key_n);
        uint8_t *data = unhex(rfc4231[i].data, &data_n);
        uint8_t *mac = unhex(rfc4231[i].mac, &mac_n);

        digest_hmac_sha256(bytes_of(key, key_n), bytes_of(data, data_n), got);
        CHECK_MEM(got, mac, mac_n);
        free(key);
        free(data);
        free(mac);
    }
    memset(long_key, 0xaa, sizeof(long_key));
    for (size_t i = 0; i < ARRAY_LEN(rfc4231_long_key); i++) {
        size_t mac_n;
        uint8_t *mac = unhex(rfc4231_long_key[i].mac, &mac_n);

        digest_hmac_sha256(bytes_of(long_key, sizeof(long_key)),
                           bytes_str(rfc4231_long_key[i].data), got);
        CHECK_MEM(got, mac, mac_n);
        free(mac);
    }
}

static void sha256_vector(void)
{
    size_t n;
    uint8_t got[DIGEST_SHA256_LEN];
    uint8_t *want = unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &n);

    digest_sha256(bytes_str("abc"), got);
    CHECK_MEM(got, want, n);
    free(want);
}

/* Against OpenSSL's EVP digest and HMAC, an implementation independent of digest.c. */
static void cross_check_openssl(void)
{
    static const size_t lens[] = {0, 1, 31, 32, 55, 56, 63, 64, 65, 119, 128, 129, 200, 1000};
    uint8_t key[1000], msg[1000], a[DIGEST_SHA256_LEN], b[EVP_MAX_MD_SIZE];
    unsigned int b_n = 0;

    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i * 17 + 3);
        msg[i] = (uint8_t)(i * 29 + 11);
    }
    for (size_t k = 0; k < ARRAY_LEN(lens); k++) {
        CHECK(EVP_Digest(msg, lens[k], b, &b_n, EVP_sha256(), NULL) == 1);
        digest_sha256(bytes_of(msg, lens[k]), a);
        CHECK_MEM(a, b, DIGEST_SHA256_LEN);
        for (size_t m = 0; m < ARRAY_LEN(lens); m++) {
            CHECK(HMAC(EVP_sha256(), key, (int)lens[k], msg, lens[m], b, &b_n) != NULL);
            digest_hmac_sha256(bytes_of(key, lens[k]), bytes_of(msg, lens[m]), a);
            CHECK_MEM(a, b, DIGEST_SHA256_LEN);
        }
    }
}

/* A message given in pieces, and a state copied after keying (as sigv4_verify.c caches
 * one), give the same MAC as the message at once. */
static void incremental_and_copied(void)
{
    uint8_t msg[300], whole[DIGEST_SHA256_LEN], parts[DIGEST_SHA256_LEN];
    struct hmac_sha256 keyed, copy;

    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    digest_hmac_sha256(bytes_str("the key"), bytes_of(msg, sizeof(msg)), whole);
    hmac_sha256_init(&keyed, bytes_str("the key"));
    for (size_t split = 0; split <= sizeof(msg); split += 37) {
        copy = keyed;
        hmac_sha256_update(&copy, bytes_of(msg, split));
        hmac_sha256_update(&copy, bytes_of(NULL, 0));
        hmac_sha256_update(&copy, bytes_of(msg + split, sizeof(msg) - split));
        hmac_sha256_final(&copy, parts);
        CHECK_MEM(parts, whole, sizeof(whole));
    }
    /* final wipes the state it consumed */
    static const struct hmac_sha256 zero;
    CHECK(memcmp(&copy, &zero, sizeof(zero)) == 0);
}

/* SigV4 writes each key of its chain over the previous one. */
static void output_over_key(void)
{
    uint8_t k[DIGEST_SHA256_LEN], want[DIGEST_SHA256_LEN];

    memset(k, 7, sizeof(k));
    digest_hmac_sha256(bytes_of(k, sizeof(k)), bytes_str("us-east-1"), want);
    digest_hmac_sha256(bytes_of(k, sizeof(k)), bytes_str("us-east-1"), k);
    CHECK_MEM(k, want, sizeof(want));
}

int main(void)
{
    hmac_vectors();
    sha256_vector();
    cross_check_openssl();
    incremental_and_copied();
    output_over_key();
    TEST_END();
}
