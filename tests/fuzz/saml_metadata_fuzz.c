/* saml_metadata_fuzz.c — libFuzzer target for services/iam/saml_metadata.c.
 *
 * Any input either parses into bounded facts (an entityID within its limit, at most
 * SAML_METADATA_CERTS_MAX certificates, each base64 that decodes) or is refused with
 * CU_E_MALFORMED_INPUT and nothing kept; never a crash, a leak or another code. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/codec.h"
#include "services/iam/saml_metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct saml_metadata md;
    struct cu_err err = {0};
    cu_rc rc = saml_metadata_parse(bytes_of(data, size), &md, &err);

    if (rc == CU_E_MALFORMED_INPUT) {
        if (md.entity_id || md.n_certs)
            abort();
        return 0;
    }
    if (rc != CU_OK || !md.entity_id || strlen(md.entity_id) > SAML_METADATA_ENTITY_ID_MAX ||
        md.n_certs == 0 || md.n_certs > SAML_METADATA_CERTS_MAX)
        abort();
    for (size_t i = 0; i < md.n_certs; i++)
        if (!b64_valid(bytes_str(md.certs[i])))
            abort();
    saml_metadata_release(&md);
    return 0;
}
