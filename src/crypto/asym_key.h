/* asym_key.h — the private material of asymmetric (RSA, elliptic curve) and HMAC KMS keys.
 *
 * Services hold struct asym_key handles and the sealed form; the material never leaves
 * crypto/ (STYLE R9). An RSA or EC key is an OpenSSL 3 EVP_PKEY (its private numbers in
 * OpenSSL's secure heap once secret_heap_init ran); an HMAC key is a struct secret.
 * At rest a key is sealed under the master key (master_key_seal) as
 *     format (1 byte: 1 = PKCS#8 DER private key, 2 = raw HMAC key) || material
 * so a later format (another key type, an imported key) is one more format byte. */
#ifndef CU_CRYPTO_ASYM_KEY_H
#define CU_CRYPTO_ASYM_KEY_H

#include "core/buf.h"
#include "core/secret.h"
#include "master_key.h"

enum asym_type { ASYM_RSA = 1, ASYM_EC, ASYM_HMAC };

/* How a signature is padded: RSA PKCS#1 v1.5, RSA PSS (salt as long as the digest, as
 * KMS documents), or ECDSA (DER-encoded (r, s)). */
enum asym_pad { ASYM_PAD_PKCS1 = 1, ASYM_PAD_PSS, ASYM_PAD_ECDSA };

/* Largest message digest (SHA-512) and largest signature or RSA block (4096-bit RSA). */
#define ASYM_DIGEST_MAX 64
#define ASYM_SIG_MAX 1024

struct asym_key; /* opaque */

/* A fresh key: RSA of `bits` bits (param = bits), EC on the OpenSSL curve named by
 * `curve` ("P-256", "secp256k1", ...), or HMAC of `bits` / 8 random bytes. *out is the
 * caller's (asym_key_free). Errors: CU_E_INTERNAL (OpenSSL, unknown curve), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_generate(enum asym_type type, int bits, const char *curve,
                                   struct asym_key **out);
void asym_key_free(struct asym_key *k);

/* Largest PKCS#8 private key asym_key_import reads: a 4096-bit RSA key, with room. */
#define ASYM_IMPORT_MAX 4096

/* Key material a client imported (ImportKeyMaterial, after unwrapping) as a key of
 * type/bits/curve (as asym_key_generate takes them): for RSA and EC a PKCS#8
 * PrivateKeyInfo (BER or DER, nothing after it) of an RSA key of `bits` bits with two
 * primes, or an EC key on the named curve `curve`, whose halves agree; for HMAC the raw
 * key, from bits / 8 bytes up to 1024 bits. A pure parser of untrusted bytes (fuzzed:
 * tests/fuzz/import_wrap_fuzz.c). *out is the caller's (asym_key_free). Errors:
 * CU_E_VALIDATION for material that is not such a key, without detail; CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_import(enum asym_type type, int bits, const char *curve,
                                 struct bytes material, struct asym_key **out);

/* Seal k under mk with aad (the caller's binding of the key to its ARN and version),
 * appending the sealed bytes to sealed. Errors: as master_key_seal; CU_E_INTERNAL. */
MUST_CHECK cu_rc asym_key_seal(const struct master_key *mk, const struct asym_key *k,
                               struct bytes aad, struct buf *sealed);
/* Open what asym_key_seal made; *out is the caller's. Errors: CU_E_SEAL_BROKEN (tampered,
 * other key or aad, unknown format, material OpenSSL cannot read), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_open(const struct master_key *mk, struct bytes sealed,
                               struct bytes aad, struct asym_key **out);

/* The public key as DER SubjectPublicKeyInfo appended to out (RSA and EC only).
 * Errors: CU_E_INTERNAL (an HMAC key, OpenSSL), CU_E_PAYLOAD_TOO_LARGE, CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_public_der(const struct asym_key *k, struct buf *out);

/* The private key as DER PKCS#8 PrivateKeyInfo (RSA and EC only), in *out (the
 * caller's secret): what GenerateDataKeyPair returns and seals. Errors: CU_E_INTERNAL (an
 * HMAC key, OpenSSL), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_pkcs8(const struct asym_key *k, struct secret **out);

/* ECDH (NIST SP 800-56A, the x-coordinate of the shared point) between the EC key k and
 * the peer's public key `peer` (DER SubjectPublicKeyInfo), into *secret (the caller's).
 * CU_E_VALIDATION when peer is not a DER public key on k's curve (or not a valid point:
 * OpenSSL checks it); CU_E_INTERNAL when k is not an EC key; CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_derive(const struct asym_key *k, struct bytes peer,
                                 struct secret **secret);

/* Digest message with the OpenSSL digest md ("SHA256", ...) into out (ASYM_DIGEST_MAX
 * bytes), its length in *n. Errors: CU_E_INTERNAL. */
MUST_CHECK cu_rc asym_digest(const char *md, struct bytes message, uint8_t *out, size_t *n);

/* Sign a digest made with md, padded as pad; appends the signature to sig.
 * Errors: CU_E_INTERNAL (a digest of the wrong length, OpenSSL), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_sign(const struct asym_key *k, const char *md, enum asym_pad pad,
                               struct bytes digest, struct buf *sig);
/* Whether sig is a valid signature of digest; *valid false for any bad or malformed
 * signature. Errors: CU_E_INTERNAL (OpenSSL setup only), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_verify(const struct asym_key *k, const char *md, enum asym_pad pad,
                                 struct bytes digest, struct bytes sig, bool *valid);

/* RSAES-OAEP with md as both the OAEP hash and MGF1's. Encrypt appends the ciphertext to
 * out; decrypt makes *plain (the caller's) and answers CU_E_SEAL_BROKEN for any
 * ciphertext that does not open, without detail. Errors: CU_E_INTERNAL (plaintext too
 * long, OpenSSL), CU_E_NOMEM. */
MUST_CHECK cu_rc asym_key_encrypt(const struct asym_key *k, const char *md, struct bytes plain,
                                  struct buf *out);
MUST_CHECK cu_rc asym_key_decrypt(const struct asym_key *k, const char *md, struct bytes ct,
                                  struct secret **plain);

/* HMAC of message under an HMAC key with digest md, written to mac (ASYM_DIGEST_MAX
 * bytes), its length in *n. Errors: CU_E_INTERNAL (not an HMAC key, OpenSSL). */
MUST_CHECK cu_rc asym_key_hmac(const struct asym_key *k, const char *md, struct bytes message,
                               uint8_t *mac, size_t *n);

#endif
