/* Tests for core/principal.h: the aws:PrincipalType value of every principal type, in the
 * words of the IAM guide's "Principal key values" table, and an out-of-range type. */
#include "check.h"
#include "core/principal.h"

int main(void)
{
    CHECK_STR(principal_type_name(PRINCIPAL_ROOT), "Account");
    CHECK_STR(principal_type_name(PRINCIPAL_USER), "User");
    CHECK_STR(principal_type_name(PRINCIPAL_ROLE_SESSION), "AssumedRole");
    CHECK_STR(principal_type_name(PRINCIPAL_FEDERATED), "FederatedUser");
    /* a value outside the enum (a corrupted principal) never reads past the table */
    CHECK(principal_type_name((enum principal_type)99) != NULL);
    CHECK(principal_type_name((enum principal_type)-1) != NULL);
    TEST_END();
}
