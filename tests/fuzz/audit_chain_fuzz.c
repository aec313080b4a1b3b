/* audit_chain_fuzz.c — libFuzzer target for what `custos audit verify` and `export` read
 * from a trail that may have been tampered with (audit/chain.c, audit/trail_io.c): the
 * chain member at a line's end, a record's eventTime, trail file names and the scan of a
 * log file's bytes.
 *
 * Whatever the bytes, nothing reads past them; a previous hash accepted is 64 lowercase
 * hex digits; a line the scan counts ends in a newline; the scan's hash is the SHA-256 of
 * exactly the bytes up to the last newline; and a line rebuilt with the chain suffix of
 * the hash it names reads back as that hash. */
#include <stdlib.h>
#include <string.h>

#include "audit/chain.h"
#include "audit/trail_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    char prev[AUDIT_HASH_HEX + 1], again[AUDIT_HASH_HEX + 1], name[160];
    char suffix[AUDIT_CHAIN_SUFFIX_LEN + 1];
    struct audit_log_seal seal;
    int64_t t;
    uint64_t number;
    size_t end = 0, newlines = 0;

    if (audit_chain_prev_of(p, size, prev)) {
        if (strlen(prev) != AUDIT_HASH_HEX || strspn(prev, "0123456789abcdef") != AUDIT_HASH_HEX)
            abort();
        audit_chain_suffix(prev, suffix);
        if (memcmp(p + size - AUDIT_CHAIN_SUFFIX_LEN, suffix, AUDIT_CHAIN_SUFFIX_LEN) != 0)
            abort();
    }
    (void)audit_chain_event_time(p, size, &t);
    if (size < sizeof(name)) {
        memcpy(name, p, size);
        name[size] = '\0';
        if (audit_file_parse_name(name, &number) != AUDIT_FILE_OTHER && number > 99999999)
            abort();
    }
    trail_scan(bytes_of(data, size), "f", &seal, &end);
    for (size_t i = 0; i < end; i++)
        newlines += p[i] == '\n';
    if (end > size || (end && p[end - 1] != '\n') || seal.records != newlines)
        abort();
    audit_chain_hash_line(p, end, again);
    if (strcmp(again, seal.hash) != 0)
        abort();
    return 0;
}
