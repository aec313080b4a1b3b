/* ssh_key.h — OpenSSH RSA public keys (RFC 4253 §6.6): the "ssh-rsa <base64> [comment]"
 * text, the wire blob inside it, and its MD5 fingerprint as ssh-keygen -E md5 prints it.
 *
 * Pure parsers over untrusted input (STYLE R11): no I/O, no globals, every length checked
 * against the limits below. The blob's exponent and modulus are returned as views into
 * the caller's blob, big-endian, without the mpint's sign byte. */
#ifndef CU_SSH_KEY_H
#define CU_SSH_KEY_H

#include "buf.h"
#include "bytes.h"

/* Longest key text accepted (IAM's publicKeyMaterialType maximum). */
#define SSH_KEY_TEXT_MAX 16384
/* Largest modulus accepted, in bits (OpenSSH's own ceiling). */
#define SSH_KEY_RSA_BITS_MAX 16384
/* "xx:" sixteen times, without the last colon. */
#define SSH_KEY_FINGERPRINT_LEN 47

/* An RSA public key: views into the blob it was parsed from. */
struct ssh_key_rsa {
    struct bytes e, n; /* big-endian, no leading zero byte */
    size_t bits;       /* of n */
};

/* Decode the key text "ssh-rsa <base64> [comment]" (leading and trailing white space
 * allowed) into its wire blob, appended to *blob (caller-owned). CU_E_MALFORMED_INPUT
 * when it is not that; *recognized then tells whether the text was at least of the form
 * "ssh-rsa <word>" (a broken key) rather than something else (another key type, PEM). */
MUST_CHECK cu_rc ssh_key_parse_text(struct bytes text, struct buf *blob, bool *recognized);

/* Parse a wire blob: string "ssh-rsa", mpint e, mpint n, nothing after. e and n must be
 * positive, minimally encoded, n at most SSH_KEY_RSA_BITS_MAX bits. CU_E_MALFORMED_INPUT
 * otherwise. out's views point into blob. */
MUST_CHECK cu_rc ssh_key_parse_blob(struct bytes blob, struct ssh_key_rsa *out);

/* The wire blob of the RSA key (e, n) (big-endian magnitudes, leading zeros allowed),
 * appended to *out. */
MUST_CHECK cu_rc ssh_key_blob(struct bytes e, struct bytes n, struct buf *out);

/* "ssh-rsa <base64 of blob>" appended to *out: the key's canonical text, no comment. */
MUST_CHECK cu_rc ssh_key_text(struct bytes blob, struct buf *out);

/* The MD5 fingerprint of the blob, lowercase hex pairs joined by ':' into out
 * (SSH_KEY_FINGERPRINT_LEN + 1 bytes, NUL-terminated). CU_E_INTERNAL if OpenSSL fails. */
MUST_CHECK cu_rc ssh_key_fingerprint(struct bytes blob, char out[SSH_KEY_FINGERPRINT_LEN + 1]);

#endif
