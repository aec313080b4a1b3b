"""The operation declarations (src/services/<svc>/<svc>.ops) and their generator
(tools/ops_decl.py, tools/gen_ops.py): what they accept, what they refuse, and that the
secret fields they derive hide at least what the hand-written tables hid. No server."""
import os
import shutil
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True

import gen_ops  # noqa: E402
import ops_decl  # noqa: E402

HANDLER = "cu_rc {}(struct call *call, const json_t *in, json_t *out)\n{{\n    return CU_OK;\n}}\n"


class Declarations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.services = ops_decl.all_services()
        cls.models = {s[0]: s[4] for s in cls.services}

    def setUp(self):
        self.root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.root)
        for sid, *_ in ops_decl.SERVICES:
            os.makedirs(os.path.join(self.root, "src", "services", sid))
            shutil.copy(ops_decl.ops_path(sid), ops_decl.ops_path(sid, self.root))

    def decl(self, sid, op):
        return next(d for s in self.services if s[0] == sid for d in s[5] if d["op"] == op)

    def write_ops(self, sid, text):
        with open(ops_decl.ops_path(sid, self.root), "w") as f:
            f.write(text)

    def refused(self, sid, text, words):
        self.write_ops(sid, text)
        with self.assertRaises(ops_decl.DeclError) as e:
            ops_decl.read_decls(sid, self.models[sid], self.root)
        self.assertIn(f"src/services/{sid}/{sid}.ops:", str(e.exception))
        self.assertIn(words, str(e.exception))

    def test_secrets_cover_the_old_hand_written_lists(self):
        old = {("iam", "CreateAccessKey"): {"SecretAccessKey"},
               ("sts", "GetSessionToken"): {"SecretAccessKey", "SessionToken"},
               ("kms", "Encrypt"): {"Plaintext"}, ("kms", "Decrypt"): {"Plaintext"},
               ("kms", "GenerateDataKey"): {"Plaintext"},
               ("kms", "CreateGrant"): {"GrantToken"}, ("kms", "RetireGrant"): {"GrantToken"}}
        for (sid, op), names in old.items():
            self.assertTrue(names <= set(self.decl(sid, op)["secrets"]), (sid, op))

    def test_sensitive_trait_reaches_nested_output_members(self):
        # CreateAccessKeyResponse.AccessKey.SecretAccessKey: the model's trait, one level down
        self.assertIn("SecretAccessKey",
                      ops_decl.sensitive_members(self.models["iam"], "CreateAccessKey"))
        self.assertEqual(ops_decl.sensitive_members(self.models["iam"], "CreateGroup"), set())

    def test_defaults_and_flags(self):
        d = self.decl("iam", "GetGroup")
        self.assertEqual((d["action"], d["read_only"], d["resolve"], d["keys"]),
                         ("iam:GetGroup", True, "iam_resolve_group", None))
        d = self.decl("secretsmanager", "GetSecretValue")
        self.assertEqual((d["read_only"], d["read_event"]), (False, True))
        d = self.decl("kms", "RetireGrant")
        self.assertTrue(d["always_allowed"])
        self.assertIsNone(d["resolve"])
        self.write_ops("iam", "GetUser iam_get_user action=iam:SomethingElse read-only\n")
        d = ops_decl.read_decls("iam", self.models["iam"], self.root)[0]
        self.assertEqual(d["action"], "iam:SomethingElse")

    def test_refused_declarations(self):
        self.refused("iam", "GetUser\n", "want 'Operation handler")
        self.refused("iam", "GetUser iam_get_user readonly\n", "unknown attribute 'readonly'")
        self.refused("iam", "GetUser iam_get_user resolve=\n", "unknown attribute")
        self.refused("iam", "FlyToTheMoon iam_fly\n", "not an operation of the iam model")
        self.refused("iam", "GetUser iam_get_user\nGetUser iam_get_user2\n", "declared twice")
        self.refused("iam", "GetUser h\nListUsers h\n", "serves two operations")
        self.refused("iam", "GetUser iam_get_user action=iam:GetUser\n", "is the default")
        self.refused("iam", "GetUser iam_get_user read-only read-event\n", "read-event is for operations")
        self.refused("iam", "GetUser Iam-Get\n", "not a C function name")
        self.refused("kms", "Encrypt kms_encrypt secret=Plain-text\n", "not a member name")
        self.refused("kms", "CreateAlias kms_create_alias also=kms:CreateAlias\n",
                     "want also=svc:Action@resolver")
        self.refused("kms", "CreateAlias kms_create_alias also=CreateAlias@kms_r\n",
                     "want also=svc:Action@resolver")
        self.refused("kms", "CreateAlias kms_create_alias also=kms:CreateAlias@Bad-Fn\n",
                     "not a C function name")
        self.refused("kms", "UpdateAlias kms_update_alias also=kms:UpdateAlias@f also=kms:UpdateAlias@g "
                     "also=kms:UpdateAlias@h\n", "at most two also= attributes")
        self.refused("kms", "UpdateAlias kms_update_alias also=kms:UpdateAlias@f also=kms:UpdateAlias@Bad-Fn\n",
                     "not a C function name")
        self.refused("kms", "RetireGrant kms_retire_grant always-allowed by-policy\n",
                     "always-allowed operation is not authorized")
        self.refused("kms", "RetireGrant kms_retire_grant always-allowed also=kms:RetireGrant@f\n",
                     "always-allowed operation is not authorized")

    def test_handler_outside_the_declarations_is_found(self):
        iam = os.path.join(self.root, "src", "services", "iam")
        with open(os.path.join(iam, "groups.c"), "w") as f:
            f.write("static " + HANDLER.format("iam_helper"))  # static: not a handler
            f.write(HANDLER.format("iam_create_group"))           # declared
            f.write(HANDLER.format("iam_frobnicate_group"))       # not declared
        with open(os.path.join(iam, "iam_extra.h"), "w") as f:
            f.write("cu_rc iam_create_group(struct call *call, const json_t *in, json_t *out);\n")
        with open(os.path.join(iam, "iam_ops.gen.h"), "w") as f:  # generated: its place
            f.write("cu_rc iam_create_group(struct call *call, const json_t *in, json_t *out);\n")
        problems = gen_ops.check_handlers(self.root, self.services)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("src/services/iam/groups.c:9: iam_frobnicate_group looks like a handler", problems[0])
        self.assertIn("src/services/iam/iam_extra.h:1: handler-shaped iam_create_group declared by hand",
                      problems[1])

    def test_the_repository_has_no_undeclared_handler(self):
        self.assertEqual(gen_ops.check_handlers(ROOT, self.services), [])

    def test_paginators(self):
        """botocore's paginators reach the declarations with the limit's documented default
        and maximum and the operation's bad-marker error; every one is paged."""
        users = self.decl("iam", "ListUsers")["page"]
        self.assertEqual((users["input_token"], users["limit_key"], users["output_token"],
                          users["more_results"], users["result_key"]),
                         ("Marker", "MaxItems", "Marker", "IsTruncated", "Users"))
        self.assertEqual((users["limit_default"], users["limit_max"], users["bad_marker"]),
                         (100, 1000, "CU_E_VALIDATION"))
        aliases = self.decl("kms", "ListAliases")["page"]
        self.assertEqual((aliases["output_token"], aliases["more_results"]),
                         ("NextMarker", "Truncated"))
        # the doc says "between 1 and 100, inclusive" and "defaults to 50"; the shape says 1000
        self.assertEqual((aliases["limit_default"], aliases["limit_max"], aliases["bad_marker"]),
                         (50, 100, "CU_E_KMS_INVALID_MARKER"))
        self.assertEqual(self.decl("kms", "ListKeys")["page"]["limit_max"], 1000)
        self.assertIsNone(self.decl("iam", "CreateUser")["page"])
        # CloudTrail: "The default is 50", a token of its own; a paginator without a limit
        # (ListTrails) is one page, served without a page_desc
        events = self.decl("cloudtrail", "LookupEvents")["page"]
        self.assertEqual((events["limit_default"], events["limit_max"], events["more_results"],
                          events["bad_marker"]), (50, 50, None, "CU_E_CT_INVALID_NEXT_TOKEN"))
        self.assertIsNone(self.decl("cloudtrail", "ListTrails")["page"])
        self.assertIsNone(self.decl("cloudtrail", "ListPublicKeys")["page"])
        table = gen_ops.gen_table("kms", next(s for s in self.services if s[0] == "kms")[5])
        self.assertIn("const struct page_desc kms_list_aliases_page = {", table)
        self.assertIn(".page = &kms_list_aliases_page", table)
        # several result keys are one page across several arrays (page_desc.result_keys)
        entities = self.decl("iam", "ListEntitiesForPolicy")["page"]
        self.assertEqual((entities["result_key"], entities["result_keys"]),
                         ("PolicyGroups", ["PolicyGroups", "PolicyUsers", "PolicyRoles"]))
        self.assertIsNone(users["result_keys"])
        iam_table = gen_ops.gen_table("iam", next(s for s in self.services if s[0] == "iam")[5])
        self.assertIn('static const char *const results_ListEntitiesForPolicy[] = '
                      '{"PolicyGroups", "PolicyUsers", "PolicyRoles", NULL};', iam_table)
        # a paginator with two tokens is not one page.c serves
        with self.assertRaises(ops_decl.DeclError) as e:
            ops_decl.paginator(self.models["iam"], {"ListUsers": {
                "input_token": "Marker", "output_token": ["Marker", "Other"],
                "limit_key": "MaxItems", "more_results": "IsTruncated",
                "result_key": "Users"}}, "ListUsers")
        self.assertIn("no single output_token", str(e.exception))

    def test_a_paginated_operation_must_be_paged(self):
        self.assertEqual(gen_ops.check_paginated(ROOT, self.services), [])
        iam = os.path.join(self.root, "src", "services", "iam")
        with open(os.path.join(iam, "users.c"), "w") as f:
            f.write("/* pages: */ static const void *p = &iam_list_users_page;\n")
        problems = gen_ops.check_paginated(self.root, self.services)
        self.assertFalse(any(p.startswith("ListUsers ") for p in problems), problems)
        self.assertTrue(any(p.startswith("ListUserTags has a paginator") for p in problems),
                        problems)

    def test_generated_table_rows(self):
        sid, *_, decls = next(s for s in self.services if s[0] == "sts")
        table = gen_ops.gen_table(sid, decls)
        self.assertTrue(table.startswith("/* GENERATED"))
        self.assertIn('static const char *const secrets_GetSessionToken[] = '
                      '{"SecretAccessKey", "SessionToken", NULL};', table)
        self.assertIn(".handler = sts_get_caller_identity", table)
        header = gen_ops.gen_header(sid, decls)
        self.assertIn("cu_rc sts_get_session_token(struct call *call, const json_t *in, json_t *out);",
                      header)

    def test_second_authorizations(self):
        """also=ACT@FN and by-policy reach the descriptor; the also-resolver is declared
        with the resolvers, once however many operations name it."""
        d = self.decl("kms", "CreateAlias")
        self.assertEqual((d["resolve"], d["also"], d["also_action"]),
                         ("kms_resolve_target_key_id", "kms_resolve_alias_name", "kms:CreateAlias"))
        self.assertTrue(self.decl("kms", "CreateGrant")["by_policy"])
        self.assertFalse(self.decl("kms", "Encrypt")["by_policy"])
        sid, *_, decls = next(s for s in self.services if s[0] == "kms")
        table = gen_ops.gen_table(sid, decls)
        self.assertIn(".also_resolve = kms_resolve_alias_name,\n     .also_action = \"kms:DeleteAlias\"",
                      table)
        self.assertIn(".by_policy = true", table)
        # a second also= is the third authorization (UpdateAlias: the alias, then its key)
        d = self.decl("kms", "UpdateAlias")
        self.assertEqual((d["also"], d["also_next"], d["also_next_action"]),
                         ("kms_resolve_alias_name", "kms_resolve_alias_key", "kms:UpdateAlias"))
        self.assertIn(".also_next_resolve = kms_resolve_alias_key,\n     "
                      ".also_next_action = \"kms:UpdateAlias\"", table)
        header = gen_ops.gen_header(sid, decls)
        self.assertIn("MUST_CHECK cu_rc kms_resolve_alias_key(struct call *call, const json_t *in);", header)
        self.assertEqual(header.count("MUST_CHECK cu_rc kms_resolve_alias_name(struct call *call, "
                                      "const json_t *in);"), 1)

    def test_support_table_lists_every_model_operation(self):
        text = gen_ops.gen_support(self.services)
        for sid, _n, _v, _x, model, decls in self.services:
            served = {d["op"] for d in decls}
            for op in model["operations"]:
                row = f"| {op} | {'served' if op in served else 'not served'} |"
                self.assertIn(row, text)
            # named as the model's serviceId names the service ("Secrets Manager")
            self.assertIn(f"{model['metadata']['serviceId']}: {len(served)} of "
                          f"{len(model['operations'])} operations served", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
