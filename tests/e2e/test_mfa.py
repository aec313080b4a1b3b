"""IAM virtual MFA devices: CreateVirtualMFADevice's seed and QR code, EnableMFADevice with
two consecutive RFC 6238 codes computed here from the returned seed, ResyncMFADevice,
DeactivateMFADevice, the lists, GetMFADevice, tags, DeleteVirtualMFADevice, the per-user
quota, DeleteUser's conflict, a rename carried to the device, GetAccountSummary's counts,
the aws CLI, and the seed kept out of the trail, the log and the store."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import struct
import subprocess
import tempfile
import time
import urllib.parse
import zlib

from botocore.exceptions import ClientError

import harness

ACCOUNT = harness.ACCOUNT
INVALID_CODE = ("InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")


def serial_of(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:mfa{path}{name}"


def code(seed_b32, step):
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) of a base32 seed at a 30-second step."""
    key = base64.b32decode(seed_b32 + b"=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def now_step():
    return int(time.time()) // 30


def png_pixels(data):
    """Decode a 1-bit grayscale, non-interlaced PNG: (width, height, rows of 0/1 pixels,
    1 = white). Checks the signature, the chunk CRCs and the IHDR on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, chunks = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + n
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [c[0] for c in chunks]
    w, h, depth, color, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, comp, filt, interlace) == (1, 0, 0, 0, 0)
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = (w + 7) // 8
    assert len(raw) == h * (stride + 1), (len(raw), w, h)
    rows, prev = [], bytes(stride)
    for y in range(h):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):   # bytes-per-pixel rounds up to 1 for a 1-bit image
            a, b, c = (line[i - 1] if i else 0), prev[i], (prev[i - 1] if i else 0)
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            else:
                assert ftype == 0, ftype
        prev = bytes(line)
        rows.append([(line[x // 8] >> (7 - x % 8)) & 1 for x in range(w)])
    return w, h, rows


class MFADevices(harness.ServerTest):
    seeds = []        # every Base32StringSeed handed out, to look for later
    codes_sent = []   # every authentication code sent

    def setUp(self):
        self.iam = self.server.client("iam")

    def error(self, fn):
        with self.assertRaises(ClientError) as e:
            fn()
        r = e.exception.response
        return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Message"]

    def create(self, name, **kw):
        d = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **kw)["VirtualMFADevice"]
        MFADevices.seeds.append(d["Base32StringSeed"])
        return d

    def codes(self, seed, first):
        c = (code(seed, first), code(seed, first + 1))
        MFADevices.codes_sent.extend(c)
        return c

    def enable(self, user, device, first=None):
        c1, c2 = self.codes(device["Base32StringSeed"], now_step() - 1 if first is None else first)
        self.iam.enable_mfa_device(UserName=user, SerialNumber=device["SerialNumber"],
                                   AuthenticationCode1=c1, AuthenticationCode2=c2)

    def test_a_create_returns_the_seed_and_a_qr_code_of_it(self):
        d = self.create("alice-phone", Path="/team/", Tags=[{"Key": "owner", "Value": "alice"}])
        self.assertEqual(d["SerialNumber"], serial_of("alice-phone", "/team/"))
        seed = d["Base32StringSeed"]
        # AWS: 20 random bytes, 32 base32 characters without padding
        self.assertRegex(seed, rb"^[A-Z2-7]{32}$")
        self.assertEqual(len(base64.b32decode(seed)), 20)
        self.assertNotIn("User", d)
        self.assertNotIn("EnableDate", d)
        png = d["QRCodePNG"]
        w, h, rows = png_pixels(png)
        self.assertEqual(w, h)
        self.assertGreaterEqual(w, 21 * 4)
        # the quiet zone is white, the finder pattern's corner at (4, 4) modules black
        self.assertTrue(all(rows[0]) and all(r[0] for r in rows))
        self.assertEqual(rows[16][16], 0)
        self.assertEqual(rows[16][16 + 7 * 4 - 1], 0)
        self.assertEqual(rows[h - 17][16], 0)
        self.assertEqual(rows[16][w - 17], 0)
        # decoded, it is the otpauth URI AWS documents, with this seed
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(png)
            f.flush()
            p = subprocess.run(["zbarimg", "--quiet", "--raw", f.name], capture_output=True,
                               timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        uri = urllib.parse.urlsplit(p.stdout.decode().strip())
        self.assertEqual((uri.scheme, uri.netloc), ("otpauth", "totp"))
        self.assertEqual(urllib.parse.unquote(uri.path), f"/alice-phone@{ACCOUNT}")
        q = urllib.parse.parse_qs(uri.query)
        self.assertEqual(q["secret"], [seed.decode()])
        self.assertEqual(q["issuer"], ["Amazon Web Services"])

        # a second device gets its own seed
        other = self.create("alice-tablet")
        self.assertNotEqual(other["Base32StringSeed"], seed)
        self.assertEqual(other["SerialNumber"], serial_of("alice-tablet"))
        # the same path and name, in any case
        for name in ("alice-tablet", "ALICE-Tablet"):
            self.assertEqual(self.error(lambda: self.create(name)),
                             ("EntityAlreadyExists", 409,
                              "MFADevice entity at the same path and name already exists."))
        # unassigned devices: listed without seed, QR code or user
        listed = {v["SerialNumber"]: v for v in
                  self.iam.list_virtual_mfa_devices()["VirtualMFADevices"]}
        self.assertIn(d["SerialNumber"], listed)
        entry = listed[d["SerialNumber"]]
        self.assertFalse({"Base32StringSeed", "QRCodePNG", "User", "EnableDate"} & set(entry))
        self.assertEqual(entry["Tags"], [{"Key": "owner", "Value": "alice"}])
        unassigned = self.iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")
        self.assertIn(d["SerialNumber"], [v["SerialNumber"] for v in unassigned["VirtualMFADevices"]])
        assigned = self.iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")
        self.assertNotIn(d["SerialNumber"], [v["SerialNumber"] for v in assigned["VirtualMFADevices"]])
        self.iam.delete_virtual_mfa_device(SerialNumber=d["SerialNumber"])
        self.iam.delete_virtual_mfa_device(SerialNumber=other["SerialNumber"])
        self.assertEqual(self.error(lambda: self.iam.delete_virtual_mfa_device(
            SerialNumber=other["SerialNumber"])),
            ("NoSuchEntity", 404,
             f"VirtualMFADevice with serial number {other['SerialNumber']} doesn't exist."))

    def test_b_lifecycle(self):
        iam = self.iam
        iam.create_user(UserName="mfa-bob")
        iam.create_user(UserName="mfa-carol")
        d = self.create("bob-phone")
        serial, seed = d["SerialNumber"], d["Base32StringSeed"]
        summary = iam.get_account_summary()["SummaryMap"]
        devices_before, in_use_before = summary["MFADevices"], summary["MFADevicesInUse"]
        self.assertGreaterEqual(devices_before, 1)

        t = now_step()
        good1, good2 = self.codes(seed, t - 1)

        def enable(c1, c2, user="mfa-bob", sn=serial):
            return lambda: iam.enable_mfa_device(UserName=user, SerialNumber=sn,
                                                 AuthenticationCode1=c1, AuthenticationCode2=c2)
        # wrong codes: swapped, repeated, too old, a digit off, another device's
        self.assertEqual(self.error(enable(good2, good1)), INVALID_CODE)
        self.assertEqual(self.error(enable(good2, good2)), INVALID_CODE)
        self.assertEqual(self.error(enable(*self.codes(seed, t - 40))), INVALID_CODE)
        self.assertEqual(self.error(enable(good1, f"{(int(good2) + 1) % 1000000:06d}")), INVALID_CODE)
        self.assertEqual(self.error(enable(*self.codes(b"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", t - 1))),
                         INVALID_CODE)
        self.assertEqual(self.error(enable(good1, good2, sn=serial_of("no-such-device"))),
                         ("NoSuchEntity", 404,
                          f"VirtualMFADevice with serial number {serial_of('no-such-device')} "
                          "doesn't exist."))
        self.assertEqual(self.error(enable(good1, good2, user="nobody-here")),
                         ("NoSuchEntity", 404, "The user with name nobody-here cannot be found."))
        self.assertEqual(iam.list_mfa_devices(UserName="mfa-bob")["MFADevices"], [])

        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        enable(good1, good2)()
        self.assertEqual(self.error(enable(good1, good2)),
                         ("EntityAlreadyExists", 409, "MFA Device is already in use."))
        self.assertEqual(self.error(enable(good1, good2, user="mfa-carol")),
                         ("EntityAlreadyExists", 409, "MFA Device is already in use."))

        listed = iam.list_mfa_devices(UserName="mfa-bob")
        self.assertEqual(len(listed["MFADevices"]), 1)
        entry = listed["MFADevices"][0]
        self.assertEqual(set(entry), {"UserName", "SerialNumber", "EnableDate"})
        self.assertEqual((entry["UserName"], entry["SerialNumber"]), ("mfa-bob", serial))
        self.assertLessEqual(abs((entry["EnableDate"] - before).total_seconds()), 5)
        self.assertFalse(listed["IsTruncated"])
        got = iam.get_mfa_device(SerialNumber=serial, UserName="mfa-bob")
        self.assertEqual((got["UserName"], got["SerialNumber"], got["EnableDate"]),
                         ("mfa-bob", serial, entry["EnableDate"]))
        # root names no user: the device as it is
        got = iam.get_mfa_device(SerialNumber=serial)
        self.assertEqual((got["UserName"], got["SerialNumber"]), ("mfa-bob", serial))
        self.assertEqual(self.error(lambda: iam.get_mfa_device(SerialNumber=serial,
                                                               UserName="mfa-carol")),
                         ("NoSuchEntity", 404,
                          f"VirtualMFADevice with serial number {serial} doesn't exist."))
        assigned = {v["SerialNumber"]: v for v in iam.list_virtual_mfa_devices(
            AssignmentStatus="Assigned")["VirtualMFADevices"]}
        user = iam.get_user(UserName="mfa-bob")["User"]
        self.assertEqual(assigned[serial]["User"]["UserName"], "mfa-bob")
        self.assertEqual(assigned[serial]["User"]["Arn"], user["Arn"])
        self.assertEqual(assigned[serial]["User"]["UserId"], user["UserId"])
        self.assertEqual(assigned[serial]["EnableDate"], entry["EnableDate"])
        summary = iam.get_account_summary()["SummaryMap"]
        self.assertEqual((summary["MFADevices"], summary["MFADevicesInUse"],
                          summary["AccountMFAEnabled"]), (devices_before, in_use_before + 1, 0))

        # an enabled device holds its user and itself
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="mfa-bob")),
                         ("DeleteConflict", 409, "Cannot delete entity, must delete MFA device first."))
        self.assertEqual(self.error(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial)),
                         ("DeleteConflict", 409,
                          "Cannot delete entity, must deactivate MFA device first."))

        # a renamed user keeps the device
        iam.update_user(UserName="mfa-bob", NewUserName="mfa-robert")
        self.assertEqual([m["SerialNumber"] for m in
                          iam.list_mfa_devices(UserName="mfa-robert")["MFADevices"]], [serial])
        self.assertEqual(iam.get_mfa_device(SerialNumber=serial, UserName="mfa-robert")["UserName"],
                         "mfa-robert")
        assigned = {v["SerialNumber"]: v for v in iam.list_virtual_mfa_devices(
            AssignmentStatus="Assigned")["VirtualMFADevices"]}
        self.assertEqual(assigned[serial]["User"]["UserName"], "mfa-robert")
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="mfa-robert")),
                         ("DeleteConflict", 409, "Cannot delete entity, must delete MFA device first."))

        # resync: the codes already accepted never count again; later ones re-anchor it
        def resync(c1, c2, user="mfa-robert"):
            return lambda: iam.resync_mfa_device(UserName=user, SerialNumber=serial,
                                                 AuthenticationCode1=c1, AuthenticationCode2=c2)
        self.assertEqual(self.error(resync(good1, good2)), INVALID_CODE)
        self.assertEqual(self.error(resync(good2, good1)), INVALID_CODE)
        later = self.codes(seed, now_step() + 3)
        self.assertEqual(self.error(resync(*later, user="mfa-carol")),
                         ("NoSuchEntity", 404,
                          f"VirtualMFADevice with serial number {serial} doesn't exist."))
        resync(*later)()
        self.assertEqual(self.error(resync(*later)), INVALID_CODE)
        # a device far off custos's clock is not resynced
        self.assertEqual(self.error(resync(*self.codes(seed, now_step() + 200))), INVALID_CODE)

        # deactivated: no longer the user's, still there, unassigned
        self.assertEqual(self.error(lambda: iam.deactivate_mfa_device(
            UserName="mfa-carol", SerialNumber=serial)),
            ("NoSuchEntity", 404, f"VirtualMFADevice with serial number {serial} doesn't exist."))
        iam.deactivate_mfa_device(UserName="mfa-robert", SerialNumber=serial)
        self.assertEqual(iam.list_mfa_devices(UserName="mfa-robert")["MFADevices"], [])
        self.assertEqual(self.error(lambda: iam.get_mfa_device(SerialNumber=serial,
                                                               UserName="mfa-robert"))[0],
                         "NoSuchEntity")
        self.assertEqual(self.error(lambda: iam.deactivate_mfa_device(
            UserName="mfa-robert", SerialNumber=serial))[0], "NoSuchEntity")
        unassigned = {v["SerialNumber"]: v for v in iam.list_virtual_mfa_devices(
            AssignmentStatus="Unassigned")["VirtualMFADevices"]}
        self.assertNotIn("User", unassigned[serial])
        self.assertNotIn("EnableDate", unassigned[serial])
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["MFADevicesInUse"], in_use_before)
        iam.delete_user(UserName="mfa-robert")

        # it can be enabled again, for another user, then deactivated and deleted
        self.enable("mfa-carol", d)
        self.assertEqual(self.error(lambda: iam.delete_user(UserName="mfa-carol"))[0], "DeleteConflict")
        iam.deactivate_mfa_device(UserName="mfa-carol", SerialNumber=serial)
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        self.assertEqual(self.error(lambda: iam.get_mfa_device(SerialNumber=serial))[0],
                         "NoSuchEntity")
        self.assertEqual(iam.get_account_summary()["SummaryMap"]["MFADevices"], devices_before - 1)
        iam.delete_user(UserName="mfa-carol")

    def test_c_tags(self):
        iam = self.iam
        d = self.create("tagged", Tags=[{"Key": "a", "Value": "1"}])
        serial = d["SerialNumber"]
        iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "b", "Value": "2"},
                                                      {"Key": "a", "Value": "3"}])
        tags = iam.list_mfa_device_tags(SerialNumber=serial)
        self.assertEqual(tags["Tags"], [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}])
        self.assertFalse(tags["IsTruncated"])
        page = iam.list_mfa_device_tags(SerialNumber=serial, MaxItems=1)
        self.assertEqual((page["Tags"], page["IsTruncated"]), ([{"Key": "a", "Value": "3"}], True))
        rest = iam.list_mfa_device_tags(SerialNumber=serial, Marker=page["Marker"])
        self.assertEqual(rest["Tags"], [{"Key": "b", "Value": "2"}])
        iam.untag_mfa_device(SerialNumber=serial, TagKeys=["a"])
        self.assertEqual(iam.list_mfa_device_tags(SerialNumber=serial)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        self.assertEqual(self.error(lambda: iam.tag_mfa_device(
            SerialNumber=serial, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])),
            ("LimitExceeded", 409, "Cannot exceed quota for TagsPerMFADevice: 50"))
        missing = serial_of("untagged-nothing")
        for fn in (lambda: iam.tag_mfa_device(SerialNumber=missing, Tags=[{"Key": "a", "Value": "b"}]),
                   lambda: iam.untag_mfa_device(SerialNumber=missing, TagKeys=["a"]),
                   lambda: iam.list_mfa_device_tags(SerialNumber=missing)):
            self.assertEqual(self.error(fn), ("NoSuchEntity", 404,
                             f"VirtualMFADevice with serial number {missing} doesn't exist."))
        iam.delete_virtual_mfa_device(SerialNumber=serial)

    def test_d_quota_and_pagination(self):
        iam = self.iam
        iam.create_user(UserName="mfa-many")
        devices = [self.create(f"many-{i}") for i in range(9)]
        for d in devices[:8]:
            self.enable("mfa-many", d)
        self.assertEqual(self.error(lambda: self.enable("mfa-many", devices[8])),
                         ("LimitExceeded", 409, "Cannot exceed quota for MFADevicesPerUser: 8"))
        page = iam.list_mfa_devices(UserName="mfa-many", MaxItems=3)
        self.assertEqual(len(page["MFADevices"]), 3)
        self.assertTrue(page["IsTruncated"])
        self.assertNotIn("many-", page["Marker"])   # opaque
        pages = list(iam.get_paginator("list_mfa_devices").paginate(
            UserName="mfa-many", PaginationConfig={"PageSize": 3}))
        self.assertEqual(len(pages), 3)
        listed = [m["SerialNumber"] for p in pages for m in p["MFADevices"]]
        self.assertEqual(sorted(listed), sorted(d["SerialNumber"] for d in devices[:8]))
        self.assertEqual(self.error(lambda: iam.list_mfa_devices(
            UserName="mfa-many", Marker=page["Marker"][:-2] + "zz"))[:2], ("ValidationError", 400))
        pages = list(iam.get_paginator("list_virtual_mfa_devices").paginate(
            AssignmentStatus="Assigned", PaginationConfig={"PageSize": 2}))
        self.assertGreaterEqual(len(pages), 4)
        assigned = [v["SerialNumber"] for p in pages for v in p["VirtualMFADevices"]]
        self.assertEqual(len(assigned), len(set(assigned)))
        self.assertTrue({d["SerialNumber"] for d in devices[:8]} <= set(assigned))
        self.assertNotIn(devices[8]["SerialNumber"], assigned)
        for p in pages:
            for v in p["VirtualMFADevices"]:
                self.assertIn("User", v)
        for d in devices[:8]:
            iam.deactivate_mfa_device(UserName="mfa-many", SerialNumber=d["SerialNumber"])
        for d in devices:
            iam.delete_virtual_mfa_device(SerialNumber=d["SerialNumber"])
        iam.delete_user(UserName="mfa-many")

    def test_e_authorization_names_the_device(self):
        arn, key, secret = self.server.user("mfa-self", {
            "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:mfa/self-*"}, {
            "Effect": "Allow", "Action": ["iam:ListMFADevices", "iam:DeactivateMFADevice"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:user/mfa-self"})
        iam = self.server.client("iam", key=key, secret=secret)
        d = iam.create_virtual_mfa_device(VirtualMFADeviceName="self-phone")["VirtualMFADevice"]
        MFADevices.seeds.append(d["Base32StringSeed"])
        code_, status, message = self.error(
            lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="other-phone"))
        self.assertEqual((code_, status), ("AccessDenied", 403))
        self.assertEqual(message, f"User: {arn} is not authorized to perform: "
                                  f"iam:CreateVirtualMFADevice on resource: {serial_of('other-phone')} "
                                  "because no identity-based policy allows the "
                                  "iam:CreateVirtualMFADevice action")
        code_, status, message = self.error(lambda: iam.enable_mfa_device(
            UserName="mfa-self", SerialNumber=d["SerialNumber"],
            AuthenticationCode1="123456", AuthenticationCode2="654321"))
        self.assertEqual((code_, status), ("AccessDenied", 403))
        self.assertIn(f"on resource: {arn} ", message)
        # enabled by root, the device is the caller's own: listed without a UserName
        self.assertEqual(iam.list_mfa_devices()["MFADevices"], [])
        self.enable("mfa-self", d)
        mine = iam.list_mfa_devices()["MFADevices"]
        self.assertEqual([(m["UserName"], m["SerialNumber"]) for m in mine],
                         [("mfa-self", d["SerialNumber"])])
        # and deactivated by its user, naming none
        iam.deactivate_mfa_device(SerialNumber=d["SerialNumber"])
        self.assertEqual(iam.list_mfa_devices()["MFADevices"], [])
        # ListVirtualMFADevices has no resource: denied on none
        code_, status, message = self.error(lambda: iam.list_virtual_mfa_devices())
        self.assertEqual((code_, status), ("AccessDenied", 403))
        self.assertNotIn("on resource", message)
        iam.delete_virtual_mfa_device(SerialNumber=d["SerialNumber"])
        # an AssignmentStatus outside the enum is a validation error naming it
        self.assertEqual(self.error(lambda: self.iam.list_virtual_mfa_devices(
            AssignmentStatus="Sometimes")),
            ("ValidationError", 400, "1 validation error detected: Value 'Sometimes' at "
             "'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value "
             "set: [Assigned, Unassigned, Any]"))

    def test_f_cli(self):
        cli = self.server.cli
        self.iam.create_user(UserName="mfa-cli")
        seed_file = os.path.join(self.server.data_dir, "cli-seed.txt")
        qr_file = os.path.join(self.server.data_dir, "cli-qr.png")
        try:
            _, out, _ = cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli-phone",
                            "--outfile", seed_file, "--bootstrap-method", "Base32StringSeed")
            serial = out["VirtualMFADevice"]["SerialNumber"]
            self.assertEqual(serial, serial_of("cli-phone"))
            with open(seed_file, "rb") as f:
                seed = f.read().strip()
            MFADevices.seeds.append(seed)
            self.assertRegex(seed, rb"^[A-Z2-7]{32}$")
            _, out, _ = cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli-qr",
                            "--outfile", qr_file, "--bootstrap-method", "QRCodePNG")
            with open(qr_file, "rb") as f:
                w, h, _rows = png_pixels(f.read())
            self.assertEqual(w, h)
            cli("iam", "delete-virtual-mfa-device", "--serial-number", out["VirtualMFADevice"]["SerialNumber"])

            c1, c2 = self.codes(seed, now_step() - 1)
            rc, _, err = cli("iam", "enable-mfa-device", "--user-name", "mfa-cli", "--serial-number", serial,
                             "--authentication-code1", c2, "--authentication-code2", c1, check=False)
            self.assertNotEqual(rc, 0)
            self.assertIn("InvalidAuthenticationCode", err)
            self.assertIn("Authentication code for device is not valid.", err)
            cli("iam", "enable-mfa-device", "--user-name", "mfa-cli", "--serial-number", serial,
                "--authentication-code1", c1, "--authentication-code2", c2)
            _, out, _ = cli("iam", "list-mfa-devices", "--user-name", "mfa-cli")
            self.assertEqual([m["SerialNumber"] for m in out["MFADevices"]], [serial])
            _, out, _ = cli("iam", "list-virtual-mfa-devices", "--assignment-status", "Assigned")
            self.assertIn(serial, [v["SerialNumber"] for v in out["VirtualMFADevices"]])
            c3, c4 = self.codes(seed, now_step() + 2)
            cli("iam", "resync-mfa-device", "--user-name", "mfa-cli", "--serial-number", serial,
                "--authentication-code1", c3, "--authentication-code2", c4)
            cli("iam", "tag-mfa-device", "--serial-number", serial, "--tags", "Key=k,Value=v")
            _, out, _ = cli("iam", "list-mfa-device-tags", "--serial-number", serial)
            self.assertEqual(out["Tags"], [{"Key": "k", "Value": "v"}])
            cli("iam", "untag-mfa-device", "--serial-number", serial, "--tag-keys", "k")
            rc, _, err = cli("iam", "delete-user", "--user-name", "mfa-cli", check=False)
            self.assertNotEqual(rc, 0)
            self.assertIn("Cannot delete entity, must delete MFA device first.", err)
            cli("iam", "deactivate-mfa-device", "--user-name", "mfa-cli", "--serial-number", serial)
            cli("iam", "delete-virtual-mfa-device", "--serial-number", serial)
            cli("iam", "delete-user", "--user-name", "mfa-cli")
        finally:
            for p in (seed_file, qr_file):
                if os.path.exists(p):
                    os.remove(p)

    def test_z_the_seed_stays_out_of_the_trail_the_log_and_the_store(self):
        self.assertGreaterEqual(len(MFADevices.seeds), 10)
        hidden = []
        for s in MFADevices.seeds:
            raw = base64.b32decode(s)
            hidden += [s, base64.b64encode(s), raw, base64.b64encode(raw)]
        records = self.server.audit_records()
        enables = [r for r in records if r.get("eventName") in ("EnableMFADevice", "ResyncMFADevice")]
        self.assertGreater(len(enables), 5)
        for r in enables:
            params = json.dumps(r.get("requestParameters") or {})
            self.assertIn("serialNumber", params)
            for c in MFADevices.codes_sent:
                self.assertNotIn(f'"{c}"', params)
        creates = [r for r in records if r.get("eventName") == "CreateVirtualMFADevice"
                   and not r.get("errorCode")]
        self.assertGreaterEqual(len(creates), 10)
        for r in creates:
            self.assertIn(":mfa/", json.dumps(r.get("responseElements")))
        for root, _, files in os.walk(self.server.data_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                data += data.replace(b"\\/", b"/")
                for h in hidden:
                    self.assertNotIn(h, data, f"a seed reached {name}")


if __name__ == "__main__":
    harness.main()
