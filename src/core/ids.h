/* ids.h — identifiers in AWS's formats (IAM guide, reference_identifiers.html):
 * unique ids are a 4-letter prefix (AIDA user, AROA role, AGPA group, ANPA policy)
 * and 17 base32 characters; access key ids are AKIA/ASIA and 16 more; secret access keys
 * are 40 characters; request ids and KMS key ids are lowercase UUIDv4. */
#ifndef CU_IDS_H
#define CU_IDS_H

#include "cu.h"

#define IDS_UUID_LEN 36
#define IDS_UNIQUE_ID_LEN 21
#define IDS_ACCESS_KEY_ID_LEN 20
#define IDS_SECRET_KEY_LEN 40

/* out must hold IDS_UUID_LEN + 1 bytes. */
MUST_CHECK cu_rc ids_uuid(char *out);
/* prefix is 4 characters ("AIDA"); out holds IDS_UNIQUE_ID_LEN + 1. */
MUST_CHECK cu_rc ids_unique(const char *prefix, char *out);
/* prefix "AKIA" or "ASIA"; out holds IDS_ACCESS_KEY_ID_LEN + 1. */
MUST_CHECK cu_rc ids_access_key_id(const char *prefix, char *out);
/* out holds IDS_SECRET_KEY_LEN + 1; the caller wipes it when done. */
MUST_CHECK cu_rc ids_secret_key(char *out);

/* true if s is a lowercase or uppercase UUID in 8-4-4-4-12 form. */
bool ids_is_uuid(const char *s);

#endif
