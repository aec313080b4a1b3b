/* Tests for server/http_response.c: the response head's fields, the Connection choices,
 * HEAD (length without body), an out-of-range status, and the Date format. */
#include "check.h"
#include "server/http_response.h"

static void test_write(void)
{
    struct proto_response resp = {.status = 200, .content_type = "text/xml"};
    struct buf out;

    buf_init(&resp.body, BUF_NO_LIMIT);
    CHECK_OK(buf_addstr(&resp.body, "<ok/>"));
    str_copy(resp.request_id, sizeof(resp.request_id), "rid-1");
    buf_init_sensitive(&out, BUF_NO_LIMIT);
    CHECK_OK(http_response_write(&out, &resp, HTTP_CONN_KEEP, false, "D"));
    CHECK_STR(out.p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: D\r\n"
                     "Content-Type: text/xml\r\nx-amzn-RequestId: rid-1\r\n\r\n<ok/>");
    buf_reset(&out);
    resp.status = 431;
    CHECK_OK(http_response_write(&out, &resp, HTTP_CONN_CLOSE, true, "D"));
    CHECK_STR(out.p, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 5\r\n"
                     "Date: D\r\nContent-Type: text/xml\r\nx-amzn-RequestId: rid-1\r\n"
                     "Connection: close\r\n\r\n");
    buf_reset(&out);
    resp.status = 0;   /* never set: a server fault, not a malformed status line */
    resp.content_type = NULL;
    resp.request_id[0] = '\0';
    CHECK_OK(http_response_write(&out, &resp, HTTP_CONN_KEEP_ALIVE_10, false, "D"));
    CHECK(strncmp(out.p, "HTTP/1.1 500 Internal Server Error\r\n", 36) == 0);
    CHECK_CONTAINS(out.p, "\r\nConnection: keep-alive\r\n\r\n<ok/>");
    CHECK(strstr(out.p, "x-amzn-RequestId") == NULL);
    buf_reset(&out);
    CHECK_OK(http_response_continue(&out));
    CHECK_STR(out.p, "HTTP/1.1 100 Continue\r\n\r\n");
    buf_release(&out);
    proto_response_release(&resp);
}

static void test_date(void)
{
    struct http_date d = {0};

    CHECK_STR(http_response_date(&d, 784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK_STR(http_response_date(&d, 784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK_STR(http_response_date(&d, 1709251200), "Fri, 01 Mar 2024 00:00:00 GMT");
}

int main(void)
{
    test_write();
    test_date();
    TEST_END();
}
