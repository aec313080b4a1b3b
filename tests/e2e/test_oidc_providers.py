"""IAM OpenID Connect identity providers through boto3 and the AWS CLI:
Create/Get/List/DeleteOpenIDConnectProvider, Add/RemoveClientIDFromOpenIDConnectProvider,
UpdateOpenIDConnectProviderThumbprint and the provider tags, with AWS's wording for bad
URLs, bad thumbprints, duplicates, missing providers and quotas, the idempotent client-id
changes, tag pagination, GetAccountSummary's Providers and authorization
(src/services/iam/oidc_providers.c, oidc_url.c, providers.c)."""
import datetime
import json

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
A40, B40, C40 = "a" * 40, "b" * 40, "c" * 40


def arn_of(resource):
    return f"arn:aws:iam::{ACCT}:oidc-provider/{resource}"


class OidcProviders(harness.ServerTest):
    def setUp(self):
        self.iam = self.server.client("iam")

    def assert_error(self, e, code, status, message):
        self.assertEqual(self.error_code(e.exception), code)
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(e.exception.response["Error"]["Message"], message)

    def test_create_get_list_delete(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        r = self.iam.create_open_id_connect_provider(
            Url="https://token.example.com", ClientIDList=["sts.amazonaws.com", "web"],
            ThumbprintList=["ABCDEF0123456789ABCDEF0123456789ABCDEF01"])
        arn = r["OpenIDConnectProviderArn"]
        self.assertEqual(arn, arn_of("token.example.com"))
        self.assertNotIn("Tags", r)
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        # Url without its scheme; thumbprints kept in lowercase; no tags: an empty list
        self.assertEqual(got["Url"], "token.example.com")
        self.assertEqual(got["ClientIDList"], ["sts.amazonaws.com", "web"])
        self.assertEqual(got["ThumbprintList"], ["abcdef0123456789abcdef0123456789abcdef01"])
        self.assertEqual(got["Tags"], [])
        self.assertGreaterEqual(got["CreateDate"], before)
        listed = [p["Arn"] for p in self.iam.list_open_id_connect_providers()[
            "OpenIDConnectProviderList"]]
        self.assertIn(arn, listed)
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertNotIn(arn, [p["Arn"] for p in self.iam.list_open_id_connect_providers()[
            "OpenIDConnectProviderList"]])
        with self.assertRaises(ClientError) as e:
            self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assert_error(e, "NoSuchEntity", 404, f"OpenIDConnect Provider not found for arn {arn}")
        # measured on AWS: a second delete is NoSuchEntity, in Delete's own wording
        with self.assertRaises(ClientError) as e:
            self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assert_error(e, "NoSuchEntity", 404, f"OpenId connect Provider {arn} cannot be found.")

    def test_thumbprints_optional_port_and_path(self):
        r = self.iam.create_open_id_connect_provider(Url="https://idp.example.com:8443/realms/a")
        arn = r["OpenIDConnectProviderArn"]
        self.assertEqual(arn, arn_of("idp.example.com:8443/realms/a"))
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(got["Url"], "idp.example.com:8443/realms/a")
        self.assertEqual(got["ThumbprintList"], [])
        self.assertEqual(got["ClientIDList"], [])
        # the scheme in any case; what follows it is kept as given, so case makes another one
        r2 = self.iam.create_open_id_connect_provider(Url="HTTPS://IDP.example.com:8443/realms/a")
        self.assertEqual(r2["OpenIDConnectProviderArn"], arn_of("IDP.example.com:8443/realms/a"))
        for a in (arn, r2["OpenIDConnectProviderArn"]):
            self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=a)

    def test_bad_urls(self):
        before = self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        for url in ("example.org", "http://example.org", "https://", "https://a.example/?x=1",
                    "https://a.example/#f", "https://-a.example", "https://a-.example",
                    "https://a..example", "https://.a.example", "https://a.example:0",
                    "https://a.example:65536", "https://a.example:", "https://a.example:8x",
                    "https://user@a.example", "https://a.example/with space",
                    "https://a_b.example", "ftp://a.example", "https://a.example\\x",
                    "https://" + "a" * 64 + ".example"):
            with self.assertRaises(ClientError, msg=url) as e:
                self.iam.create_open_id_connect_provider(Url=url, ThumbprintList=[A40])
            self.assert_error(e, "ValidationError", 400, "Invalid Open ID Connect Provider URL")
        # the model's 255-character limit, checked before the handler
        with self.assertRaises(ClientError) as e:
            self.iam.create_open_id_connect_provider(Url="https://" + "a" * 250)
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        self.assertEqual(self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"],
                         before)

    def test_bad_thumbprints(self):
        url = "https://thumbs.example.com"
        with self.assertRaises(ClientError) as e:
            self.iam.create_open_id_connect_provider(
                Url=url, ThumbprintList=[c * 40 for c in "abcdef"])
        self.assert_error(e, "InvalidInput", 400,
                          "Thumbprint list must contain fewer than 5 entries.")
        with self.assertRaises(ClientError) as e:
            self.iam.create_open_id_connect_provider(Url=url, ThumbprintList=["g" * 40])
        self.assert_error(e, "InvalidInput", 400,
                          "Thumbprint must be a 40 character hexadecimal string.")
        unchecked = self.server.client("iam", parameter_validation=False)
        for bad in ("a" * 39, "a" * 41):
            with self.assertRaises(ClientError) as e:
                unchecked.create_open_id_connect_provider(Url=url, ThumbprintList=[bad])
            self.assertEqual(self.error_code(e.exception), "ValidationError")
        # five are allowed
        arn = self.iam.create_open_id_connect_provider(
            Url=url, ThumbprintList=[c * 40 for c in "abcde"])["OpenIDConnectProviderArn"]
        with self.assertRaises(ClientError) as e:
            self.iam.update_open_id_connect_provider_thumbprint(
                OpenIDConnectProviderArn=arn, ThumbprintList=[c * 40 for c in "abcdef"])
        self.assert_error(e, "InvalidInput", 400,
                          "Thumbprint list must contain fewer than 5 entries.")
        self.iam.update_open_id_connect_provider_thumbprint(
            OpenIDConnectProviderArn=arn, ThumbprintList=[C40.upper(), B40])
        self.assertEqual(self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)[
            "ThumbprintList"], [C40, B40])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    def test_duplicate(self):
        url = "https://dup.example.com"
        arn = self.iam.create_open_id_connect_provider(Url=url, ThumbprintList=[A40])[
            "OpenIDConnectProviderArn"]
        with self.assertRaises(ClientError) as e:
            self.iam.create_open_id_connect_provider(Url=url, ThumbprintList=[B40])
        self.assert_error(e, "EntityAlreadyExists", 409, f"Provider with url {url} already exists.")
        # the first one is untouched
        self.assertEqual(self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)[
            "ThumbprintList"], [A40])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    def test_client_ids(self):
        with self.assertRaises(ClientError) as e:
            self.iam.create_open_id_connect_provider(
                Url="https://many.example.com", ClientIDList=[str(i) for i in range(101)])
        self.assert_error(e, "LimitExceeded", 409,
                          "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
        arn = self.iam.create_open_id_connect_provider(
            Url="https://clients.example.com", ClientIDList=["one", "one", "two"])[
            "OpenIDConnectProviderArn"]
        get = lambda: self.iam.get_open_id_connect_provider(  # noqa: E731
            OpenIDConnectProviderArn=arn)["ClientIDList"]
        self.assertEqual(get(), ["one", "two"])
        # adding an existing id and removing an absent one both succeed and change nothing
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                           ClientID="one")
        self.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                                ClientID="absent")
        self.assertEqual(get(), ["one", "two"])
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                           ClientID="three")
        self.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                                ClientID="one")
        self.assertEqual(get(), ["two", "three"])
        for i in range(98):
            self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                               ClientID=f"c{i}")
        self.assertEqual(len(get()), 100)
        with self.assertRaises(ClientError) as e:
            self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                               ClientID="one-too-many")
        self.assert_error(e, "LimitExceeded", 409,
                          "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
        # an id already there is still fine at the quota
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                           ClientID="two")
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    def test_missing_provider(self):
        arn = arn_of("nowhere.example.com")
        msg = f"OpenIDConnect Provider not found for arn {arn}"
        for call in (
                lambda: self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn),
                lambda: self.iam.add_client_id_to_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, ClientID="x"),
                lambda: self.iam.remove_client_id_from_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, ClientID="x"),
                lambda: self.iam.update_open_id_connect_provider_thumbprint(
                    OpenIDConnectProviderArn=arn, ThumbprintList=[A40]),
                lambda: self.iam.tag_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
                lambda: self.iam.untag_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, TagKeys=["k"]),
                lambda: self.iam.list_open_id_connect_provider_tags(
                    OpenIDConnectProviderArn=arn)):
            with self.assertRaises(ClientError) as e:
                call()
            self.assert_error(e, "NoSuchEntity", 404, msg)
        # an ARN of another account or of another resource type names no provider either
        for other in (f"arn:aws:iam::999999999999:oidc-provider/x.example.com",
                      f"arn:aws:iam::{ACCT}:saml-provider/x.example.com"):
            with self.assertRaises(ClientError) as e:
                self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=other)
            self.assertEqual(self.error_code(e.exception), "NoSuchEntity")

    def test_tags_and_pagination(self):
        tags = [{"Key": f"k{i:02d}", "Value": f"v{i}"} for i in range(10)]
        r = self.iam.create_open_id_connect_provider(Url="https://tags.example.com",
                                                     ThumbprintList=[A40], Tags=tags)
        arn = r["OpenIDConnectProviderArn"]
        self.assertEqual(r["Tags"], tags)
        page = self.iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn,
                                                           MaxItems=4)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(page["Tags"], tags[:4])
        self.assertNotIn("k0", page["Marker"])
        page2 = self.iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn,
                                                            MaxItems=4, Marker=page["Marker"])
        self.assertEqual(page2["Tags"], tags[4:8])
        with self.assertRaises(ClientError) as e:
            self.iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn,
                                                        Marker=page["Marker"][:-2] + "xx")
        self.assertEqual(self.error_code(e.exception), "ValidationError")
        pages = self.iam.get_paginator("list_open_id_connect_provider_tags").paginate(
            OpenIDConnectProviderArn=arn, PaginationConfig={"PageSize": 3})
        self.assertEqual([t for p in pages for t in p["Tags"]], tags)
        self.iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[
            {"Key": "k00", "Value": "new"}, {"Key": "extra", "Value": "x"}])
        self.iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                TagKeys=["k01", "not-there"])
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Tags"]
        self.assertEqual(got[0], {"Key": "k00", "Value": "new"})
        self.assertNotIn({"Key": "k01", "Value": "v1"}, got)
        self.assertIn({"Key": "extra", "Value": "x"}, got)
        self.assertEqual(len(got), 10)
        more = [{"Key": f"m{i}", "Value": "v"} for i in range(40)]
        self.iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=more)
        with self.assertRaises(ClientError) as e:
            self.iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                  Tags=[{"Key": "one-more", "Value": "v"}])
        self.assert_error(e, "LimitExceeded", 409,
                          "The number of tags has reached the maximum limit.")
        self.assertEqual(len(self.iam.get_open_id_connect_provider(
            OpenIDConnectProviderArn=arn)["Tags"]), 50)
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    def test_account_summary_counts_providers(self):
        def providers():
            return self.iam.get_account_summary()["SummaryMap"]["Providers"]
        start = providers()
        arn = self.iam.create_open_id_connect_provider(Url="https://count.example.com")[
            "OpenIDConnectProviderArn"]
        self.assertEqual(providers(), start + 1)
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(providers(), start)

    def test_authorization(self):
        arn = self.iam.create_open_id_connect_provider(Url="https://guarded.example.com")[
            "OpenIDConnectProviderArn"]
        user, key, secret = self.server.user("no-oidc-rights")
        iam = self.server.client("iam", key=key, secret=secret)
        for call, action, resource in (
                (lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn),
                 "iam:GetOpenIDConnectProvider", arn),
                (lambda: iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn),
                 "iam:DeleteOpenIDConnectProvider", arn),
                (lambda: iam.add_client_id_to_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, ClientID="x"),
                 "iam:AddClientIDToOpenIDConnectProvider", arn),
                (lambda: iam.tag_open_id_connect_provider(
                    OpenIDConnectProviderArn=arn, Tags=[{"Key": "a", "Value": "b"}]),
                 "iam:TagOpenIDConnectProvider", arn),
                (lambda: iam.create_open_id_connect_provider(Url="https://new.example.com/p"),
                 "iam:CreateOpenIDConnectProvider", arn_of("new.example.com/p")),
                (lambda: iam.list_open_id_connect_providers(),
                 "iam:ListOpenIDConnectProviders", "*")):
            with self.assertRaises(ClientError) as e:
                call()
            on = "" if resource == "*" else f" on resource: {resource}"
            self.assert_error(e, "AccessDenied", 403,
                              f"User: {user} is not authorized to perform: {action}{on} "
                              f"because no identity-based policy allows the {action} action")
        # allowed on this provider's ARN, and on providers tagged team=a
        self.iam.put_user_policy(UserName="no-oidc-rights", PolicyName="one", PolicyDocument=
                                 json.dumps({"Version": "2012-10-17", "Statement": [
                                     {"Effect": "Allow", "Action": "iam:GetOpenIDConnectProvider",
                                      "Resource": arn},
                                     {"Effect": "Allow", "Action": "iam:ListOpenIDConnectProviderTags",
                                      "Resource": "*", "Condition": {"StringEquals": {
                                          "aws:ResourceTag/team": "a"}}}]}))
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Url"],
                         "guarded.example.com")
        with self.assertRaises(ClientError) as e:
            iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)
        self.assertEqual(self.error_code(e.exception), "AccessDenied")
        self.iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                              Tags=[{"Key": "team", "Value": "a"}])
        self.assertEqual(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)[
            "Tags"], [{"Key": "team", "Value": "a"}])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)

    def test_cli(self):
        _, out, _ = self.server.cli("iam", "create-open-id-connect-provider", "--url",
                                    "https://cli.example.com", "--client-id-list", "app",
                                    "--thumbprint-list", A40, "--tags", "Key=env,Value=test")
        arn = out["OpenIDConnectProviderArn"]
        self.assertEqual(arn, arn_of("cli.example.com"))
        self.assertEqual(out["Tags"], [{"Key": "env", "Value": "test"}])
        _, out, _ = self.server.cli("iam", "get-open-id-connect-provider",
                                    "--open-id-connect-provider-arn", arn)
        self.assertEqual(out["Url"], "cli.example.com")
        self.assertEqual(out["ClientIDList"], ["app"])
        self.server.cli("iam", "add-client-id-to-open-id-connect-provider",
                        "--open-id-connect-provider-arn", arn, "--client-id", "app2")
        self.server.cli("iam", "remove-client-id-from-open-id-connect-provider",
                        "--open-id-connect-provider-arn", arn, "--client-id", "app")
        self.server.cli("iam", "update-open-id-connect-provider-thumbprint",
                        "--open-id-connect-provider-arn", arn, "--thumbprint-list", B40)
        self.server.cli("iam", "tag-open-id-connect-provider", "--open-id-connect-provider-arn",
                        arn, "--tags", "Key=k,Value=v")
        self.server.cli("iam", "untag-open-id-connect-provider", "--open-id-connect-provider-arn",
                        arn, "--tag-keys", "env")
        _, out, _ = self.server.cli("iam", "list-open-id-connect-provider-tags",
                                    "--open-id-connect-provider-arn", arn)
        self.assertEqual(out["Tags"], [{"Key": "k", "Value": "v"}])
        _, out, _ = self.server.cli("iam", "get-open-id-connect-provider",
                                    "--open-id-connect-provider-arn", arn)
        self.assertEqual(out["ClientIDList"], ["app2"])
        self.assertEqual(out["ThumbprintList"], [B40])
        _, out, _ = self.server.cli("iam", "list-open-id-connect-providers")
        self.assertIn({"Arn": arn}, out["OpenIDConnectProviderList"])
        # this CLI's model still requires --thumbprint-list
        rc, _, err = self.server.cli("iam", "create-open-id-connect-provider", "--url",
                                     "https://cli.example.com", "--thumbprint-list", A40,
                                     check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("EntityAlreadyExists", err)
        rc, _, err = self.server.cli("iam", "create-open-id-connect-provider", "--url",
                                     "cli.example.com", "--thumbprint-list", A40, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("Invalid Open ID Connect Provider URL", err)
        self.server.cli("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn",
                        arn)
        rc, _, err = self.server.cli("iam", "get-open-id-connect-provider",
                                     "--open-id-connect-provider-arn", arn, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchEntity", err)

    def test_audit_records(self):
        arn = self.iam.create_open_id_connect_provider(Url="https://audited.example.com")[
            "OpenIDConnectProviderArn"]
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        records = [r for r in self.server.audit_records()
                   if r["eventName"] in ("CreateOpenIDConnectProvider",
                                         "DeleteOpenIDConnectProvider")
                   and "audited.example.com" in json.dumps(r)]
        self.assertEqual([r["eventName"] for r in records],
                         ["CreateOpenIDConnectProvider", "DeleteOpenIDConnectProvider"])
        self.assertFalse(records[0]["readOnly"])


class OidcProviderQuota(harness.ServerTest):
    def test_one_hundred_per_account(self):
        iam = self.server.client("iam")
        for i in range(100):
            iam.create_open_id_connect_provider(Url=f"https://q{i}.example.com")
        with self.assertRaises(ClientError) as e:
            iam.create_open_id_connect_provider(Url="https://q100.example.com")
        self.assertEqual(self.error_code(e.exception), "LimitExceeded")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
        listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        self.assertEqual(len(listed), 100)
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["Providers"], 100)
        # a duplicate at the quota: the quota is checked first, as the store is full
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=listed[0]["Arn"])
        iam.create_open_id_connect_provider(Url="https://q100.example.com")


if __name__ == "__main__":
    harness.main()
