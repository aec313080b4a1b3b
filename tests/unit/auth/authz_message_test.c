/* Tests for auth/authz_message.c: the decoded document has AWS's shape (allowed,
 * explicitDeny, matchedStatements.items, failures.items, context.principal/action/
 * resource/conditions.items[].values.items[].value); encode then decode gives it back;
 * two encodings of one document differ (fresh nonce); and decoding refuses a message
 * under another master key, every truncation, every flipped character, garbage, an empty
 * or oversized text. */
#include "auth/authz_message.h"
#include "check.h"
#include "core/tree_write.h"

static json_t *sample(void)
{
    static const char *const tenancy[] = {"default"};
    static const char *const regions[] = {"us-east-1", "eu-west-1"};
    static const char *const sids[] = {"DenyAll"};
    const struct authz_condition conds[] = {
        {"ec2:Tenancy", tenancy, 1},
        {"aws:RequestedRegion", regions, 2},
    };
    const struct authz_decision d = {
        .explicit_deny = true,
        .principal_id = "AIDAEXAMPLE",
        .principal_arn = "arn:aws:iam::123456789012:user/bob",
        .action = "kms:Decrypt",
        .resource = "arn:aws:kms:us-east-1:123456789012:key/k",
        .conditions = conds,
        .n_conditions = 2,
        .matched_statements = sids,
        .n_matched = 1,
    };
    json_t *doc = NULL;

    if (authz_message_document(&d, &doc) != CU_OK)
        abort();
    return doc;
}

static void check_shape(const json_t *doc)
{
    const json_t *ctx = json_object_get(doc, "context");
    const json_t *c1 = json_array_get(
        json_object_get(json_object_get(ctx, "conditions"), "items"), 1);

    CHECK(json_is_false(json_object_get(doc, "allowed")));
    CHECK(json_is_true(json_object_get(doc, "explicitDeny")));
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(
                  json_object_get(doc, "matchedStatements"), "items"), 0), "statementId")),
              "DenyAll");
    CHECK(json_array_size(json_object_get(json_object_get(doc, "failures"), "items")) == 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(ctx, "principal"), "arn")),
              "arn:aws:iam::123456789012:user/bob");
    CHECK_STR(json_string_value(json_object_get(json_object_get(ctx, "principal"), "id")),
              "AIDAEXAMPLE");
    CHECK_STR(json_string_value(json_object_get(ctx, "action")), "kms:Decrypt");
    CHECK_STR(json_string_value(json_object_get(ctx, "resource")),
              "arn:aws:kms:us-east-1:123456789012:key/k");
    CHECK_STR(json_string_value(json_object_get(c1, "key")), "aws:RequestedRegion");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(
                  json_object_get(c1, "values"), "items"), 1), "value")),
              "eu-west-1");
}

static void check_refused(const struct master_key *mk, struct bytes text)
{
    json_t *doc = NULL;

    CHECK_RC(authz_message_decode(mk, text, &doc), CU_E_MALFORMED_INPUT);
    CHECK(doc == NULL);
}

int main(void)
{
    struct master_key *mk = NULL, *other = NULL;
    json_t *doc = sample(), *back = NULL;
    struct buf text, text2, big;
    char flipped[AUTHZ_MESSAGE_MAX + 1];

    CHECK_OK(master_key_new_random(&mk));
    CHECK_OK(master_key_new_random(&other));
    check_shape(doc);
    buf_init(&text, AUTHZ_MESSAGE_MAX);
    buf_init(&text2, AUTHZ_MESSAGE_MAX);
    CHECK_OK(authz_message_encode(mk, doc, &text));
    CHECK_OK(authz_message_encode(mk, doc, &text2));
    CHECK(strcmp(text.p, text2.p) != 0);
    CHECK(strspn(text.p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          text.n);
    CHECK_OK(authz_message_decode(mk, buf_bytes(&text), &back));
    CHECK(json_equal(doc, back));
    check_shape(back);
    json_decref(back);

    check_refused(other, buf_bytes(&text));
    check_refused(mk, bytes_str(""));
    check_refused(mk, bytes_str("not a message"));
    check_refused(mk, bytes_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    for (size_t n = 0; n < text.n; n++)
        check_refused(mk, bytes_of(text.p, n));
    for (size_t i = 0; i < text.n; i++) {
        memcpy(flipped, text.p, text.n);
        flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
        check_refused(mk, bytes_of(flipped, text.n));
    }
    buf_init(&big, 2 * AUTHZ_MESSAGE_MAX);
    for (size_t i = 0; i <= AUTHZ_MESSAGE_MAX; i++)
        CHECK_OK(buf_addch(&big, 'A'));
    check_refused(mk, buf_bytes(&big));

    /* a document too large for the model's 10,240-character message is refused */
    CHECK_OK(json_object_set_new(doc, "padding", json_string(big.p)));
    buf_reset(&text2);
    CHECK_RC(authz_message_encode(mk, doc, &text2), CU_E_PAYLOAD_TOO_LARGE);

    buf_release(&big);
    buf_release(&text);
    buf_release(&text2);
    json_decref(doc);
    master_key_free(mk);
    master_key_free(other);
    TEST_END();
}
