/* base64url.h — the URL-safe base64 alphabet without padding (RFC 4648 §5, as JOSE
 * uses it: RFC 7515 §2 "Base64url Encoding"), encoding only: custos writes JWTs and JWKs
 * (outbound web identity federation) and the encoded authorization messages, and reads
 * back only what it wrote through base64url_decode, which is strict. */
#ifndef CU_BASE64URL_H
#define CU_BASE64URL_H

#include "buf.h"

/* Append the unpadded base64url text of in to out. Errors: CU_E_PAYLOAD_TOO_LARGE (out's
 * limit), CU_E_NOMEM. */
MUST_CHECK cu_rc base64url_encode(struct bytes in, struct buf *out);

/* Append the bytes of the unpadded base64url text in to out (which may be sensitive).
 * Strict: any character outside the alphabet, any '=', a length of 1 mod 4 or nonzero
 * trailing bits fail with CU_E_MALFORMED_INPUT (out then unchanged in length). */
MUST_CHECK cu_rc base64url_decode(struct bytes in, struct buf *out);

#endif
