/* clock.h — time for custos: the wall clock (injectable for tests) and ISO-8601 / SigV4
 * date formats. Layers that must stay pure (policy/) take time as an input instead. */
#ifndef CU_CLOCK_H
#define CU_CLOCK_H

#include <time.h>

#include "cu.h"

/* Milliseconds since the epoch. Honours clock_set_offset_ms (tests move time with it). */
int64_t clock_now_ms(void);
void clock_set_offset_ms(int64_t offset);

/* "2024-01-02T03:04:05Z" (seconds) into out[21]. */
void clock_iso8601(int64_t epoch_s, char out[21]);
/* "2024-01-02T03:04:05.678Z" (milliseconds) into out[25]. */
void clock_iso8601_ms(int64_t epoch_ms, char out[25]);
/* SigV4 basic format "20240102T030405Z" into out[17]. */
void clock_amz_date(int64_t epoch_s, char out[17]);

/* Parse "YYYYMMDDTHHMMSSZ" exactly; CU_E_MALFORMED_INPUT on anything else. */
MUST_CHECK cu_rc clock_parse_amz_date(const char *s, size_t n, int64_t *epoch_s);
/* Parse ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" or a date "YYYY-MM-DD". */
MUST_CHECK cu_rc clock_parse_iso8601(const char *s, size_t n, int64_t *epoch_s);

#endif
