/* sts.h — the STS service's handlers. */
#ifndef CU_STS_H
#define CU_STS_H

#include "services/call.h"

cu_rc sts_get_caller_identity(struct call *call, const json_t *in, json_t *out);
cu_rc sts_get_session_token(struct call *call, const json_t *in, json_t *out);

#endif
