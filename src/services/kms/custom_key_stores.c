/* custom_key_stores.c — the custom key store operations (CreateCustomKeyStore,
 * ConnectCustomKeyStore, DeleteCustomKeyStore, DescribeCustomKeyStores,
 * DisconnectCustomKeyStore, UpdateCustomKeyStore), answered as AWS answers an account that
 * has no custom key store and from which no CloudHSM cluster or external key store proxy
 * can be reached: custos keeps key material itself and talks to neither.
 *
 * So every store named by id or name is not found, the list is empty, and creating a store
 * fails where AWS's creation fails first: at finding the CloudHSM cluster, or at reaching
 * the external key store proxy (its public endpoint, or its VPC endpoint service). These
 * are authorized like any call (IAM policies alone: custom key stores have no resource
 * policy; the descriptors name no resolver). */
#include <string.h>

#include "core/tree.h"
#include "kms_ops.gen.h"
#include "services/in.h"
#include "services/page.h"

/* The words are the KMS API reference's (the model's error documentation). */
#define NOT_FOUND                                                                                 \
    "The request was rejected because KMS cannot find a custom key store with the specified "  \
    "key store name or ID."

static cu_rc not_found(struct call *call)
{
    return cu_err_set(&call->err, CU_E_KMS_CUSTOM_KEY_STORE_NOT_FOUND, NOT_FOUND);
}

/* The members an external key store needs (KMS API reference, CreateCustomKeyStore:
 * "required" for CustomKeyStoreType EXTERNAL_KEY_STORE), checked before the proxy is
 * tried, as KMS validates a request before it acts on it. */
static cu_rc check_xks_members(struct call *call, const json_t *in, bool vpc)
{
    static const char *const required[] = {"XksProxyUriEndpoint", "XksProxyUriPath",
                                           "XksProxyAuthenticationCredential"};

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!json_object_get(in, required[i]))
            return cu_err_set(&call->err, CU_E_VALIDATION,
                              "%s is required for a custom key store of type "
                              "EXTERNAL_KEY_STORE.",
                              required[i]);
    if (vpc && !in_str(in, "XksProxyVpcEndpointServiceName"))
        return cu_err_set(&call->err, CU_E_VALIDATION,
                          "XksProxyVpcEndpointServiceName is required when "
                          "XksProxyConnectivity is VPC_ENDPOINT_SERVICE.");
    return CU_OK;
}

cu_rc kms_create_custom_key_store(struct call *call, const json_t *in, json_t *out)
{
    const char *type = in_str_or(in, "CustomKeyStoreType", "AWS_CLOUDHSM");
    const char *connectivity = in_str_or(in, "XksProxyConnectivity", "PUBLIC_ENDPOINT");
    bool vpc = strcmp(connectivity, "VPC_ENDPOINT_SERVICE") == 0;
    cu_rc rc;

    (void)out;
    if (strcmp(type, "EXTERNAL_KEY_STORE") != 0) {
        if (!in_str(in, "CloudHsmClusterId") || !in_str(in, "TrustAnchorCertificate") ||
            !in_str(in, "KeyStorePassword"))
            return cu_err_set(&call->err, CU_E_VALIDATION,
                              "CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword "
                              "are required for a custom key store of type AWS_CLOUDHSM.");
        return cu_err_set(&call->err, CU_E_KMS_CLOUDHSM_CLUSTER_NOT_FOUND,
                          "The request was rejected because KMS cannot find the CloudHSM "
                          "cluster with the specified cluster ID. Retry the request with a "
                          "different cluster ID.");
    }
    rc = check_xks_members(call, in, vpc);
    if (rc != CU_OK)
        return rc;
    if (vpc)
        return cu_err_set(&call->err, CU_E_KMS_XKS_VPC_SERVICE_NOT_FOUND,
                          "The request was rejected because KMS could not find the specified "
                          "VPC endpoint service. Use DescribeCustomKeyStores to verify the VPC "
                          "endpoint service name for the external key store. Also, confirm "
                          "that the Allow principals list for the VPC endpoint service "
                          "includes the KMS service principal for the Region, such as "
                          "cks.kms.%s.amazonaws.com.",
                          call->region);
    return cu_err_set(&call->err, CU_E_KMS_XKS_PROXY_URI_UNREACHABLE,
                      "KMS was unable to reach the specified XksProxyUriPath. The path must be "
                      "reachable before you create the external key store or update its "
                      "settings.");
}

cu_rc kms_connect_custom_key_store(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return not_found(call);
}

cu_rc kms_delete_custom_key_store(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return not_found(call);
}

cu_rc kms_disconnect_custom_key_store(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return not_found(call);
}

cu_rc kms_update_custom_key_store(struct call *call, const json_t *in, json_t *out)
{
    (void)in, (void)out;
    return not_found(call);
}

/* DescribeCustomKeyStores: every store of the account (none), or the one named by id or
 * name ("KMS cannot find ..."); a Marker is still checked as any KMS list checks it. */
cu_rc kms_describe_custom_key_stores(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};

    if (in_str(in, "CustomKeyStoreId") || in_str(in, "CustomKeyStoreName"))
        return not_found(call);
    TRY(page_begin(call, &kms_describe_custom_key_stores_page, in, &page));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}
