/* ssh_key.c — OpenSSH RSA public keys: the one-line text form, the RFC 4253 §6.6 wire
 * blob ("ssh-rsa", e, n as length-prefixed strings and mpints), and the MD5 fingerprint
 * that ssh-keygen -l -E md5 and IAM's SSHPublicKey.Fingerprint show.
 *
 * Parsing is pure and bounded: the text is at most SSH_KEY_TEXT_MAX bytes, every read of
 * the blob goes through a cursor, and an mpint must be minimal and positive, so two blobs
 * of one key are byte-identical and a fingerprint names a key, not an encoding of it. */
#include "ssh_key.h"

#include <openssl/evp.h>

#include "codec.h"

#define SSH_RSA "ssh-rsa"
/* a length field larger than this is corrupt: the whole text is at most this long */
#define SSH_FIELD_MAX SSH_KEY_TEXT_MAX

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next run of non-space bytes at or after *pos, as a view; empty at the end. */
static struct bytes next_word(struct bytes text, size_t *pos)
{
    size_t start;

    while (*pos < text.n && is_space(text.p[*pos]))
        (*pos)++;
    start = *pos;
    while (*pos < text.n && !is_space(text.p[*pos]))
        (*pos)++;
    return bytes_of(text.p + start, *pos - start);
}

cu_rc ssh_key_parse_text(struct bytes text, struct buf *blob, bool *recognized)
{
    cu_rc rc = CU_OK;
    size_t pos = 0, start = blob->n;
    struct bytes type, body, inner_type;
    struct ssh_key_rsa key;
    struct cursor c;
    uint32_t len;

    *recognized = false;
    ENSURE(text.n <= SSH_KEY_TEXT_MAX, CU_E_MALFORMED_INPUT);
    type = next_word(text, &pos);
    body = next_word(text, &pos);
    /* what follows the key is its comment, free text ssh-keygen ignores */
    ENSURE(bytes_eq_str(type, SSH_RSA) && body.n > 0, CU_E_MALFORMED_INPUT);
    *recognized = true;
    TRY(b64_decode(body, blob));
    cursor_init(&c, bytes_of(blob->p + start, blob->n - start));
    /* the blob names its own type: it must be the one the text names */
    ENSURE(cursor_u32(&c, &len) && cursor_take(&c, len, &inner_type), CU_E_MALFORMED_INPUT);
    ENSURE(bytes_eq_str(inner_type, SSH_RSA), CU_E_MALFORMED_INPUT);
    TRY(ssh_key_parse_blob(bytes_of(blob->p + start, blob->n - start), &key));
out:
    if (rc != CU_OK && blob->p) {
        blob->n = start;
        blob->p[start] = '\0';
    }
    return rc;
}

/* An RFC 4251 §5 mpint that must be positive and minimally encoded: no leading zero
 * byte unless the next has its top bit set (which would read as negative without it). */
static bool take_positive_mpint(struct cursor *c, struct bytes *out)
{
    uint32_t len;
    struct bytes v;

    if (!cursor_u32(c, &len) || len == 0 || len > SSH_FIELD_MAX || !cursor_take(c, len, &v))
        return false;
    if (v.p[0] & 0x80)
        return false; /* negative */
    if (v.p[0] == 0) {
        if (v.n < 2 || !(v.p[1] & 0x80))
            return false; /* not minimal */
        v = bytes_of(v.p + 1, v.n - 1);
    }
    *out = v;
    return true;
}

static size_t bit_length(struct bytes v)
{
    size_t bits = v.n * 8;

    for (uint8_t top = v.p[0]; !(top & 0x80); top = (uint8_t)(top << 1))
        bits--;
    return bits;
}

cu_rc ssh_key_parse_blob(struct bytes blob, struct ssh_key_rsa *out)
{
    cu_rc rc = CU_OK;
    struct cursor c;
    struct bytes type;
    uint32_t len;

    cursor_init(&c, blob);
    ENSURE(cursor_u32(&c, &len) && cursor_take(&c, len, &type), CU_E_MALFORMED_INPUT);
    ENSURE(bytes_eq_str(type, SSH_RSA), CU_E_MALFORMED_INPUT);
    ENSURE(take_positive_mpint(&c, &out->e), CU_E_MALFORMED_INPUT);
    ENSURE(take_positive_mpint(&c, &out->n), CU_E_MALFORMED_INPUT);
    ENSURE(cursor_left(&c) == 0, CU_E_MALFORMED_INPUT);
    out->bits = bit_length(out->n);
    ENSURE(out->bits <= SSH_KEY_RSA_BITS_MAX, CU_E_MALFORMED_INPUT);
    /* an RSA modulus and public exponent are odd; anything else is not a key */
    ENSURE((out->n.p[out->n.n - 1] & 1) && (out->e.p[out->e.n - 1] & 1), CU_E_MALFORMED_INPUT);
out:
    return rc;
}

static cu_rc add_u32(struct buf *out, size_t v)
{
    uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

    return buf_add(out, be, sizeof(be));
}

/* v as a minimal positive mpint: leading zeros dropped, one zero byte put back before a
 * top bit. */
static cu_rc add_mpint(struct buf *out, struct bytes v)
{
    cu_rc rc = CU_OK;
    bool pad;

    while (v.n > 0 && v.p[0] == 0)
        v = bytes_of(v.p + 1, v.n - 1);
    ENSURE(v.n > 0, CU_E_MALFORMED_INPUT);
    pad = (v.p[0] & 0x80) != 0;
    TRY(add_u32(out, v.n + pad));
    if (pad)
        TRY(buf_addch(out, 0));
    TRY(buf_add(out, v.p, v.n));
out:
    return rc;
}

cu_rc ssh_key_blob(struct bytes e, struct bytes n, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(add_u32(out, sizeof(SSH_RSA) - 1));
    TRY(buf_addstr(out, SSH_RSA));
    TRY(add_mpint(out, e));
    TRY(add_mpint(out, n));
out:
    return rc;
}

cu_rc ssh_key_text(struct bytes blob, struct buf *out)
{
    cu_rc rc = CU_OK;

    TRY(buf_addstr(out, SSH_RSA " "));
    TRY(b64_encode(blob, out));
out:
    return rc;
}

cu_rc ssh_key_fingerprint(struct bytes blob, char out[SSH_KEY_FINGERPRINT_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    /* MD5 is what IAM shows (a 48-character Fingerprint in the model, with its colons);
     * it names a key for people and is never trusted for anything here */
    if (!EVP_Digest(blob.p, blob.n, md, &md_len, EVP_md5(), NULL) || md_len != 16)
        return CU_E_INTERNAL;
    for (unsigned int i = 0; i < md_len; i++) {
        out[3 * i] = hex[md[i] >> 4];
        out[3 * i + 1] = hex[md[i] & 15];
        if (i + 1 < md_len)
            out[3 * i + 2] = ':';
    }
    out[SSH_KEY_FINGERPRINT_LEN] = '\0';
    return CU_OK;
}
