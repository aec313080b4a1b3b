/* discovery.h — the OIDC discovery documents of outbound web identity federation, served
 * on custos's endpoint (services/outbound.h). */
#ifndef CU_DISCOVERY_H
#define CU_DISCOVERY_H

#include "pipeline.h"

/* Whether req is a GET (or HEAD) of a path under /_custos/outbound/, without a query; if
 * so resp holds the answer: 200 with the issuer's openid-configuration or JWKS, 404 for
 * an unknown issuer or document, 500 if the store could not be read. Unauthenticated
 * (a verifier holds no AWS credentials) and not audited, like /_custos/health: it reads
 * only public keys and changes nothing. */
bool discovery_answer(struct pipeline *pl, const struct http_req *req,
                      struct proto_response *resp);

#endif
