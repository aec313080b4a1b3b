"""SSM Parameter Store end to end (src/services/ssm): String, StringList and SecureString
parameters with boto3 and the aws CLI, versions, labels and history, paths and pagination,
tags, the filters of DescribeParameters, SecureString values sealed by KMS as the caller (a
reader without kms:Decrypt is refused, kms:ViaService ssm.<region>.amazonaws.com), the
Secrets Manager reference path, the public /aws/service/ path, AWS's errors, the ssm condition
keys, and no plaintext in the trail."""
import json
import subprocess
import unittest

from botocore.exceptions import ClientError

import harness

ACCT = harness.ACCOUNT
ARN = f"arn:aws:ssm:us-east-1:{ACCT}:parameter"
PLAIN = "pl4intext-param-never-in-the-trail"


class SSM(harness.ServerTest):
    def setUp(self):
        self.ssm = self.server.client("ssm")

    def test_string_round_trip_and_arn(self):
        self.assertEqual(self.ssm.put_parameter(Name="/rt/a/b", Value="v1", Type="String",
                                                Description="d")["Version"], 1)
        p = self.ssm.get_parameter(Name="/rt/a/b")["Parameter"]
        self.assertEqual((p["Name"], p["Type"], p["Value"], p["Version"], p["DataType"]),
                         ("/rt/a/b", "String", "v1", 1, "text"))
        self.assertEqual(p["ARN"], f"{ARN}/rt/a/b")  # no double slash
        self.ssm.put_parameter(Name="flat", Value="x,y", Type="StringList")
        self.assertEqual(self.ssm.get_parameter(Name="flat")["Parameter"]["ARN"], f"{ARN}/flat")
        # by ARN too
        self.assertEqual(self.ssm.get_parameter(Name=f"{ARN}/rt/a/b")["Parameter"]["Value"], "v1")
        self.assertEqual(self.ssm.get_parameter(Name=f"{ARN}/flat")["Parameter"]["Value"], "x,y")
        # the CLI reads and writes
        _, out, _ = self.server.cli("ssm", "put-parameter", "--name", "/rt/cli", "--value", "c",
                                    "--type", "String")
        self.assertEqual(out["Version"], 1)
        _, out, _ = self.server.cli("ssm", "get-parameter", "--name", "/rt/cli")
        self.assertEqual(out["Parameter"]["Value"], "c")

    def test_put_errors(self):
        self.ssm.put_parameter(Name="/pe/x", Value="1", Type="String")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/x", Value="2", Type="String"),
                         ("ParameterAlreadyExists", "The parameter already exists. To overwrite "
                          "this value, set the overwrite option in the request to true.", 400))
        code, msg, _ = self.err(self.ssm.put_parameter, Name="/pe/x", Value="2", Type="String",
                                Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual((code, msg), ("ValidationException",
                                       "Invalid request: tags and overwrite can't be used together. "
                                       "To create a parameter with tags, please remove overwrite flag. "
                                       "To update tags for an existing parameter, please use "
                                       "AddTagsToResource or RemoveTagsFromResource."))
        deep = "/" + "/".join(f"l{i}" for i in range(16))
        self.assertEqual(self.err(self.ssm.put_parameter, Name=deep, Value="v", Type="String")[0],
                         "HierarchyLevelLimitExceededException")
        self.ssm.put_parameter(Name="/" + "/".join(f"l{i}" for i in range(15)), Value="v", Type="String")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/new", Value="v")[:2],
                         ("ValidationException", "A parameter type is required when you create a parameter."))
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/pat", Value="abc", Type="String",
                                  AllowedPattern=r"^\d+$")[:2],
                         ("ParameterPatternMismatchException",
                          r"Parameter value, cannot be validated against allowedPattern: ^\d+$"))
        self.ssm.put_parameter(Name="/pe/pat", Value="123", Type="String", AllowedPattern=r"^\d+$")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/dt", Value="v", Type="String",
                                  DataType="Text")[:2],
                         ("ValidationException", "The following data type is not supported: Text "
                          "(Data type names are all lowercase.)"))
        # an AMI id is validated after PutParameter answers: a malformed one is answered 200
        # and nothing is created, or updated
        self.assertEqual(self.ssm.put_parameter(Name="/pe/ami", Value="not-an-ami", Type="String",
                                                DataType="aws:ec2:image")["Version"], 1)
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/pe/ami")[0], "ParameterNotFound")
        self.ssm.put_parameter(Name="/pe/ami", Value="ami-0123456789abcdef0", Type="String",
                               DataType="aws:ec2:image")
        self.assertEqual(self.ssm.put_parameter(Name="/pe/ami", Value="ami-XYZ", Type="String",
                                                DataType="aws:ec2:image", Overwrite=True)["Version"], 2)
        p = self.ssm.get_parameter(Name="/pe/ami")["Parameter"]
        self.assertEqual((p["Value"], p["Version"], p["DataType"]),
                         ("ami-0123456789abcdef0", 1, "aws:ec2:image"))
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/pe/{bad}")[:2],
                         ("ValidationException", 'Parameter name: can\'t be prefixed with "ssm" '
                          "(case-insensitive). If formed as a path, it can consist of sub-paths divided "
                          "by slash symbol; each sub-path can be formed as a mix of letters, numbers and "
                          "the following 3 symbols .-_"))
        self.assertEqual(self.err(self.ssm.put_parameter, Name="rel/path", Value="v", Type="String")[:2],
                         ("ValidationException", "Parameter name must be a fully qualified name."))
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/aws/mine", Value="v", Type="String")[:2],
                         ("AccessDeniedException", "No access to reserved parameter name: /aws/mine."))
        self.assertEqual(self.err(self.ssm.put_parameter, Name="ssmthing", Value="v", Type="String")[0],
                         "ValidationException")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/big", Value="x" * 4097, Type="String")[0],
                         "ValidationException")
        self.assertEqual(self.ssm.put_parameter(Name="/pe/big", Value="x" * 4097, Type="String",
                                                Tier="Intelligent-Tiering")["Tier"], "Advanced")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/big", Value="y", Type="String",
                                  Tier="Standard", Overwrite=True)[0], "ValidationException")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/k", Value="v", Type="String",
                                  KeyId="alias/aws/ssm")[0], "ValidationException")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/pe/k", Value="v", Type="SecureString",
                                  KeyId="alias/does-not-exist")[0], "InvalidKeyId")

    def test_policies(self):
        pol = json.dumps([{"Type": "Expiration", "Version": "1.0",
                           "Attributes": {"Timestamp": "2099-01-01T00:00:00.000Z"}},
                          {"Type": "NoChangeNotification", "Version": "1.0",
                           "Attributes": {"After": "20", "Unit": "Days"}}])
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/po/a", Value="v", Type="String",
                                  Policies=pol)[0], "IncompatiblePolicyException")
        self.assertEqual(self.ssm.put_parameter(Name="/po/a", Value="v", Type="String", Policies=pol,
                                                Tier="Advanced")["Tier"], "Advanced")
        d = self.ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/po/a"]}])
        pols = d["Parameters"][0]["Policies"]
        self.assertEqual([p["PolicyType"] for p in pols], ["Expiration", "NoChangeNotification"])
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/po/b", Value="v", Type="String",
                                  Tier="Advanced", Policies='[{"Type":"Nope","Version":"1.0",'
                                  '"Attributes":{}}]')[0], "InvalidPolicyTypeException")
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/po/b", Value="v", Type="String",
                                  Tier="Advanced", Policies='[{"Type":"Expiration","Version":"1.0",'
                                  '"Attributes":{"Timestamp":"2001-01-01T00:00:00Z"}}]')[0],
                         "InvalidPolicyAttributeException")

    def test_versions_labels_history(self):
        for i in range(1, 4):
            self.ssm.put_parameter(Name="/vl/p", Value=f"v{i}", Type="String", Overwrite=i > 1)
        self.assertEqual(self.ssm.get_parameter(Name="/vl/p:2")["Parameter"]["Value"], "v2")
        self.assertEqual(self.ssm.get_parameter(Name="/vl/p:2")["Parameter"]["Selector"], ":2")
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/vl/p:9"),
                         ("ParameterVersionNotFound", "Systems Manager could not find version 9 of "
                          "/vl/p. Verify the version and try again.", 400))
        r = self.ssm.label_parameter_version(Name="/vl/p", ParameterVersion=1,
                                             Labels=["prod", "1bad", "awsx"])
        self.assertEqual((r["ParameterVersion"], sorted(r["InvalidLabels"])), (1, ["1bad", "awsx"]))
        self.assertEqual(self.ssm.get_parameter(Name="/vl/p:prod")["Parameter"]["Value"], "v1")
        # a label moves
        self.ssm.label_parameter_version(Name="/vl/p", ParameterVersion=3, Labels=["prod"])
        self.assertEqual(self.ssm.get_parameter(Name="/vl/p:prod")["Parameter"]["Version"], 3)
        self.assertEqual(self.err(self.ssm.label_parameter_version, Name="/vl/p", ParameterVersion=7,
                                  Labels=["x"])[0], "ParameterVersionNotFound")
        self.ssm.label_parameter_version(Name="/vl/p", ParameterVersion=2, Labels=[f"l{i}" for i in range(10)])
        self.assertEqual(self.err(self.ssm.label_parameter_version, Name="/vl/p", ParameterVersion=2,
                                  Labels=["eleventh"])[0], "ParameterVersionLabelLimitExceeded")
        u = self.ssm.unlabel_parameter_version(Name="/vl/p", ParameterVersion=3, Labels=["prod", "zzz"])
        self.assertEqual((u["RemovedLabels"], u["InvalidLabels"]), (["prod"], ["zzz"]))
        h = self.ssm.get_parameter_history(Name="/vl/p")["Parameters"]
        self.assertEqual([v["Version"] for v in h], [1, 2, 3])
        self.assertEqual(len(h[1]["Labels"]), 10)
        self.assertEqual(self.err(self.ssm.get_parameter_history, Name="/vl/none")[0], "ParameterNotFound")
        # history pages
        pages = list(self.ssm.get_paginator("get_parameter_history").paginate(
            Name="/vl/p", PaginationConfig={"PageSize": 2}))
        self.assertEqual([len(p["Parameters"]) for p in pages], [2, 1])

    def test_hundred_versions(self):
        self.ssm.put_parameter(Name="/hv/p", Value="0", Type="String")
        for i in range(1, 100):
            self.ssm.put_parameter(Name="/hv/p", Value=str(i), Type="String", Overwrite=True)
        self.ssm.put_parameter(Name="/hv/p", Value="100", Type="String", Overwrite=True)
        h = [v["Version"] for p in self.ssm.get_paginator("get_parameter_history").paginate(Name="/hv/p")
             for v in p["Parameters"]]
        self.assertEqual((len(h), h[0], h[-1]), (100, 2, 101))
        self.ssm.label_parameter_version(Name="/hv/p", ParameterVersion=2, Labels=["keep"])
        code, msg, _ = self.err(self.ssm.put_parameter, Name="/hv/p", Value="x", Type="String", Overwrite=True)
        self.assertEqual(code, "ParameterMaxVersionLimitExceeded")
        self.assertIn("Version 2, the oldest version, can't be deleted because it has a label", msg)

    def test_not_found_and_public_paths(self):
        for name in ("/nf/none", "/aws/service/global-infrastructure/regions", "/nf/none:3"):
            self.assertEqual(self.err(self.ssm.get_parameter, Name=name), ("ParameterNotFound", "", 400))
        self.assertEqual(self.err(self.ssm.delete_parameter, Name="/nf/none"), ("ParameterNotFound", "", 400))
        self.ssm.put_parameter(Name="/nf/one", Value="1", Type="String")
        r = self.ssm.get_parameters(Names=["/nf/one", "/nf/none", "/nf/one:5"])
        self.assertEqual([p["Name"] for p in r["Parameters"]], ["/nf/one"])
        self.assertEqual(sorted(r["InvalidParameters"]), ["/nf/none", "/nf/one:5"])
        r = self.ssm.delete_parameters(Names=["/nf/one", "/nf/none"])
        self.assertEqual((r["DeletedParameters"], r["InvalidParameters"]), (["/nf/one"], ["/nf/none"]))
        self.ssm.put_parameter(Name="/nf/two", Value="1", Type="String")
        self.ssm.delete_parameter(Name="/nf/two")
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/nf/two")[0], "ParameterNotFound")

    def test_by_path_filters_and_pagination(self):
        for i in range(12):
            self.ssm.put_parameter(Name=f"/bp/app/p{i:02}", Value=f"v{i}", Type="String")
        self.ssm.put_parameter(Name="/bp/app/deep/s", Value=PLAIN, Type="SecureString")
        self.ssm.put_parameter(Name="/bp/other", Value="o", Type="String")
        one = [p["Name"] for pg in self.ssm.get_paginator("get_parameters_by_path").paginate(
            Path="/bp/app") for p in pg["Parameters"]]
        self.assertEqual(one, [f"/bp/app/p{i:02}" for i in range(12)])
        first = self.ssm.get_parameters_by_path(Path="/bp/app", MaxResults=5)
        self.assertEqual(len(first["Parameters"]), 5)
        self.assertIn("NextToken", first)
        self.assertEqual(self.err(self.ssm.get_parameters_by_path, Path="/bp/app",
                                  NextToken=first["NextToken"][:-2] + "xx")[0], "InvalidNextToken")
        rec = [p for pg in self.ssm.get_paginator("get_parameters_by_path").paginate(
            Path="/bp/app", Recursive=True, WithDecryption=True) for p in pg["Parameters"]]
        deep = [p for p in rec if p["Name"] == "/bp/app/deep/s"][0]
        self.assertEqual(deep["Value"], PLAIN)
        enc = [p for pg in self.ssm.get_paginator("get_parameters_by_path").paginate(
            Path="/bp/app", Recursive=True) for p in pg["Parameters"] if p["Name"] == "/bp/app/deep/s"][0]
        self.assertNotEqual(enc["Value"], PLAIN)
        only = self.ssm.get_parameters_by_path(Path="/bp", Recursive=True, ParameterFilters=[
            {"Key": "Type", "Values": ["SecureString"]}])["Parameters"]
        self.assertEqual([p["Name"] for p in only], ["/bp/app/deep/s"])
        self.assertEqual(self.err(self.ssm.get_parameters_by_path, Path="/bp", ParameterFilters=[
            {"Key": "Name", "Values": ["x"]}])[:2], ("InvalidFilterKey", "The following filter key is not "
                                                      "valid: Name. Valid filter keys include: [Type, KeyId]."))
        self.assertEqual(self.err(self.ssm.get_parameters_by_path, Path="bp")[0], "ValidationException")
        # the CLI pages through by itself
        _, out, _ = self.server.cli("ssm", "get-parameters-by-path", "--path", "/bp/app", "--page-size", "4")
        self.assertEqual(len(out["Parameters"]), 12)

    def test_describe_filters(self):
        self.ssm.put_parameter(Name="/df/a/x", Value="1", Type="String", Tags=[{"Key": "team", "Value": "ml"}])
        self.ssm.put_parameter(Name="/df/a/y/z", Value="2", Type="StringList")
        self.ssm.put_parameter(Name="/df/b", Value="3", Type="SecureString", Tier="Advanced")

        def names(**kw):
            return sorted(p["Name"] for pg in self.ssm.get_paginator("describe_parameters").paginate(**kw)
                          for p in pg["Parameters"] if p["Name"].startswith("/df"))
        self.assertEqual(names(ParameterFilters=[{"Key": "Path", "Values": ["/df/a"]}]), ["/df/a/x"])
        self.assertEqual(names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/df"]}]),
                         ["/df/a/x", "/df/a/y/z", "/df/b"])
        self.assertEqual(names(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/df/a"]}]),
                         ["/df/a/x", "/df/a/y/z"])
        self.assertEqual(names(ParameterFilters=[{"Key": "Name", "Option": "Contains", "Values": ["y/z"]}]),
                         ["/df/a/y/z"])
        self.assertEqual(names(ParameterFilters=[{"Key": "Tier", "Values": ["Advanced"]}]), ["/df/b"])
        self.assertEqual(names(ParameterFilters=[{"Key": "tag:team", "Values": ["ml"]}]), ["/df/a/x"])
        self.assertEqual(names(ParameterFilters=[{"Key": "KeyId", "Values": ["alias/aws/ssm"]}]), ["/df/b"])
        self.assertEqual(names(Filters=[{"Key": "Type", "Values": ["StringList"]}]), ["/df/a/y/z"])
        self.assertEqual(names(Shared=True), [])
        self.assertEqual(self.err(self.ssm.describe_parameters, Filters=[{"Key": "Type", "Values": ["String"]}],
                                  ParameterFilters=[{"Key": "Type", "Values": ["String"]}])[:2],
                         ("ValidationException", "You can use either Filters or ParameterFilters in a single request."))
        self.assertEqual(self.err(self.ssm.describe_parameters, ParameterFilters=[
            {"Key": "Path", "Option": "Equals", "Values": ["/df"]}])[:2],
            ("InvalidFilterOption", "The following filter option is not valid: Equals. Valid options "
             "include: [Recursive, OneLevel]."))
        self.assertEqual(self.err(self.ssm.describe_parameters, ParameterFilters=[
            {"Key": "Label", "Values": ["x"]}])[0], "InvalidFilterKey")
        self.assertEqual(self.err(self.ssm.describe_parameters, ParameterFilters=[
            {"Key": "Type", "Values": ["Blob"]}])[0], "InvalidFilterValue")
        self.assertEqual(self.err(self.ssm.describe_parameters, ParameterFilters=[
            {"Key": "Type", "Values": ["String"]}, {"Key": "Type", "Values": ["String"]}])[0], "InvalidFilterKey")

    def test_tags(self):
        self.ssm.put_parameter(Name="/tg/p", Value="1", Type="String", Tags=[{"Key": "a", "Value": "1"}])
        self.ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId="/tg/p",
                                      Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "9"}])
        self.assertEqual(self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tg/p")["TagList"],
                         [{"Key": "a", "Value": "9"}, {"Key": "b", "Value": "2"}])
        self.ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/tg/p", TagKeys=["a"])
        self.assertEqual(self.ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/tg/p")["TagList"],
                         [{"Key": "b", "Value": "2"}])
        for rtype, rid in (("Parameter", "/tg/none"), ("Document", "doc")):
            self.assertEqual(self.err(self.ssm.list_tags_for_resource, ResourceType=rtype, ResourceId=rid)[0],
                             "InvalidResourceId")

    def test_secure_string_kms_as_caller(self):
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        self.ssm.put_parameter(Name="/ss/db", Value=PLAIN, Type="SecureString", KeyId=key["KeyId"])
        d = self.ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": ["/ss/db"]}])
        self.assertEqual(d["Parameters"][0]["KeyId"], key["KeyId"])
        self.assertEqual(self.ssm.get_parameter(Name="/ss/db", WithDecryption=True)["Parameter"]["Value"], PLAIN)
        _, k1, s1 = self.server.user("ssm-only", {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"})
        _, k2, s2 = self.server.user("ssm-kms", {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"},
                                     {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key["Arn"],
                                      "Condition": {"StringEquals": {
                                          "kms:ViaService": "ssm.us-east-1.amazonaws.com",
                                          "kms:EncryptionContext:PARAMETER_ARN": f"{ARN}/ss/db"}}})
        only = self.server.client("ssm", key=k1, secret=s1)
        code, _, _ = self.err(only.get_parameter, Name="/ss/db", WithDecryption=True)
        self.assertEqual(code, "AccessDeniedException")
        # without decryption the reader gets the ciphertext
        self.assertNotEqual(only.get_parameter(Name="/ss/db")["Parameter"]["Value"], PLAIN)
        both = self.server.client("ssm", key=k2, secret=s2)
        self.assertEqual(both.get_parameter(Name="/ss/db", WithDecryption=True)["Parameter"]["Value"], PLAIN)
        # a disabled key: InvalidKeyId
        kms.disable_key(KeyId=key["KeyId"])
        self.assertEqual(self.err(self.ssm.put_parameter, Name="/ss/db2", Value="v", Type="SecureString",
                                  KeyId=key["KeyId"])[0], "InvalidKeyId")
        kms.enable_key(KeyId=key["KeyId"])
        # the aws/ssm managed key, made on first use
        self.ssm.put_parameter(Name="/ss/managed", Value=PLAIN, Type="SecureString")
        aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
        self.assertIn("alias/aws/ssm", aliases)
        _, out, _ = self.server.cli("ssm", "get-parameter", "--name", "/ss/managed", "--with-decryption")
        self.assertEqual(out["Parameter"]["Value"], PLAIN)
        self.assertNotIn(PLAIN, self.server.trail_text())
        self.assertNotIn(PLAIN, self.server.read_log())

    def test_secure_string_value_never_echoed(self):
        """A SecureString value a call refuses, or reads decrypted, as the request, answer,
        error, history and list carry it: never in an error's words, the log or the trail,
        whose PutParameter record hides it as CloudTrail does."""
        kms = self.server.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        refused = [
            dict(Name="/se/pattern", Value=PLAIN, Type="SecureString", AllowedPattern="^[0-9]+$"),
            dict(Name="/se/long", Value=PLAIN * 200, Type="SecureString"),
            dict(Name="/se/null", Value=PLAIN + "\x00", Type="SecureString"),
            dict(Name="/se/key", Value=PLAIN, Type="SecureString", KeyId="alias/no-such-key"),
            dict(Name="/se/ami", Value=PLAIN, Type="SecureString", DataType="aws:ec2:image"),
            dict(Name="bad name", Value=PLAIN, Type="SecureString"),
        ]
        messages = [self.err(self.ssm.put_parameter, **kw)[1] for kw in refused]
        kms.disable_key(KeyId=key)
        messages.append(self.err(self.ssm.put_parameter, Name="/se/off", Value=PLAIN, Type="SecureString",
                                 KeyId=key)[1])
        kms.enable_key(KeyId=key)
        _, k, s = self.server.user("se-no-kms", {"Effect": "Allow", "Action": "ssm:*", "Resource": "*"})
        messages.append(self.err(self.server.client("ssm", key=k, secret=s).put_parameter, Name="/se/denied",
                                 Value=PLAIN, Type="SecureString", KeyId=key)[1])
        self.ssm.put_parameter(Name="/se/p", Value=PLAIN, Type="SecureString", KeyId=key)
        messages.append(self.err(self.ssm.put_parameter, Name="/se/p", Value=PLAIN, Type="SecureString")[1])
        self.ssm.put_parameter(Name="/se/p", Value=PLAIN + "2", Type="SecureString", Overwrite=True)
        history = self.ssm.get_parameter_history(Name="/se/p", WithDecryption=True)["Parameters"]
        self.assertEqual([v["Value"] for v in history], [PLAIN, PLAIN + "2"])
        listed = self.ssm.get_parameters_by_path(Path="/se", WithDecryption=True)["Parameters"]
        self.assertEqual([p["Value"] for p in listed], [PLAIN + "2"])
        got = self.ssm.get_parameters(Names=["/se/p", "/se/none"], WithDecryption=True)
        self.assertEqual(([p["Value"] for p in got["Parameters"]], got["InvalidParameters"]),
                         ([PLAIN + "2"], ["/se/none"]))
        for m in messages:
            self.assertNotIn(PLAIN, m)
        self.assertNotIn(PLAIN, self.server.trail_text())
        self.assertNotIn(PLAIN, self.server.read_log())
        puts = [r for r in self.server.audit_records() if r.get("eventName") == "PutParameter"
                and r["requestParameters"] and r["requestParameters"].get("name") == "/se/p"]
        self.assertEqual(len(puts), 3)
        for r in puts:
            self.assertEqual(r["requestParameters"]["value"], "HIDDEN_DUE_TO_SECURITY_REASONS")

    def test_secretsmanager_reference(self):
        sm = self.server.client("secretsmanager")
        made = sm.create_secret(Name="ref/db", SecretString=json.dumps({"password": PLAIN}))
        p = self.ssm.get_parameter(Name="/aws/reference/secretsmanager/ref/db", WithDecryption=True)["Parameter"]
        self.assertEqual((p["Name"], p["Type"], json.loads(p["Value"])["password"], p["Version"]),
                         ("/aws/reference/secretsmanager/ref/db", "SecureString", PLAIN, 0))
        src = json.loads(p["SourceResult"])
        self.assertEqual((src["ARN"], src["VersionId"], src["VersionStages"]),
                         (made["ARN"], made["VersionId"], ["AWSCURRENT"]))
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/aws/reference/secretsmanager/ref/db")[0],
                         "ValidationException")
        self.assertEqual(self.err(self.ssm.get_parameter, Name="/aws/reference/secretsmanager/nope",
                                  WithDecryption=True)[0], "ParameterNotFound")
        # a reader allowed ssm but not secretsmanager:GetSecretValue is refused
        _, k, s = self.server.user("ref-reader", {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"})
        code, _, _ = self.err(self.server.client("ssm", key=k, secret=s).get_parameter,
                              Name="/aws/reference/secretsmanager/ref/db", WithDecryption=True)
        self.assertEqual(code, "AccessDeniedException")
        _, out, _ = self.server.cli("ssm", "get-parameter", "--name", "/aws/reference/secretsmanager/ref/db",
                                    "--with-decryption")
        self.assertEqual(json.loads(out["Parameter"]["Value"])["password"], PLAIN)
        self.assertNotIn(PLAIN, self.server.trail_text())

    def test_authorization_condition_keys(self):
        self.ssm.put_parameter(Name="/az/team-a/p", Value="1", Type="String", Tags=[{"Key": "team", "Value": "a"}])
        self.ssm.put_parameter(Name="/az/team-b/p", Value="1", Type="String", Tags=[{"Key": "team", "Value": "b"}])
        arn, k, s = self.server.user("az-user",
                                     {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*",
                                      "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}},
                                     {"Effect": "Allow", "Action": "ssm:PutParameter", "Resource": "*",
                                      "Condition": {"StringEquals": {"ssm:Overwrite": "false"}}},
                                     {"Effect": "Allow", "Action": "ssm:GetParametersByPath", "Resource": "*",
                                      "Condition": {"Bool": {"ssm:Recursive": "false"}}})
        c = self.server.client("ssm", key=k, secret=s)
        self.assertEqual(c.get_parameter(Name="/az/team-a/p")["Parameter"]["Value"], "1")
        code, msg, _ = self.err(c.get_parameter, Name="/az/team-b/p")
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn(f"ssm:GetParameter on resource: {ARN}/az/team-b/p", msg)
        c.put_parameter(Name="/az/new", Value="1", Type="String")
        self.assertEqual(self.err(c.put_parameter, Name="/az/new", Value="2", Type="String", Overwrite=True)[0],
                         "AccessDeniedException")
        c.get_parameters_by_path(Path="/az")
        self.assertEqual(self.err(c.get_parameters_by_path, Path="/az", Recursive=True)[0], "AccessDeniedException")
        _, k2, s2 = self.server.user("az-tagger", {"Effect": "Allow", "Action": "ssm:PutParameter", "Resource": "*",
                                                   "Condition": {"StringEquals": {"aws:RequestTag/env": "dev"}}})
        # GetParameters and DeleteParameters: every name is authorized, not only the first
        _, k3, s3 = self.server.user("az-lister", {"Effect": "Allow",
                                                   "Action": ["ssm:GetParameters", "ssm:DeleteParameters"],
                                                   "Resource": f"{ARN}/az/team-a/*"})
        g = self.server.client("ssm", key=k3, secret=s3)
        self.assertEqual([p["Name"] for p in g.get_parameters(Names=["/az/team-a/p"])["Parameters"]],
                         ["/az/team-a/p"])
        code, msg, _ = self.err(g.get_parameters, Names=["/az/team-a/p", "/az/team-b/p"])
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn(f"ssm:GetParameters on resource: {ARN}/az/team-b/p", msg)
        self.assertEqual(self.err(g.delete_parameters, Names=["/az/team-a/p", "/az/team-b/p"])[0],
                         "AccessDeniedException")
        self.assertEqual(self.ssm.get_parameter(Name="/az/team-a/p")["Parameter"]["Value"], "1")
        t = self.server.client("ssm", key=k2, secret=s2)
        t.put_parameter(Name="/az/tagged", Value="1", Type="String", Tags=[{"Key": "env", "Value": "dev"}])
        self.assertEqual(self.err(t.put_parameter, Name="/az/tagged2", Value="1", Type="String",
                                  Tags=[{"Key": "env", "Value": "prod"}])[0], "AccessDeniedException")


class SSMExpiration(harness.ServerTest):
    """An Expiration policy deletes its parameter when its time comes (the test clock moved
    past it by a restart with --test-clock-offset)."""

    def test_expired_parameter_is_gone(self):
        import datetime
        s = self.server
        ssm = s.client("ssm")
        when = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
        pol = json.dumps([{"Type": "Expiration", "Version": "1.0",
                           "Attributes": {"Timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000Z")}}])
        ssm.put_parameter(Name="/ex/p", Value="soon", Type="String", Tier="Advanced", Policies=pol)
        ssm.put_parameter(Name="/ex/keep", Value="stays", Type="String")
        # one in a region other than the server's default: the sweep covers every region
        s.client("ssm", region="eu-west-1").put_parameter(
            Name="/ex/elsewhere", Value="soon", Type="String", Tier="Advanced", Policies=pol)
        self.assertEqual(ssm.get_parameter(Name="/ex/p")["Parameter"]["Value"], "soon")
        offset = 2 * 86400
        s.restart_later(offset)
        with harness.shifted_clock(offset):
            ssm = s.client("ssm")
            with self.assertRaises(ClientError) as e:
                ssm.get_parameter(Name="/ex/p")
            self.assertEqual(e.exception.response["Error"]["Code"], "ParameterNotFound")
            self.assertEqual([p["Name"] for p in ssm.get_parameters_by_path(Path="/ex")["Parameters"]],
                             ["/ex/keep"])
            self.assertNotIn("/ex/p", [p["Name"] for p in ssm.describe_parameters()["Parameters"]])
            # the name is free again: a new parameter, version 1
            self.assertEqual(ssm.put_parameter(Name="/ex/p", Value="new", Type="String")["Version"], 1)
            self.assertEqual(ssm.get_parameter(Name="/ex/p")["Parameter"]["Value"], "new")
        # the sweep at start removed the expired records, in the trail as service events of
        # their regions (the stored record gone, not only hidden)
        self.assertIn("ssm: deleted 2 parameter(s) whose Expiration came", s.read_log())
        recs = [r for r in s.audit_records() if r.get("eventName") == "DeleteParameter"
                and r.get("eventType") == "AwsServiceEvent"]
        self.assertEqual(sorted(r["awsRegion"] for r in recs), sorted([harness.REGION, "eu-west-1"]))
        self.assertTrue(any(r["resources"][0]["ARN"].endswith(":parameter/ex/elsewhere")
                            for r in recs if r["awsRegion"] == "eu-west-1"), recs)



class SSMQuota(unittest.TestCase):
    """ParameterLimitExceeded: a new parameter of a tier that holds its quota of the region is
    refused, with AWS's words and the quota; an overwrite, another tier, another region and
    a freed place are not. The quota is lowered by the test hook --test-ssm-parameter-quota
    (Standard 3, Advanced 30) instead of making ten thousand parameters; a start without
    CUSTOS_TEST_HOOKS refuses the flag."""

    def test_quota_per_tier_and_region(self):
        refused = subprocess.run([harness.CUSTOS_BIN, "serve", "--test-ssm-parameter-quota", "3"],
                                 capture_output=True, text=True, timeout=30)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("test hook", refused.stderr)
        s = harness.Server(extra_args=["--test-ssm-parameter-quota", "3"],
                           env={"CUSTOS_TEST_HOOKS": "1"}).start()
        try:
            ssm = s.client("ssm")
            for i in range(3):
                ssm.put_parameter(Name=f"/q/p{i}", Value="v", Type="String")
            with self.assertRaises(ClientError) as e:
                ssm.put_parameter(Name="/q/p3", Value="v", Type="String")
            err = e.exception.response
            self.assertEqual(err["Error"]["Code"], "ParameterLimitExceeded")
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertEqual(err["Error"]["Message"],
                             "You have reached the maximum number of standard parameters for this "
                             "AWS account and Region (3). To add more parameters, either delete "
                             "existing parameters or upgrade to the advanced-parameter tier "
                             "(charges apply).")
            with self.assertRaises(ClientError):
                ssm.get_parameter(Name="/q/p3")
            # an overwrite makes no new parameter; Advanced has its own quota; so has a region
            ssm.put_parameter(Name="/q/p0", Value="v2", Type="String", Overwrite=True)
            ssm.put_parameter(Name="/q/adv", Value="v", Type="String", Tier="Advanced")
            s.client("ssm", region="eu-west-1").put_parameter(Name="/q/p3", Value="v", Type="String")
            ssm.delete_parameter(Name="/q/p1")
            ssm.put_parameter(Name="/q/p3", Value="v", Type="String")
        finally:
            s.cleanup()

if __name__ == "__main__":
    harness.main()
