/* key_specs.h — the KMS key specs custos creates, as one table (key_specs.c): for each
 * KeySpec its key type and size, the KeyUsage values it allows and the algorithms
 * KeyMetadata lists for each usage (KMS developer guide, symm-asymm-choose-key-spec).
 * CreateKey validates against it, DescribeKey renders from it, Sign/Verify/Encrypt/
 * GenerateMac look algorithms up in it. */
#ifndef CU_KMS_KEY_SPECS_H
#define CU_KMS_KEY_SPECS_H

#include <jansson.h>
#include <stdbool.h>

#include "crypto/asym_key.h"
#include "services/call.h"

#define KMS_SPEC_ALGS_MAX 6

/* One signing, encryption or MAC algorithm: its KMS name, the OpenSSL digest it uses,
 * its digest length (the DIGEST message length Sign requires), and its padding. */
struct kms_alg {
    const char *name;
    const char *md;
    size_t digest_len;
    enum asym_pad pad;
};

struct kms_key_spec {
    const char *name;              /* "RSA_2048" */
    enum asym_type type;           /* 0 for SYMMETRIC_DEFAULT (backing keys, not asym_key) */
    int bits;                      /* RSA modulus, HMAC key length */
    const char *curve;             /* OpenSSL group name, EC only */
    const char *usages[4];         /* allowed KeyUsage values, the first the default */
    const char *encryption[KMS_SPEC_ALGS_MAX];
    const char *signing[KMS_SPEC_ALGS_MAX];
    const char *mac[KMS_SPEC_ALGS_MAX];
    const char *agreement[KMS_SPEC_ALGS_MAX];
    const char *needs;             /* what this machine lacks to make it, or NULL */
};

/* The spec named `name`, or NULL when it is not one custos knows. */
const struct kms_key_spec *kms_key_spec_find(const char *name);
/* The algorithm record named `name` (a SigningAlgorithmSpec, EncryptionAlgorithmSpec or
 * MacAlgorithmSpec value), or NULL. */
const struct kms_alg *kms_alg_find(const char *name);
/* Whether `alg` appears in the NULL-terminated list. */
bool kms_spec_lists(const char *const *list, const char *alg);

/* CreateKey's check of KeySpec / CustomerMasterKeySpec / KeyUsage: the spec to create
 * in *spec and the usage in *usage; ValidationException or UnsupportedOperationException
 * in AWS's words otherwise. */
MUST_CHECK cu_rc kms_key_spec_check(struct call *call, const json_t *in,
                                    const struct kms_key_spec **spec, const char **usage);
/* Set KeyMetadata's algorithm lists (EncryptionAlgorithms, SigningAlgorithms,
 * MacAlgorithms, KeyAgreementAlgorithms) for a key record's KeySpec and KeyUsage on m. */
MUST_CHECK cu_rc kms_key_spec_render(const json_t *doc, json_t *m);

#endif
