/* Tests for postgres_url.c: the store URL as the log shows it (a password in the userinfo
 * or in password=... masked, whatever it holds, nothing else changed), libpq's messages
 * about it (what they quote of a password masked), and the shared DDL in PostgreSQL's
 * words (whole words only). */
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
    /* libpq reads a '?' before the '@' as the password's (user=app password=p?ss) */
    masks("postgres://app:p?ss@db/custos", "postgres://app:***@db/custos");
    /* a '/' in an unencoded password (base64's): libpq takes "pa" for the port and
     * "ss@db/custos" for the database, and fails; still the password's */
    masks("postgres://app:pa/ss@db/custos", "postgres://app:***@db/custos");
    /* the client key's passphrase, and a keyword spelled in percent-encoding */
    masks("postgres://db/c?sslpassword=k3y&sslmode=require",
          "postgres://db/c?sslpassword=***&sslmode=require");
    masks("postgres://db/c?pass%77ord=hunter2", "postgres://db/c?pass%77ord=***");
    masks("postgres://db/c?user=a&password=", "postgres://db/c?user=a&password=");
    /* a password parameter after a '@' of the query is still masked */
    masks("postgres://db:5432/c?user=a@b&password=pw", "postgres://db:***@b&password=***");
    masks("/var/lib/custos", "/var/lib/custos");
    {
        char small[12];
        CHECK(!store_url_masked("postgres://app:pw@host/db", small, sizeof(small)));
    }
    CHECK(store_url_is_postgres("postgres://h/d"));
    CHECK(store_url_is_postgres("postgresql://h/d"));
    CHECK(!store_url_is_postgres("/data/postgres://"));
}

static void masks_message(const char *url, const char *msg, const char *want)
{
    char out[256];

    CHECK(pg_message_masked(url, msg, out, sizeof(out)));
    CHECK_STR(out, want);
}

/* libpq's own words (libpq 15) for URLs it cannot use: what they quote of a password
 * is masked, the rest kept. */
static void message_masking(void)
{
    masks_message("postgres://app:100%sure@db/custos",
                  "invalid percent-encoded token: \"100%sure\"",
                  "invalid percent-encoded token: \"***\"");
    masks_message("postgres://app:pa/ss@db/custos",
                  "invalid integer value \"pa\" for connection option \"port\"",
                  "invalid integer value \"***\" for connection option \"port\"");
    masks_message("postgres://app:p@ss@db/custos",
                  "could not translate host name \"ss@db\" to address: Name or service not known",
                  "could not translate host name \"***\" to address: Name or service not known");
    /* the password's text unquoted, and a message that names no part of it */
    masks_message("postgres://db/c?password=hunter2", "bad value hunter2 here",
                  "bad value *** here");
    masks_message("postgres://app:s3cret@db/custos",
                  "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  "
                  "password authentication failed for user \"app\"",
                  "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  "
                  "password authentication failed for user \"app\"");
    masks_message("postgres://app@db/custos", "could not connect: \"app\"",
                  "could not connect: \"app\"");
    {
        /* cut where it does not fit, never past a password */
        char small[16];
        CHECK(pg_message_masked("postgres://app:s3cret@db/c", "user app: s3cret s3cret", small,
                                sizeof(small)));
        CHECK_STR(small, "user app: *** ");
        CHECK(!pg_message_masked("postgres://app:s3cret@db/c", "x", small, 0));
    }
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
    message_masking();
    dialect();
    TEST_END();
}
