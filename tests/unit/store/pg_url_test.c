/* Tests for postgres_url.c: the store URL as the log shows it (a password in the userinfo
 * or in password=... masked, whatever it holds, nothing else changed), and the shared
 * DDL in PostgreSQL's words (whole words only). */
#include <stdlib.h>

#include "check.h"
#include "store/postgres_impl.h"
#include "store/store.h"

static void masks(const char *url, const char *want)
{
    char out[256];

    CHECK(store_url_masked(url, out, sizeof(out)));
    CHECK_STR(out, want);
}

static void masking(void)
{
    masks("postgres://app:s3cret@db.example:5432/custos?sslmode=verify-full",
          "postgres://app:***@db.example:5432/custos?sslmode=verify-full");
    /* a password holding '@' and ':' unencoded: the userinfo ends at the last '@' */
    masks("postgresql://app:p@ss:w@rd@10.0.0.1/custos", "postgresql://app:***@10.0.0.1/custos");
    masks("postgres://app@db/custos", "postgres://app@db/custos");
    masks("postgres://db/custos?user=app&password=hunter2&sslmode=require",
          "postgres://db/custos?user=app&password=***&sslmode=require");
    masks("postgres://app:x@db/c?password=y", "postgres://app:***@db/c?password=***");
    /* an '@' in the query is not userinfo */
    masks("postgres://db/c?application_name=a@b", "postgres://db/c?application_name=a@b");
    masks("/var/lib/custos", "/var/lib/custos");
    {
        char small[12];
        CHECK(!store_url_masked("postgres://app:pw@host/db", small, sizeof(small)));
    }
    CHECK(store_url_is_postgres("postgres://h/d"));
    CHECK(store_url_is_postgres("postgresql://h/d"));
    CHECK(!store_url_is_postgres("/data/postgres://"));
}

static void dialect(void)
{
    char *sql = pg_dialect("CREATE TABLE IF NOT EXISTS t (name TEXT PRIMARY KEY,"
                           " n INTEGER NOT NULL, TEXTS TEXT, INTEGERS INTEGER)");

    CHECK_STR(sql, "CREATE TABLE IF NOT EXISTS t (name TEXT COLLATE \"C\" PRIMARY KEY,"
                   " n BIGINT NOT NULL, TEXTS TEXT COLLATE \"C\", INTEGERS BIGINT)");
    free(sql);
    sql = pg_dialect("CREATE INDEX IF NOT EXISTS i ON t (kind, scope, key)");
    CHECK_STR(sql, "CREATE INDEX IF NOT EXISTS i ON t (kind, scope, key)");
    free(sql);
}

int main(void)
{
    masking();
    dialect();
    TEST_END();
}
