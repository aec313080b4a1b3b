/* mfa_qr.h — the QR code image a virtual MFA device is enrolled with (mfa_qr.c). */
#ifndef CU_IAM_MFA_QR_H
#define CU_IAM_MFA_QR_H

#include "core/buf.h"

/* Append to out a PNG image of a QR code encoding uri (an otpauth:// URI: it holds the
 * device's seed, so out should be a sensitive buf). Black modules on white, 4 pixels a
 * module, a 4-module quiet zone, 1-bit grayscale. Everything libpng allocates meanwhile
 * is wiped when freed, as is the module matrix. Errors: CU_E_NOMEM; CU_E_INTERNAL when
 * the text does not fit a QR code or libpng fails; out's limit (CU_E_PAYLOAD_TOO_LARGE). */
MUST_CHECK cu_rc mfa_qr_png(const char *uri, struct buf *out);

#endif
