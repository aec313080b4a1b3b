/* verify.h — `custos audit verify` and `custos audit export`: reading a trail directory
 * offline, with nothing but its files and the signing key's public half. */
#ifndef CU_AUDIT_VERIFY_H
#define CU_AUDIT_VERIFY_H

#include <stdio.h>

#include "chain.h"

struct audit_verify_options {
    const char *data_dir;        /* holds audit.log and audit-trail/ */
    const char *public_key_path; /* NULL: DIR/audit-trail/public-key.pem */
    int64_t from_s, to_s;        /* check the log files of digests overlapping [from, to];
                                  * 0: unbounded. Digests are always all checked. */
};

/* Check every digest (signature, the chain of digests), every log file they name (whole
 * gzip, hash, record count, the chain through its records), that no log file is left
 * unnamed, and the live audit.log's chain (its unsealed tail, as a crash left it, is
 * reported, not failed: the next start cuts and records it). *intact says whether all
 * held; report gets "OK: ..." or the first problem found, naming the file, line and
 * record, then a newline. Errors: CU_E_STORE when the public key cannot be read,
 * CU_E_NOMEM. */
MUST_CHECK cu_rc audit_verify(const struct audit_verify_options *o, struct buf *report,
                              bool *intact);

/* Write the records whose eventTime is in [since_s, until_s] (0: unbounded), oldest first,
 * from the sealed log files, any unsealed one and audit.log, to out: one record a line
 * (jsonl, as stored, the chain's member included, so lines can be checked against the
 * digests) or CloudTrail's log file format {"Records":[...]} (cloudtrail, without
 * custos's member). Errors: CU_E_STORE (a file cannot be read). */
MUST_CHECK cu_rc audit_export(const char *data_dir, int64_t since_s, int64_t until_s,
                              bool cloudtrail, FILE *out);

#endif
