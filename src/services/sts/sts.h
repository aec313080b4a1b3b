/* sts.h — the STS service's handlers. */
#ifndef CU_STS_H
#define CU_STS_H

#include "services/call.h"

#endif
