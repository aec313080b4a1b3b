/* discovery.c — GET <issuer>/.well-known/openid-configuration and <issuer>/.well-known/
 * jwks.json for outbound web identity federation: the HTTP side of outbound_discovery
 * (services/outbound.c), which reads the account's record and writes the documents.
 * Called by http_conn.c before the pipeline, as /_custos/health is. */
#include "discovery.h"

#include <string.h>

#include "services/outbound.h"

bool discovery_answer(struct pipeline *pl, const struct http_req *req,
                      struct proto_response *resp)
{
    bool handled = false;
    int status = 404;

    if ((strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) || req->query[0] ||
        strncmp(req->path, OUTBOUND_PATH_PREFIX, strlen(OUTBOUND_PATH_PREFIX)) != 0)
        return false;
    memset(resp, 0, sizeof(*resp));
    buf_init(&resp->body, 1 << 20);
    resp->content_type = "application/json";
    if (outbound_discovery(pl->env.store, pl->env.public_url, pl->env.account_id, req->path,
                           &handled, &status, &resp->body) != CU_OK) {
        buf_reset(&resp->body);
        status = 500;
    }
    resp->status = status;
    return true;
}
