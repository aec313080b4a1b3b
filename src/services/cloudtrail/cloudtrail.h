/* cloudtrail.h — custos's CloudTrail (cloudtrail.ops): its one trail, the audit trail, and
 * what the operation files share about naming it and CloudTrail's other resources. */
#ifndef CU_SERVICES_CLOUDTRAIL_H
#define CU_SERVICES_CLOUDTRAIL_H

#include "services/call.h"

/* The trail's name; its ARN is arn:aws:cloudtrail:<home region>:<account>:trail/custos. */
#define CLOUDTRAIL_TRAIL_NAME "custos"

/* Longest CloudTrail ARN custos builds (the model's ARN members are at most 256). */
#define CLOUDTRAIL_ARN_MAX 1024

/* The trail's ARN into out: its home region is the server's default region. */
void cloudtrail_trail_arn(const struct call *call, char out[CLOUDTRAIL_ARN_MAX]);

/* Does name (a trail name or ARN; NULL: no) name custos's trail? */
bool cloudtrail_names_trail(const struct call *call, const char *name);

/* CU_OK when name names custos's trail, else TrailNotFoundException "Unknown trail: <name>
 * for the user: <account>" in call->err (trails.c: GetTrail's answer). */
MUST_CHECK cu_rc cloudtrail_need_trail(struct call *call, const char *name);

/* Is s a CloudTrail ARN "arn:<partition>:cloudtrail:<region>:<12 digits>:<type>/<id>" with
 * a non-empty id? type: "trail", "eventdatastore", "channel", "dashboard". */
bool cloudtrail_arn_is(const char *s, const char *type);

/* Set call->target to the resource value names: value itself when it is an ARN, else
 * arn:aws:cloudtrail:<region>:<account>:<type>/<value> (a trail's in its home region, the
 * server's; any other in the call's region), owned by the node's account. */
void cloudtrail_target(struct call *call, const char *value, const char *type);

/* CU_OK never: custos has no event data store. An ARN that is not an event data store's
 * fails with EventDataStoreARNInvalidException, anything else (an ARN or an id suffix)
 * with EventDataStoreNotFoundException, in call->err (lake.c). */
MUST_CHECK cu_rc cloudtrail_need_event_data_store(struct call *call, const char *store);

#endif
