/* chain.c — the format of the trail's tamper evidence (chain.h): the chain suffix every
 * record line ends with, the trail's file names, and digest files with their signing
 * string. Pure: bytes in, bytes out; the writer, the sealer, verify and export share it.
 *
 *   record i:  {...CloudTrail members...,"custos":{"previousHash":hex(SHA-256(line i-1))}}
 *   digest k:  seals log file(s) [first..last record], names digest k-1's hash and
 *              signature; its own signature covers its bytes and k-1's signature */
#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

const char audit_chain_genesis[AUDIT_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void audit_hash_hex(const uint8_t hash[DIGEST_SHA256_LEN], char out[AUDIT_HASH_HEX + 1])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < DIGEST_SHA256_LEN; i++) {
        out[2 * i] = digits[hash[i] >> 4];
        out[2 * i + 1] = digits[hash[i] & 15];
    }
    out[AUDIT_HASH_HEX] = '\0';
}

void audit_chain_suffix(const char prev_hex[AUDIT_HASH_HEX + 1],
                        char out[AUDIT_CHAIN_SUFFIX_LEN + 1])
{
    memcpy(out, AUDIT_CHAIN_OPEN, AUDIT_CHAIN_OPEN_LEN);
    memcpy(out + AUDIT_CHAIN_OPEN_LEN, prev_hex, AUDIT_HASH_HEX);
    memcpy(out + AUDIT_CHAIN_OPEN_LEN + AUDIT_HASH_HEX, "\"}}", 4);
}

static bool is_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return true;
}

bool audit_chain_prev_of(const char *line, size_t n, char out[AUDIT_HASH_HEX + 1])
{
    const char *s;

    if (n < AUDIT_CHAIN_SUFFIX_LEN + 1 || line[0] != '{')
        return false;
    s = line + n - AUDIT_CHAIN_SUFFIX_LEN;
    if (memcmp(s, AUDIT_CHAIN_OPEN, AUDIT_CHAIN_OPEN_LEN) != 0 ||
        memcmp(line + n - 3, "\"}}", 3) != 0 || !is_hex(s + AUDIT_CHAIN_OPEN_LEN, AUDIT_HASH_HEX))
        return false;
    memcpy(out, s + AUDIT_CHAIN_OPEN_LEN, AUDIT_HASH_HEX);
    out[AUDIT_HASH_HEX] = '\0';
    return true;
}

void audit_chain_hash_line(const char *line, size_t n, char out[AUDIT_HASH_HEX + 1])
{
    uint8_t md[DIGEST_SHA256_LEN];

    digest_sha256(bytes_of(line, n), md);
    audit_hash_hex(md, out);
}

bool audit_chain_event_time(const char *line, size_t n, int64_t *epoch_s)
{
    static const char key[] = "\"eventTime\":\"";
    const char *at = memmem(line, n, key, sizeof(key) - 1), *end;

    if (!at)
        return false;
    at += sizeof(key) - 1;
    end = memchr(at, '"', n - (size_t)(at - line));
    return end && clock_parse_iso8601(at, (size_t)(end - at), epoch_s) == CU_OK;
}

static bool digits_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

enum audit_file_kind audit_file_parse_name(const char *name, uint64_t *number)
{
    /* <prefix><8 digits>_<16-char time><suffix> */
    static const struct {
        const char *prefix, *suffix;
        enum audit_file_kind kind;
    } forms[] = {
        {"trail_", ".jsonl.gz", AUDIT_FILE_LOG},
        {"trail_", ".jsonl", AUDIT_FILE_PENDING},
        {"digest_", ".json", AUDIT_FILE_DIGEST},
    };
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t p = strlen(forms[i].prefix), s = strlen(forms[i].suffix);
        if (n != p + 8 + 1 + 16 + s || strncmp(name, forms[i].prefix, p) != 0 ||
            strcmp(name + n - s, forms[i].suffix) != 0 || !digits_at(name + p, 8) ||
            name[p + 8] != '_')
            continue;
        *number = 0;
        for (size_t d = 0; d < 8; d++)
            *number = *number * 10 + (uint64_t)(name[p + d] - '0');
        return forms[i].kind;
    }
    return AUDIT_FILE_OTHER;
}

void audit_file_log_name(uint64_t number, int64_t epoch_s, char *out, size_t cap)
{
    char when[17];

    clock_amz_date(epoch_s, when);
    snprintf(out, cap, "trail_%08llu_%s.jsonl", (unsigned long long)number, when);
}

void audit_file_digest_name(uint64_t number, int64_t epoch_s, char *out, size_t cap)
{
    char when[17];

    clock_amz_date(epoch_s, when);
    snprintf(out, cap, "digest_%08llu_%s.json", (unsigned long long)number, when);
}

static json_t *time_or_null(int64_t epoch_s, bool have)
{
    char when[21];

    if (!have)
        return json_null();
    clock_iso8601(epoch_s, when);
    return json_string(when);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *log_entry(const struct audit_log_seal *l)
{
    json_t *o = json_object();

    json_object_set_new(o, "file", json_string(l->file));
    json_object_set_new(o, "hashValue", json_string(l->hash));
    json_object_set_new(o, "hashAlgorithm", json_string("SHA-256"));
    json_object_set_new(o, "newestEventTime", time_or_null(l->newest_s, l->records));
    json_object_set_new(o, "oldestEventTime", time_or_null(l->oldest_s, l->records));
    json_object_set_new(o, "recordCount", json_integer((json_int_t)l->records));
    json_object_set_new(o, "previousRecordHash", json_string(l->previous));
    json_object_set_new(o, "firstRecordHash", l->records ? json_string(l->first) : json_null());
    json_object_set_new(o, "lastRecordHash", l->records ? json_string(l->last) : json_null());
    return o;
}

cu_rc audit_digest_build(const struct audit_digest_in *d, struct buf *out)
{
    cu_rc rc = CU_OK;
    json_t *o = json_object(), *files = json_array();
    bool have = d->log && d->log->records;
    char *text = NULL;

    ENSURE(o && files, CU_E_NOMEM);
    json_object_set_new(o, "digestStartTime", time_or_null(d->start_s, true));
    json_object_set_new(o, "digestEndTime", time_or_null(d->end_s, true));
    json_object_set_new(o, "digestFile", json_string(d->file));
    json_object_set_new(o, "digestPublicKeyFingerprint", json_string(d->fingerprint));
    json_object_set_new(o, "digestSignatureAlgorithm", json_string("Ed25519"));
    json_object_set_new(o, "newestEventTime", time_or_null(have ? d->log->newest_s : 0, have));
    json_object_set_new(o, "oldestEventTime", time_or_null(have ? d->log->oldest_s : 0, have));
    json_object_set_new(o, "previousDigestFile", string_or_null(d->previous_file));
    json_object_set_new(o, "previousDigestHashValue", string_or_null(d->previous_hash));
    json_object_set_new(o, "previousDigestHashAlgorithm", json_string("SHA-256"));
    json_object_set_new(o, "previousDigestSignature", string_or_null(d->previous_signature));
    json_object_set_new(o, "firstRecordHash", have ? json_string(d->log->first) : json_null());
    json_object_set_new(o, "lastRecordHash", json_string(d->head));
    if (d->log)
        json_array_append_new(files, log_entry(d->log));
    json_object_set_new(o, "logFiles", files);
    files = NULL;
    text = json_dumps(o, JSON_COMPACT);
    ENSURE(text, CU_E_NOMEM);
    TRY(buf_addstr(out, text));
    TRY(buf_addch(out, '\n'));
out:
    free(text);
    json_decref(files);
    json_decref(o);
    return rc;
}

cu_rc audit_digest_signing_string(const char *end_time, const char *file, struct bytes digest,
                                  const char *previous_sig, struct buf *out)
{
    uint8_t md[DIGEST_SHA256_LEN];
    char hex[AUDIT_HASH_HEX + 1];

    digest_sha256(digest, md);
    audit_hash_hex(md, hex);
    return buf_addstrs(out, end_time, "\n", file, "\n", hex, "\n",
                       previous_sig ? previous_sig : "null", NULL);
}
