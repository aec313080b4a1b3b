/* uri.h — percent-encoding as SigV4 and AWS's form encoding use it (RFC 3986):
 * unreserved characters A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX with
 * uppercase hex. */
#ifndef CU_URI_H
#define CU_URI_H

#include "buf.h"

/* Append the encoding of in to out; '/' stays unencoded when encode_slash is false. */
MUST_CHECK cu_rc uri_encode(struct bytes in, bool encode_slash, struct buf *out);

/* Append the decoding of in to out. '+' becomes a space when plus_is_space (form
 * bodies). A '%' not followed by two hex digits fails with CU_E_MALFORMED_INPUT. */
MUST_CHECK cu_rc uri_decode(struct bytes in, bool plus_is_space, struct buf *out);

#endif
