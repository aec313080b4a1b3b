/* log.h — the operator's log (stderr), one line per event.
 * Never log secrets: callers pass request data through the descriptor's redaction
 * (the operation descriptor's secret fields) first; messages here are written by custos,
 * not copied from input. */
#ifndef CU_LOG_H
#define CU_LOG_H

#include "cu.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) CU_PRINTF(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
