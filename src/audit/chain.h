/* chain.h — the trail's tamper evidence on disk: the hash chain through the records, the
 * digest files that seal them, and the names of the trail's files. Everything here is a
 * pure function of bytes (no I/O), shared by the writer, the sealer, `custos audit verify`
 * and `custos audit export`, so the format is written and read in one place.
 *
 * The chain. Every record line ends with the extension object
 *     ,"custos":{"previousHash":"<64 hex>"}}
 * whose value is the SHA-256 (lowercase hex) of the line before it, without its newline;
 * the trail's first record names 64 zeros. The member is custos's own top-level name:
 * CloudTrail's record fields are all lowerCamelCase words of its event reference and
 * none is "custos", and CloudTrail keeps its integrity data out of the records (in digest
 * files), so a CloudTrail reader treats it as one unknown member, and a future CloudTrail
 * field cannot collide with it. It is always the last member, written by the writer under
 * its lock (the only place that knows the line before), so a reader finds it at a fixed
 * distance from the line's end without parsing the JSON. A record's own hash is not in
 * it (a hash cannot cover itself): the next record names it, and a digest names the
 * first and last. */
#ifndef CU_AUDIT_CHAIN_H
#define CU_AUDIT_CHAIN_H

#include <jansson.h>

#include "core/buf.h"
#include "crypto/digest.h"

#define AUDIT_HASH_HEX 64
#define AUDIT_CHAIN_OPEN ",\"custos\":{\"previousHash\":\""
#define AUDIT_CHAIN_OPEN_LEN (sizeof(AUDIT_CHAIN_OPEN) - 1)
/* What the chain adds after a record's own members: opening, hash, "}} */
#define AUDIT_CHAIN_SUFFIX_LEN (AUDIT_CHAIN_OPEN_LEN + AUDIT_HASH_HEX + 3)

/* hex (AUDIT_HASH_HEX chars + NUL) of a 32-byte hash */
void audit_hash_hex(const uint8_t hash[DIGEST_SHA256_LEN], char out[AUDIT_HASH_HEX + 1]);
/* The suffix naming prev_hex as the previous record's hash, into out
 * (AUDIT_CHAIN_SUFFIX_LEN bytes and a NUL). */
void audit_chain_suffix(const char prev_hex[AUDIT_HASH_HEX + 1],
                        char out[AUDIT_CHAIN_SUFFIX_LEN + 1]);
/* The previous hash a record line names, or false when the line does not end with the
 * chain's suffix (a record edited there, or not a custos record). */
bool audit_chain_prev_of(const char *line, size_t n, char out[AUDIT_HASH_HEX + 1]);
/* The hash of a record line (without its newline), as hex. */
void audit_chain_hash_line(const char *line, size_t n, char out[AUDIT_HASH_HEX + 1]);
/* The eventTime of a record line (the first "eventTime" member, which record.c writes
 * before any parameter), as epoch seconds; false when there is none. */
bool audit_chain_event_time(const char *line, size_t n, int64_t *epoch_s);

/* The hash the trail's first record names. */
extern const char audit_chain_genesis[AUDIT_HASH_HEX + 1];

/* ---- files of a sealed trail, in DIR/audit-trail (AUDIT_TRAIL_SUBDIR) ----
 *   trail_<NNNNNNNN>_<YYYYMMDDTHHMMSSZ>.jsonl.gz  a rotated log file, gzip, one record
 *                                                a line; the time is its rotation
 *   trail_<...>.jsonl                             the same while being sealed (a crash
 *                                                then: the next start seals it)
 *   digest_<NNNNNNNN>_<YYYYMMDDTHHMMSSZ>.json     a digest (below); the time its end
 *   digest_<...>.json.sig                         its signature: hex, one line (what
 *                                                CloudTrail keeps in the digest object's
 *                                                x-amz-meta-signature)
 *   public-key.pem, signing-key.sealed            crypto/trail_key.h
 * NNNNNNNN counts from 1, separately for log files and digests. */
#define AUDIT_TRAIL_SUBDIR "audit-trail"

enum audit_file_kind { AUDIT_FILE_OTHER, AUDIT_FILE_LOG, AUDIT_FILE_PENDING, AUDIT_FILE_DIGEST };
/* The kind and number of a file name of the trail directory. */
enum audit_file_kind audit_file_parse_name(const char *name, uint64_t *number);
/* "trail_00000001_20260102T030405Z.jsonl" (pending; the sealed name adds ".gz") */
void audit_file_log_name(uint64_t number, int64_t epoch_s, char *out, size_t cap);
void audit_file_digest_name(uint64_t number, int64_t epoch_s, char *out, size_t cap);

/* ---- digest files ----
 * A digest, modelled on CloudTrail's digest file (CloudTrail user guide, "CloudTrail
 * digest file structure"), with CloudTrail's field names where they fit and file names
 * where CloudTrail names S3 objects. One JSON object, compact, in this order:
 *   digestStartTime, digestEndTime           ISO-8601 UTC, the span it seals
 *   digestFile                               its own file name
 *   digestPublicKeyFingerprint               hex SHA-256 of the public key's DER
 *   digestSignatureAlgorithm                 "Ed25519"
 *   newestEventTime, oldestEventTime         over its log files' records (null: none)
 *   previousDigestFile                       null for the trail's first digest
 *   previousDigestHashValue                  hex SHA-256 of that file's bytes (or null)
 *   previousDigestHashAlgorithm              "SHA-256"
 *   previousDigestSignature                  hex (or null)
 *   firstRecordHash                          the first record it seals (null: none)
 *   lastRecordHash                           the chain's head once it is sealed: the
 *                                            last record so far, even in an empty digest
 *   logFiles: [{file, hashValue (hex SHA-256 of the uncompressed bytes), hashAlgorithm
 *               "SHA-256", newestEventTime, oldestEventTime, recordCount,
 *               previousRecordHash (what its first record names), firstRecordHash,
 *               lastRecordHash}]
 * Its signature is Ed25519 over CloudTrail's data signing string:
 *   digestEndTime "\n" digestFile "\n" hex SHA-256 of the digest file's bytes "\n"
 *   previousDigestSignature (the word null for the first digest) */

struct audit_log_seal {
    char file[128];
    char hash[AUDIT_HASH_HEX + 1];
    int64_t oldest_s, newest_s;
    uint64_t records;
    char previous[AUDIT_HASH_HEX + 1], first[AUDIT_HASH_HEX + 1], last[AUDIT_HASH_HEX + 1];
};

struct audit_digest_in {
    int64_t start_s, end_s;
    const char *file;               /* its name */
    const char *fingerprint;
    const char *previous_file;      /* NULL for the first */
    const char *previous_hash;      /* hex SHA-256 of the previous digest's bytes */
    const char *previous_signature; /* hex */
    const char *head;               /* lastRecordHash */
    const struct audit_log_seal *log; /* NULL: no log file */
};

/* The digest's bytes (JSON and a newline) into out. */
MUST_CHECK cu_rc audit_digest_build(const struct audit_digest_in *d, struct buf *out);
/* The data signing string of a digest whose bytes are `digest`, into out. previous_sig
 * NULL: the first. */
MUST_CHECK cu_rc audit_digest_signing_string(const char *end_time, const char *file,
                                             struct bytes digest, const char *previous_sig,
                                             struct buf *out);

#endif
