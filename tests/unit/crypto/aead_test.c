/* Tests for crypto/aead.c: the AES-256 test cases 13-16 of McGrew & Viega, "The Galois/
 * Counter Mode of Operation (GCM)" (published facts), every single-bit tamper of
 * ciphertext, tag and AAD, in-place use, context reuse between seal and open, threads
 * each using their own context, and that no call leaves its key in the thread's context. */
#include <pthread.h>

#include "check.h"
#include "core/err.h"
#include "core/secret.h"
#include "crypto/aead.h"
#include "crypto_vectors.h"

struct gcm_vector {
    const char *key, *iv, *plain, *aad, *cipher, *tag;
};

#define K16 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
#define P16                                                                                        \
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                             \
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define C16                                                                                        \
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"                             \
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
#define Z32 "0000000000000000000000000000000000000000000000000000000000000000"

static const struct gcm_vector gcm[] = {
    /* Test case 13: empty plaintext, zero key and IV. */
    {Z32, "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    /* Test case 14: one zero block. */
    {Z32, "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    /* Test case 15: 64 bytes, no AAD. */
    {K16, "cafebabefacedbaddecaf888", P16 "1aafd255", "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    /* Test case 16: 60 bytes with 20 bytes of AAD. */
    {K16, "cafebabefacedbaddecaf888", P16, "feedfacedeadbeeffeedfacedeadbeefabaddad2", C16,
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

static void known_answers(void)
{
    for (size_t i = 0; i < ARRAY_LEN(gcm); i++) {
        size_t kn, ivn, pn, an, cn, tn;
        uint8_t *key = unhex(gcm[i].key, &kn), *iv = unhex(gcm[i].iv, &ivn);
        uint8_t *plain = unhex(gcm[i].plain, &pn), *aad = unhex(gcm[i].aad, &an);
        uint8_t *cipher = unhex(gcm[i].cipher, &cn), *tag = unhex(gcm[i].tag, &tn);
        uint8_t ct[64], got_tag[16], back[64];

        CHECK_INT(kn, 32);
        CHECK_INT(ivn, 12);
        CHECK_OK(aead_seal(key, iv, bytes_of(aad, an), bytes_of(plain, pn), ct, got_tag));
        CHECK_MEM(ct, cipher, cn);
        CHECK_MEM(got_tag, tag, 16);
        memset(back, 0xAA, sizeof(back));
        CHECK_OK(aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn), tag, back));
        CHECK_MEM(back, plain, pn);
        free(key);
        free(iv);
        free(plain);
        free(aad);
        free(cipher);
        free(tag);
    }
}

/* No key schedule outlives a call: after every seal and open, failed ones included, the
 * thread's context holds no algorithm state (aead.c resets it; OpenSSL's GCM provider
 * clears its state as it frees it). */
static void no_key_left(void)
{
    uint8_t key_a[32], key_b[32], iv[12] = {1}, tag[16];
    uint8_t msg[20] = "a message under key", ct[20], back[20];
    size_t n = sizeof(msg);

    memset(key_a, 0xA5, sizeof(key_a));
    memset(key_b, 0x5B, sizeof(key_b));
    CHECK_OK(aead_seal(key_a, iv, bytes_of(NULL, 0), bytes_of(msg, n), ct, tag));
    CHECK(aead_context_empty());
    CHECK_OK(aead_open(key_a, iv, bytes_of(NULL, 0), bytes_of(ct, n), tag, back));
    CHECK_MEM(back, msg, n);
    CHECK(aead_context_empty());
    tag[0] ^= 1;
    CHECK_INT(aead_open(key_a, iv, bytes_of(NULL, 0), bytes_of(ct, n), tag, back),
              CU_E_SEAL_BROKEN);
    CHECK(aead_context_empty());
    /* a context reset between calls still serves the next key */
    CHECK_OK(aead_seal(key_b, iv, bytes_of(NULL, 0), bytes_of(msg, n), ct, tag));
    CHECK(aead_context_empty());
    CHECK_OK(aead_open(key_b, iv, bytes_of(NULL, 0), bytes_of(ct, n), tag, back));
    CHECK_MEM(back, msg, n);
    CHECK(aead_context_empty());
}

/* Flip each bit of the ciphertext, tag and AAD of test case 16: every one must fail and
 * leave the output wiped. */
static void tampering(void)
{
    size_t kn, ivn, pn, an, cn, tn;
    uint8_t *key = unhex(K16, &kn), *iv = unhex("cafebabefacedbaddecaf888", &ivn);
    uint8_t *plain = unhex(P16, &pn);
    uint8_t *aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", &an);
    uint8_t *cipher = unhex(C16, &cn), *tag = unhex("76fc6ece0f4e1768cddf8853bb2d551b", &tn);
    uint8_t out[64], zero[64] = {0};
    int broken = 0, wiped = 0, total = 0;

    for (size_t byte = 0; byte < cn + tn + an; byte++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t *p = byte < cn        ? cipher + byte
                         : byte < cn + tn ? tag + byte - cn
                                          : aad + byte - cn - tn;
            *p ^= (uint8_t)(1u << bit);
            memset(out, 0xAA, sizeof(out));
            broken += aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn), tag, out) ==
                      CU_E_SEAL_BROKEN;
            wiped += memcmp(out, zero, cn) == 0;
            total++;
            *p ^= (uint8_t)(1u << bit);
        }
    }
    CHECK_INT(broken, total);
    CHECK_INT(wiped, total);
    /* Wrong key, wrong IV, truncated ciphertext, missing AAD. */
    key[0] ^= 1;
    CHECK_RC(aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn), tag, out),
             CU_E_SEAL_BROKEN);
    key[0] ^= 1;
    iv[11] ^= 0x80;
    CHECK_RC(aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn), tag, out),
             CU_E_SEAL_BROKEN);
    iv[11] ^= 0x80;
    CHECK_RC(aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn - 1), tag, out),
             CU_E_SEAL_BROKEN);
    CHECK_RC(aead_open(key, iv, bytes_of(NULL, 0), bytes_of(cipher, cn), tag, out),
             CU_E_SEAL_BROKEN);
    /* And the untouched inputs still open (the context survived the failures). */
    CHECK_OK(aead_open(key, iv, bytes_of(aad, an), bytes_of(cipher, cn), tag, out));
    CHECK_MEM(out, plain, pn);
    free(key);
    free(iv);
    free(plain);
    free(aad);
    free(cipher);
    free(tag);
}

/* Encrypting in place, and alternating seal/open on one thread's context. */
static void in_place_and_interleaved(void)
{
    uint8_t key[32], iv[12], buf[100], orig[100], tag[16], tag2[16];

    for (size_t i = 0; i < sizeof(buf); i++)
        orig[i] = buf[i] = (uint8_t)i;
    memset(key, 7, sizeof(key));
    memset(iv, 9, sizeof(iv));
    CHECK_OK(aead_seal(key, iv, bytes_str("aad"), bytes_of(buf, sizeof(buf)), buf, tag));
    CHECK(memcmp(buf, orig, sizeof(buf)) != 0);
    for (int round = 0; round < 50; round++) {
        uint8_t other[100], other_tag[16];
        key[0] = (uint8_t)round;
        CHECK_OK(aead_seal(key, iv, bytes_of(NULL, 0), bytes_of(orig, 10), other, other_tag));
        key[0] = 7;
        CHECK_OK(aead_open(key, iv, bytes_str("aad"), bytes_of(buf, sizeof(buf)), tag, other));
        CHECK_MEM(other, orig, sizeof(orig));
    }
    CHECK_OK(aead_open(key, iv, bytes_str("aad"), bytes_of(buf, sizeof(buf)), tag, buf));
    CHECK_MEM(buf, orig, sizeof(orig));
    /* Deterministic for a fixed key and IV: sealing again gives the same tag. */
    CHECK_OK(aead_seal(key, iv, bytes_str("aad"), bytes_of(orig, sizeof(orig)), buf, tag2));
    CHECK_MEM(tag, tag2, 16);
}

static void *thread_round_trips(void *arg)
{
    uint8_t key[32], iv[12], msg[40], ct[40], back[40], tag[16];
    long bad = 0;

    memset(key, (int)(intptr_t)arg, sizeof(key));
    memset(iv, 3, sizeof(iv));
    for (int i = 0; i < 2000; i++) {
        memset(msg, i & 0xff, sizeof(msg));
        if (aead_seal(key, iv, bytes_str("t"), bytes_of(msg, sizeof(msg)), ct, tag) != CU_OK ||
            aead_open(key, iv, bytes_str("t"), bytes_of(ct, sizeof(ct)), tag, back) != CU_OK ||
            memcmp(back, msg, sizeof(msg)) != 0)
            bad++;
    }
    return (void *)bad;
}

static void threads(void)
{
    pthread_t t[4];
    void *bad;

    for (intptr_t i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, thread_round_trips, (void *)(i + 1)) == 0);
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(t[i], &bad) == 0);
        CHECK(bad == NULL);
    }
}

int main(void)
{
    /* the known answers run after key A and key B used this thread's context: what A and
     * B left behind changes nothing of the answers under the vectors' keys */
    no_key_left();
    known_answers();
    tampering();
    in_place_and_interleaved();
    threads();
    TEST_END();
}
