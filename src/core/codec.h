/* codec.h — base64 (RFC 4648 §4, standard alphabet, padded), base64url (§5, without
 * padding, as JOSE uses it: RFC 7515 §2), lowercase hex and UTF-8.
 * Decoders are strict: bad characters, bad padding or bad length fail with
 * CU_E_MALFORMED_INPUT. Output goes to a caller-owned buf (may be sensitive). */
#ifndef CU_CODEC_H
#define CU_CODEC_H

#include "buf.h"

MUST_CHECK cu_rc b64_encode(struct bytes in, struct buf *out);
/* Encoded size of n bytes (padded, without a terminator). */
#define B64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)
/* Encode into out, which has room for B64_ENCODED_LEN(in.n) + 1 bytes; terminated. */
void b64_encode_to(struct bytes in, char *out);
MUST_CHECK cu_rc b64_decode(struct bytes in, struct buf *out);
/* Whether b64_decode would accept in, without decoding it anywhere: a validator that
 * only needs the answer (the JSON decoder's type check) leaves no plaintext copy. */
bool b64_valid(struct bytes in);
/* Decoded size of a valid base64 text of n characters (upper bound for invalid ones). */
size_t b64_decoded_len(size_t n);

/* Append the unpadded base64url text of in to out. custos writes JWTs and JWKs (outbound
 * web identity federation) and the encoded authorization messages with it. Errors:
 * CU_E_PAYLOAD_TOO_LARGE (out's limit), CU_E_NOMEM. */
MUST_CHECK cu_rc base64url_encode(struct bytes in, struct buf *out);
/* Append the bytes of the unpadded base64url text in to out (which may be sensitive).
 * Strict, one text per byte string: any character outside the alphabet, any '=', a
 * length of 1 mod 4 or nonzero trailing bits fail with CU_E_MALFORMED_INPUT (out then
 * unchanged in length), so a text that decodes was not altered in its encoding. */
MUST_CHECK cu_rc base64url_decode(struct bytes in, struct buf *out);

/* Length of the valid UTF-8 sequence starting at s (left bytes available; s[0] >= 0x80
 * or not), or 0 if there is none: RFC 3629 §4, so no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
size_t utf8_seq_len(const uint8_t *s, size_t left);
/* Append code point cp (at most U+10FFFF) as UTF-8. */
MUST_CHECK cu_rc utf8_append(struct buf *b, uint32_t cp);

MUST_CHECK cu_rc hex_encode(struct bytes in, struct buf *out);
/* The value of one hex digit (either case), or -1 if c is not one. */
static inline int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Write 2*n lowercase hex digits and a NUL to out (which must hold 2*n + 1 bytes). */
void hex_encode_to(const uint8_t *in, size_t n, char *out);

/* Write v in decimal and a NUL to out (at most 20 digits); the number of digits. */
size_t dec_encode_to(uint64_t v, char out[21]);

#endif
