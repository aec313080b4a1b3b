/* Tests for audit/chain.c: the chain's suffix round-trips and is refused when cut,
 * tampered, upper-cased or on a line that is not an object; a line's hash; eventTime read
 * from a record; the trail's file names (each kind, and names that are almost one: wrong
 * digit count, suffix, prefix, oversized); a digest's fields in CloudTrail's names and its
 * signing string in CloudTrail's order, the first digest's previous signature the word
 * null. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "check.h"

static void suffix_round_trip_and_tampering(void)
{
    char suffix[AUDIT_CHAIN_SUFFIX_LEN + 1], prev[AUDIT_HASH_HEX + 1], line[400];
    const char *h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    size_t n;

    audit_chain_suffix(h, suffix);
    CHECK_INT(strlen(suffix), AUDIT_CHAIN_SUFFIX_LEN);
    n = (size_t)snprintf(line, sizeof(line), "{\"eventName\":\"X\"%s", suffix);
    CHECK(audit_chain_prev_of(line, n, prev));
    CHECK_STR(prev, h);
    /* cut short, by one byte or to the record's head */
    CHECK(!audit_chain_prev_of(line, n - 1, prev));
    CHECK(!audit_chain_prev_of(line, 10, prev));
    CHECK(!audit_chain_prev_of(line, 0, prev));
    /* a hex digit changed into something else, upper case, a name changed */
    line[n - 10] = 'g';
    CHECK(!audit_chain_prev_of(line, n, prev));
    line[n - 10] = 'A';
    CHECK(!audit_chain_prev_of(line, n, prev));
    line[n - 10] = 'a';
    CHECK(audit_chain_prev_of(line, n, prev));
    line[n - AUDIT_CHAIN_SUFFIX_LEN + 3] = 'C';
    CHECK(!audit_chain_prev_of(line, n, prev));
    /* not an object */
    n = (size_t)snprintf(line, sizeof(line), "[\"eventName\"%s", suffix);
    CHECK(!audit_chain_prev_of(line, n, prev));
    CHECK_INT(strlen(audit_chain_genesis), AUDIT_HASH_HEX);
}

static void hashes_and_times(void)
{
    char hex[AUDIT_HASH_HEX + 1];
    int64_t t = 0;
    const char *rec = "{\"eventTime\":\"2026-01-02T03:04:05Z\",\"requestParameters\":"
                      "{\"eventTime\":\"1999-01-01T00:00:00Z\"}}";

    /* SHA-256("abc"), FIPS 180-2 appendix B.1 */
    audit_chain_hash_line("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(audit_chain_event_time(rec, strlen(rec), &t));
    CHECK_INT(t, 1767323045); /* the record's own, not a parameter's */
    CHECK(!audit_chain_event_time("{\"eventTime\":\"yesterday\"}", 25, &t));
    CHECK(!audit_chain_event_time("{\"eventTime\":\"2026-01-02", 24, &t));
    CHECK(!audit_chain_event_time("{}", 2, &t));
}

static void file_names(void)
{
    char name[128];
    uint64_t n = 0;

    audit_file_log_name(7, 1767323045, name, sizeof(name));
    CHECK_STR(name, "trail_00000007_20260102T030405Z.jsonl");
    CHECK_INT(audit_file_parse_name(name, &n), AUDIT_FILE_PENDING);
    CHECK_INT(n, 7);
    CHECK_INT(audit_file_parse_name("trail_00000007_20260102T030405Z.jsonl.gz", &n), AUDIT_FILE_LOG);
    audit_file_digest_name(12345678, 1767323045, name, sizeof(name));
    CHECK_STR(name, "digest_12345678_20260102T030405Z.json");
    CHECK_INT(audit_file_parse_name(name, &n), AUDIT_FILE_DIGEST);
    CHECK_INT(n, 12345678);
    CHECK_INT(audit_file_parse_name("digest_12345678_20260102T030405Z.json.sig", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("trail_0000007_20260102T030405Z.jsonl", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("trail_0000000x_20260102T030405Z.jsonl", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("trail_00000007-20260102T030405Z.jsonl", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("trail_00000007_20260102T030405Z.json", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("Trail_00000007_20260102T030405Z.jsonl", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("public-key.pem", &n), AUDIT_FILE_OTHER);
    CHECK_INT(audit_file_parse_name("", &n), AUDIT_FILE_OTHER);
}

static void digest_format(void)
{
    struct audit_log_seal log = {.file = "trail_00000002_20260102T030405Z.jsonl.gz",
                                 .hash = "aa", .oldest_s = 1767323000, .newest_s = 1767323045,
                                 .records = 3, .previous = "p", .first = "f", .last = "l"};
    struct audit_digest_in in = {.start_s = 1767320000, .end_s = 1767323045,
                                 .file = "digest_00000002_20260102T030405Z.json",
                                 .fingerprint = "fp", .previous_file = "digest_00000001_x.json",
                                 .previous_hash = "ph", .previous_signature = "ps", .head = "l",
                                 .log = &log};
    struct buf out, signing;
    json_t *d;
    json_error_t jerr;
    const char *want;

    buf_init(&out, BUF_NO_LIMIT);
    buf_init(&signing, BUF_NO_LIMIT);
    CHECK_OK(audit_digest_build(&in, &out));
    CHECK(out.n && out.p[out.n - 1] == '\n');
    d = json_loadb(out.p, out.n, JSON_REJECT_DUPLICATES, &jerr);
    CHECK(d != NULL);
    CHECK_STR(json_string_value(json_object_get(d, "digestEndTime")), "2026-01-02T03:04:05Z");
    CHECK_STR(json_string_value(json_object_get(d, "digestSignatureAlgorithm")), "Ed25519");
    CHECK_STR(json_string_value(json_object_get(d, "previousDigestSignature")), "ps");
    CHECK_STR(json_string_value(json_object_get(d, "previousDigestHashAlgorithm")), "SHA-256");
    CHECK_STR(json_string_value(json_object_get(d, "oldestEventTime")), "2026-01-02T03:03:20Z");
    CHECK_STR(json_string_value(json_object_get(d, "firstRecordHash")), "f");
    CHECK_STR(json_string_value(json_object_get(d, "lastRecordHash")), "l");
    CHECK_INT(json_array_size(json_object_get(d, "logFiles")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(d, "logFiles"), 0),
                                                 "recordCount")), 3);
    json_decref(d);
    /* CloudTrail's signing string: end time, file, hex SHA-256 of the bytes, previous sig */
    CHECK_OK(audit_digest_signing_string("2026-01-02T03:04:05Z", "f.json", bytes_of("abc", 3),
                                         NULL, &signing));
    want = "2026-01-02T03:04:05Z\nf.json\n"
           "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull";
    CHECK_STR(signing.p, want);
    /* an empty digest of the first: nulls, no files, the head carried */
    buf_reset(&out);
    in.log = NULL;
    in.previous_file = in.previous_hash = in.previous_signature = NULL;
    CHECK_OK(audit_digest_build(&in, &out));
    d = json_loadb(out.p, out.n, 0, &jerr);
    CHECK(json_is_null(json_object_get(d, "previousDigestFile")));
    CHECK(json_is_null(json_object_get(d, "firstRecordHash")));
    CHECK(json_is_null(json_object_get(d, "newestEventTime")));
    CHECK_STR(json_string_value(json_object_get(d, "lastRecordHash")), "l");
    CHECK_INT(json_array_size(json_object_get(d, "logFiles")), 0);
    json_decref(d);
    buf_release(&out);
    buf_release(&signing);
}

int main(void)
{
    suffix_round_trip_and_tampering();
    hashes_and_times();
    file_names();
    digest_format();
    TEST_END();
}
