/* cloudtrail.h — custos's CloudTrail (cloudtrail.ops): its one trail, the audit trail. */
#ifndef CU_SERVICES_CLOUDTRAIL_H
#define CU_SERVICES_CLOUDTRAIL_H

/* The trail's name; its ARN is arn:aws:cloudtrail:<home region>:<account>:trail/custos. */
#define CLOUDTRAIL_TRAIL_NAME "custos"

#endif
