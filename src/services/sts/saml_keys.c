/* saml_keys.c — the saml:* condition keys of AssumeRoleWithSAML (saml_federation.h), from
 * a verified assertion: the IAM guide's "Available keys for SAML federation"
 * (reference_policies_iam-condition-keys) — saml:aud (the Recipient, not the Audience),
 * saml:iss, saml:sub, saml:sub_type, saml:namequalifier, saml:doc, and the keys named for
 * attributes, each holding every value of its attribute (by its urn:oid name). The OIDs
 * are the eduPerson / X.500 / RFC 4519 registrations the guide lists. */
#include <stdio.h>
#include <string.h>

#include "saml_federation.h"

static const struct {
    const char *key, *attribute;
} attribute_keys[] = {
    {"saml:cn", "urn:oid:2.5.4.3"},
    {"saml:commonName", "urn:oid:2.5.4.3"},
    {"saml:eduorghomepageuri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.2"},
    {"saml:eduorgidentityauthnpolicyuri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.3"},
    {"saml:eduorglegalname", "urn:oid:1.3.6.1.4.1.5923.1.2.1.4"},
    {"saml:eduorgsuperioruri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.5"},
    {"saml:eduorgwhitepagesuri", "urn:oid:1.3.6.1.4.1.5923.1.2.1.6"},
    {"saml:edupersonaffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"},
    {"saml:edupersonassurance", "urn:oid:1.3.6.1.4.1.5923.1.1.1.11"},
    {"saml:edupersonentitlement", "urn:oid:1.3.6.1.4.1.5923.1.1.1.7"},
    {"saml:edupersonnickname", "urn:oid:1.3.6.1.4.1.5923.1.1.1.2"},
    {"saml:edupersonorgdn", "urn:oid:1.3.6.1.4.1.5923.1.1.1.3"},
    {"saml:edupersonorgunitdn", "urn:oid:1.3.6.1.4.1.5923.1.1.1.4"},
    {"saml:edupersonprimaryaffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.5"},
    {"saml:edupersonprimaryorgunitdn", "urn:oid:1.3.6.1.4.1.5923.1.1.1.8"},
    {"saml:edupersonprincipalname", "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"},
    {"saml:edupersonscopedaffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"},
    {"saml:edupersontargetedid", "urn:oid:1.3.6.1.4.1.5923.1.1.1.10"},
    {"saml:givenName", "urn:oid:2.5.4.42"},
    {"saml:mail", "urn:oid:0.9.2342.19200300.100.1.3"},
    {"saml:name", "urn:oid:2.5.4.41"},
    {"saml:organizationStatus", "urn:oid:0.9.2342.19200300.100.1.45"},
    {"saml:primaryGroupSID",
     "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid"},
    {"saml:sn", "urn:oid:2.5.4.4"},
    {"saml:surname", "urn:oid:2.5.4.4"},
    {"saml:uid", "urn:oid:0.9.2342.19200300.100.1.1"},
    {"saml:x500UniqueIdentifier", "urn:oid:2.5.4.45"},
};

void saml_subject_type(const char *format, char out[SAML_SUBJECT_TYPE_MAX])
{
    static const char prefix[] = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

    /* STS API reference, AssumeRoleWithSAML SubjectType: the SAML 2.0 prefix is removed
     * ("...:transient" is "transient"); any other format is returned unchanged. Without a
     * Format the NameID's is SAML core's default, unspecified (SAML core 8.3.1). */
    if (!format)
        format = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    if (strncmp(format, prefix, sizeof(prefix) - 1) == 0 && format[sizeof(prefix) - 1])
        format += sizeof(prefix) - 1;
    snprintf(out, SAML_SUBJECT_TYPE_MAX, "%s", format);
}

void saml_keys_add(struct call_keys *keys, const struct saml_assertion *a, const char *doc,
                   const char *name_qualifier, const char *subject_type, const char **scratch,
                   size_t scratch_n)
{
    size_t used = 0;

    call_keys_add(keys, "saml:aud", a->recipient);
    call_keys_add(keys, "saml:iss", a->issuer);
    call_keys_add(keys, "saml:sub", a->subject);
    call_keys_add(keys, "saml:sub_type", subject_type);
    call_keys_add(keys, "saml:namequalifier", name_qualifier);
    call_keys_add(keys, "saml:doc", doc);
    for (size_t i = 0; i < sizeof(attribute_keys) / sizeof(attribute_keys[0]); i++) {
        const json_t *values = json_object_get(a->attributes, attribute_keys[i].attribute);
        size_t n = json_array_size(values), start = used;
        if (!n || used + n > scratch_n)
            continue;
        for (size_t j = 0; j < n; j++)
            scratch[used++] = json_string_value(json_array_get(values, j));
        call_keys_add_multi(keys, attribute_keys[i].key, scratch + start, n);
    }
}
