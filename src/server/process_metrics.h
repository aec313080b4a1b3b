/* process_metrics.h — the standard process metrics every Prometheus client exports
 * (process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, ...), read
 * from /proc/self on Linux. */
#ifndef CU_SERVER_PROCESS_METRICS_H
#define CU_SERVER_PROCESS_METRICS_H

#include "core/buf.h"

/* Append the process's families to out. A figure that cannot be read is left out (the
 * rest is still written); errors only for out of memory. */
MUST_CHECK cu_rc process_metrics_write(struct buf *out);

#endif
