/* http_response.c — HTTP/1.1 response heads (see http_response.h). Written with
 * buf_addstrs rather than printf: this runs once per request. */
#include "http_response.h"

#include <stdio.h>
#include <time.h>

struct reason {
    int status;
    const char *text;
};

/* The statuses custos sends (errors.def and the handlers' successes). */
static const struct reason reasons[] = {
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
    {400, "Bad Request"}, {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
    {408, "Request Timeout"}, {409, "Conflict"}, {412, "Precondition Failed"},
    {413, "Content Too Large"}, {414, "URI Too Long"}, {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"}, {500, "Internal Server Error"},
    {501, "Not Implemented"}, {503, "Service Unavailable"}, {505, "HTTP Version Not Supported"},
};

static const char *reason_of(int status)
{
    for (size_t i = 0; i < ARRAY_LEN(reasons); i++)
        if (reasons[i].status == status)
            return reasons[i].text;
    return "Unknown";
}

const char *http_response_date(struct http_date *d, int64_t now_s)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)now_s;
    struct tm tm;

    if (d->second == now_s && d->text[0])
        return d->text;
    gmtime_r(&t, &tm);
    snprintf(d->text, sizeof(d->text), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    d->second = now_s;
    return d->text;
}

/* Decimal digits of v into out[24], returned as a C string inside out. */
static const char *decimal(uint64_t v, char out[24])
{
    char *p = out + 23;

    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

cu_rc http_response_write(struct buf *out, const struct proto_response *resp,
                          enum http_connection conn, bool head_only, const char *date)
{
    cu_rc rc = CU_OK;
    char status[24], length[24];
    int code = resp->status >= 100 && resp->status <= 999 ? resp->status : 500;

    TRY(buf_reserve(out, 256 + (head_only ? 0 : resp->body.n)));
    TRY(buf_addstrs(out, "HTTP/1.1 ", decimal((uint64_t)code, status), " ", reason_of(code),
                    "\r\nContent-Length: ", decimal(resp->body.n, length), "\r\nDate: ", date,
                    "\r\n", NULL));
    if (resp->content_type)
        TRY(buf_addstrs(out, "Content-Type: ", resp->content_type, "\r\n", NULL));
    /* SDKs read the request id from this header (boto3's ResponseMetadata.RequestId) */
    if (resp->request_id[0])
        TRY(buf_addstrs(out, "x-amzn-RequestId: ", resp->request_id, "\r\n", NULL));
    if (conn == HTTP_CONN_CLOSE)
        TRY(buf_addstr(out, "Connection: close\r\n"));
    else if (conn == HTTP_CONN_KEEP_ALIVE_10)
        TRY(buf_addstr(out, "Connection: keep-alive\r\n"));
    TRY(buf_addstr(out, "\r\n"));
    if (!head_only && resp->body.n)
        TRY(buf_add(out, resp->body.p, resp->body.n));
out:
    return rc;
}

cu_rc http_response_continue(struct buf *out)
{
    return buf_addstr(out, "HTTP/1.1 100 Continue\r\n\r\n");
}
