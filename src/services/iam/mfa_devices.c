/* mfa_devices.c — IAM virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice,
 * DeactivateMFADevice, ResyncMFADevice, ListMFADevices, ListVirtualMFADevices,
 * GetMFADevice, DeleteVirtualMFADevice, their resolvers, and what DeleteUser, UpdateUser
 * and GetAccountSummary ask of devices (mfa_devices.h). Tags: mfa_device_tags.c.
 *
 * A device is one "mfa_device" record keyed by its lowercased SerialNumber
 * (arn:aws:iam::<account>:mfa<path><name>; records.h, iam_kinds.c). Its 20-byte seed is
 * sealed under the master key with the SerialNumber as AAD (SealedSeed: no shape names
 * it, so it never reaches a response or the trail); in the clear the seed exists only in
 * the CreateVirtualMFADevice response (Base32StringSeed, and inside QRCodePNG) and in
 * secure memory while codes are checked. Once enabled, the record names its user
 * (UserName, which the store indexes: kinds.c) and keeps EnableDate and the TOTP state:
 * LastStep, the step of the last code accepted (no code of that step or an earlier one is
 * accepted again), and Drift, the steps the device runs ahead of custos's clock
 * (negative: behind), which ResyncMFADevice re-anchors.
 *
 *     Create --> unassigned --Enable--> assigned --Deactivate--> unassigned --Delete--> gone
 *                                       assigned --Resync--> assigned (LastStep, Drift) */
#include <stdio.h>
#include <string.h>

#include "core/codec.h"
#include "core/rand.h"
#include "core/secret.h"
#include "core/tree.h"
#include "core/uri.h"
#include "crypto/master_key.h"
#include "crypto/totp.h"
#include "iam.h"
#include "iam_common.h"
#include "iam_ops.gen.h"
#include "mfa_devices.h"
#include "mfa_qr.h"

/* IAM guide, reference_iam-quotas: "MFA devices in use by an IAM user: 8". */
#define MFA_DEVICES_PER_USER 8
/* Clock skew: a code is accepted from the step before the current one to the step after
 * it (±30 s), as AWS effectively does: the device's clock and the server's never agree
 * to the second, and the user types the code some seconds after it appeared. */
#define SKEW_STEPS 1
/* ResyncMFADevice finds the device's two codes up to 15 minutes either side of custos's
 * clock: a device that drifted further is re-enrolled, not resynced. */
#define RESYNC_STEPS 30
/* The model's serialNumberType: a longer serial could never be named again. */
#define SERIAL_MAX 256
#define QR_PNG_MAX (256 * 1024)

static void device_serial(const char *account, const char *path, const char *name,
                          char out[IAM_ARN_MAX])
{
    snprintf(out, IAM_ARN_MAX, "arn:aws:iam::%s:mfa%s%s", account, path ? path : "/", name);
}

/* The index lookup of the devices enabled for `user` in the call's account. */
static void user_devices(struct call *call, const char *user, char value[RECORD_NAME_MAX],
                         struct store_lookup *q)
{
    record_fold(user, value);
    *q = (struct store_lookup){RECORD_MFA_DEVICE, RECORD_MFA_DEVICE_BY_USER, value,
                               call->env->account_id};
}

static cu_rc user_device_count(struct call *call, const char *user, size_t *n)
{
    char value[RECORD_NAME_MAX];
    struct store_lookup q;

    user_devices(call, user, value, &q);
    return store_find_count(call->tx, &q, n);
}

static cu_rc seal_seed(struct call *call, const struct secret *seed, const char *serial,
                       json_t *doc)
{
    cu_rc rc = CU_OK;
    struct buf sealed, text;

    buf_init(&sealed, 1024);
    buf_init(&text, 2048);
    TRY(master_key_seal(call->env->master_key, secret_bytes(seed), bytes_str(serial), &sealed));
    TRY(b64_encode(buf_bytes(&sealed), &text));
    TRY(tree_set_str(doc, "SealedSeed", text.p));
out:
    buf_release(&sealed);
    buf_release(&text);
    return rc;
}

/* The device's seed, opened: *seed is the caller's (secret_free). */
static cu_rc open_seed(struct call *call, const json_t *device, struct secret **seed)
{
    cu_rc rc = CU_OK;
    const char *text = json_string_value(json_object_get(device, "SealedSeed"));
    const char *serial = json_string_value(json_object_get(device, "SerialNumber"));
    struct buf sealed;

    buf_init(&sealed, 1024);
    ENSURE(text && serial, CU_E_STORE);
    TRY(b64_decode(bytes_str(text), &sealed));
    TRY(master_key_open(call->env->master_key, buf_bytes(&sealed), bytes_str(serial), seed));
out:
    buf_release(&sealed);
    return rc;
}

/* The replay rule: no code of the step of the last code accepted (LastStep), or of an
 * earlier step, is accepted again; the window starting at `from` starts after it. */
static uint64_t after_last_step(const json_t *device, uint64_t from)
{
    int64_t last = json_integer_value(json_object_get(device, "LastStep"));

    return last > 0 && (uint64_t)last >= from ? (uint64_t)last + 1 : from;
}

/* AuthenticationCode1 and AuthenticationCode2 must be the device's codes of two
 * consecutive steps, the second in [from, to] and after the last code accepted; *second
 * is its step. InvalidAuthenticationCode otherwise (the message never says which code or
 * why: a guesser learns nothing). */
static cu_rc check_codes(struct call *call, const json_t *device, const json_t *in, uint64_t from,
                         uint64_t to, uint64_t *second)
{
    cu_rc rc = CU_OK;
    struct secret *seed = NULL;
    const char *c1 = in_str(in, "AuthenticationCode1"), *c2 = in_str(in, "AuthenticationCode2");
    bool found = false;

    ENSURE(c1 && c2, CU_E_VALIDATION);
    from = after_last_step(device, from);
    if (from <= to) {
        TRY(open_seed(call, device, &seed));
        TRY(totp_find_pair(secret_bytes(seed), c1, c2, from, to, &found, second));
    }
    ENSURE(found, cu_err_set(&call->err, CU_E_IAM_INVALID_AUTHENTICATION_CODE,
                             "Authentication code for device is not valid."));
out:
    secret_free(seed);
    return rc;
}

/* Accepting codes whose second step is `second`, at custos's step `now`. */
static cu_rc anchor(json_t *device, uint64_t second, uint64_t now)
{
    cu_rc rc = CU_OK;

    TRY(tree_set_int(device, "LastStep", (int64_t)second));
    TRY(tree_set_int(device, "Drift", (int64_t)second - (int64_t)now));
out:
    return rc;
}

/* The Base32StringSeed and QRCodePNG of a new device into its rendered response. The
 * QR code encodes, as the IAM API reference (VirtualMFADevice) documents,
 * otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String, AccountName
 * being the account id while no user holds the device, with the issuer authenticator
 * apps show. Everything holding the seed is wiped. */
static cu_rc enrolment(struct call *call, const char *name, const struct secret *seed,
                       json_t *device)
{
    cu_rc rc = CU_OK;
    char b32[TOTP_BASE32_LEN(TOTP_SEED_LEN) + 1];
    struct buf label, uri, png;

    buf_init(&label, 1024);
    buf_init_sensitive(&uri, 4096);
    buf_init_sensitive(&png, QR_PNG_MAX);
    totp_base32(secret_bytes(seed), b32);
    TRY(uri_encode(bytes_str(name), true, &label));
    TRY(buf_addstrs(&uri, "otpauth://totp/", label.p, "@", call->env->account_id, "?secret=", b32,
                    "&issuer=Amazon%20Web%20Services", NULL));
    TRY(mfa_qr_png(uri.p, &png));
    TRY(tree_set_blob(device, "Base32StringSeed", bytes_str(b32)));
    TRY(tree_set_blob(device, "QRCodePNG", buf_bytes(&png)));
out:
    secret_wipe(b32, sizeof(b32));
    buf_release(&label);
    buf_release(&uri);
    buf_release(&png);
    return rc;
}

cu_rc iam_create_virtual_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *name = in_str(in, "VirtualMFADeviceName"), *path = in_str_or(in, "Path", "/");
    const json_t *tags = in_list(in, "Tags");
    char serial[IAM_ARN_MAX];
    struct secret *seed = NULL;
    json_t *doc = json_object();

    ENSURE(doc, CU_E_NOMEM);
    device_serial(call->env->account_id, path, name, serial);
    ENSURE(strlen(serial) <= SERIAL_MAX,
           cu_err_set(&call->err, CU_E_VALIDATION,
                      "1 validation error detected: Value '%s' at 'serialNumber' failed to "
                      "satisfy constraint: Member must have length less than or equal to %d",
                      serial, SERIAL_MAX));
    TRY(secret_new(TOTP_SEED_LEN, &seed));
    TRY(rand_bytes(seed->p, seed->n));
    TRY(tree_set_str(doc, "SerialNumber", serial));
    TRY(tree_set_str(doc, "Path", path));
    TRY(tree_set_str(doc, "VirtualMFADeviceName", name));
    TRY(tree_set_int(doc, "CreateDate", call->now_ms / 1000 * 1000));
    /* the model caps Tags at 50, the quota */
    TRY(tree_set_new(doc, "Tags", tags ? json_deep_copy(tags) : json_array()));
    TRY(seal_seed(call, seed, serial, doc));
    TRY(kind_create(call, &iam_kind_mfa_device, NULL, doc)); /* EntityAlreadyExists */
    TRY(render_output(out, "iam", "CreateVirtualMFADevice", "VirtualMFADevice", doc));
    TRY(enrolment(call, name, seed, json_object_get(out, "VirtualMFADevice")));
out:
    secret_free(seed);
    json_decref(doc);
    return rc;
}

/* The device `serial` enabled for the user `owner` (its stored name): *device owned.
 * NoSuchEntity when there is none, or it is not that user's. */
static cu_rc owned_device(struct call *call, const char *serial, const char *owner, json_t **device)
{
    cu_rc rc = CU_OK;
    const char *holder;

    TRY(kind_load(call, &iam_kind_mfa_device, NULL, serial, device));
    holder = json_string_value(json_object_get(*device, "UserName"));
    if (owner && holder && strcasecmp(holder, owner) == 0)
        goto out;
    json_decref(*device);
    *device = NULL;
    rc = kind_not_found(call, &iam_kind_mfa_device, serial);
out:
    return rc;
}

/* The stored name of the user the request names (or the calling user); NULL for root
 * acting on itself, which holds no MFA device in custos. */
static cu_rc device_user(struct call *call, const json_t *in, const char **owner)
{
    cu_rc rc = CU_OK;
    json_t *user;

    *owner = NULL;
    if (!iam_user_name_or_caller(call, in))
        goto out;
    TRY(iam_target_user(call, in, &user)); /* NoSuchEntity for the user */
    *owner = kind_name(&iam_kind_user, user);
    ENSURE(*owner, CU_E_STORE);
out:
    return rc;
}

cu_rc iam_enable_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner, *serial = in_str(in, "SerialNumber");
    uint64_t now = totp_step(call->now_ms / 1000), second = 0;
    json_t *device = NULL;
    size_t n = 0;

    (void)out;
    TRY(device_user(call, in, &owner));
    ENSURE(owner, CU_E_STORE); /* UserName is required */
    TRY(kind_load(call, &iam_kind_mfa_device, NULL, serial, &device));
    ENSURE(!json_object_get(device, "UserName"),
           cu_err_set(&call->err, CU_E_IAM_ENTITY_EXISTS, "MFA Device is already in use."));
    TRY(user_device_count(call, owner, &n));
    ENSURE(n < MFA_DEVICES_PER_USER,
           cu_err_set(&call->err, CU_E_IAM_LIMIT_EXCEEDED,
                      "Cannot exceed quota for MFADevicesPerUser: %d", MFA_DEVICES_PER_USER));
    /* IAM API reference, EnableMFADevice: two consecutive codes, the second of the current
     * step give or take the skew */
    TRY(check_codes(call, device, in, now - SKEW_STEPS, now + SKEW_STEPS, &second));
    TRY(anchor(device, second, now));
    TRY(tree_set_str(device, "UserName", owner));
    TRY(tree_set_int(device, "EnableDate", call->now_ms / 1000 * 1000));
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
out:
    json_decref(device);
    return rc;
}

cu_rc iam_resync_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner, *serial = in_str(in, "SerialNumber");
    uint64_t now = totp_step(call->now_ms / 1000), second = 0;
    json_t *device = NULL;

    (void)out;
    TRY(device_user(call, in, &owner));
    TRY(owned_device(call, serial, owner, &device));
    TRY(check_codes(call, device, in, now - RESYNC_STEPS, now + RESYNC_STEPS, &second));
    TRY(anchor(device, second, now));
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
out:
    json_decref(device);
    return rc;
}

/* IAM API reference, DeactivateMFADevice: the device is no longer the user's; a virtual
 * device stays, unassigned, until DeleteVirtualMFADevice. */
cu_rc iam_deactivate_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner;
    json_t *device = NULL;

    (void)out;
    TRY(device_user(call, in, &owner));
    TRY(owned_device(call, in_str(in, "SerialNumber"), owner, &device));
    json_object_del(device, "UserName");
    json_object_del(device, "EnableDate");
    json_object_del(device, "LastStep");
    json_object_del(device, "Drift");
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
out:
    json_decref(device);
    return rc;
}

cu_rc iam_delete_virtual_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    json_t *device;

    (void)out;
    TRY(kind_target(call, &iam_kind_mfa_device, in_str(in, "SerialNumber"), &device));
    /* IAM API reference, DeleteVirtualMFADevice: "You must deactivate a user's virtual MFA
     * device before you can delete it" */
    ENSURE(!json_object_get(device, "UserName"),
           cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                      "Cannot delete entity, must deactivate MFA device first."));
    TRY(kind_remove(call, &iam_kind_mfa_device, NULL, device));
out:
    return rc;
}

cu_rc iam_get_mfa_device(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    const char *owner, *serial = in_str(in, "SerialNumber"), *holder;
    json_t *device = NULL;

    TRY(device_user(call, in, &owner));
    if (owner)
        TRY(owned_device(call, serial, owner, &device));
    else
        TRY(kind_load(call, &iam_kind_mfa_device, NULL, serial, &device));
    holder = json_string_value(json_object_get(device, "UserName"));
    TRY(tree_set_str(out, "SerialNumber",
                     json_string_value(json_object_get(device, "SerialNumber"))));
    if (holder) {
        TRY(tree_set_str(out, "UserName", holder));
        TRY(tree_set_time_ms(out, "EnableDate",
                             json_integer_value(json_object_get(device, "EnableDate"))));
    }
out:
    json_decref(device);
    return rc;
}

static cu_rc mfa_entry_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    (void)key;
    (void)ctx;
    return render_record(doc, iam_page_item_shape(&iam_list_mfa_devices_page), item);
}

cu_rc iam_list_mfa_devices(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    const char *owner;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;

    TRY(page_begin(call, &iam_list_mfa_devices_page, in, &page));
    TRY(device_user(call, in, &owner));
    /* root's own devices: custos keeps none, so an empty list */
    if (owner) {
        user_devices(call, owner, value, &q);
        TRY(page_find(&page, call->tx, &q, false, mfa_entry_view, NULL));
    }
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

struct virtual_filter {
    struct call *call;
    const char *status; /* Assigned, Unassigned or Any */
};

/* A device of ListVirtualMFADevices, with its user when it has one (rendered through the
 * User shape, without tags, as ListUsers shows users), or nothing when filtered out. */
static cu_rc virtual_view(const char *key, const json_t *doc, void *ctx, json_t **item)
{
    cu_rc rc = CU_OK;
    const struct virtual_filter *f = ctx;
    const struct shape *shape = iam_page_item_shape(&iam_list_virtual_mfa_devices_page);
    const struct shape_member *user_member = model_member(shape, "User", 4);
    const char *holder = json_string_value(json_object_get(doc, "UserName"));
    json_t *v = NULL, *user = NULL, *u = NULL;

    (void)key;
    *item = NULL;
    if ((strcmp(f->status, "Assigned") == 0 && !holder) ||
        (strcmp(f->status, "Unassigned") == 0 && holder))
        goto out;
    ENSURE(user_member, CU_E_INTERNAL);
    TRY(render_record(doc, shape, &v));
    if (holder) {
        TRY(kind_find(f->call, &iam_kind_user, NULL, holder, &user));
        ENSURE(user, CU_E_STORE); /* DeleteUser refuses a user with a device */
        TRY(render_record(user, user_member->shape, &u));
        json_object_del(u, "Tags");
        TRY(tree_set_new(v, "User", u));
        u = NULL;
        TRY(tree_set_time_ms(v, "EnableDate",
                             json_integer_value(json_object_get(doc, "EnableDate"))));
    }
    *item = v;
    v = NULL;
out:
    json_decref(v);
    json_decref(u);
    json_decref(user);
    return rc;
}

cu_rc iam_list_virtual_mfa_devices(struct call *call, const json_t *in, json_t *out)
{
    cu_rc rc = CU_OK;
    struct page page = {0};
    /* IAM API reference, ListVirtualMFADevices: without AssignmentStatus, Any */
    struct virtual_filter f = {call, in_str_or(in, "AssignmentStatus", "Any")};

    TRY(page_begin(call, &iam_list_virtual_mfa_devices_page, in, &page));
    TRY(page_scan(&page, call->tx, RECORD_MFA_DEVICE, call->env->account_id, virtual_view, &f));
    TRY(page_end(&page, out));
out:
    page_release(&page);
    return rc;
}

cu_rc iam_mfa_check_code(struct call *call, const char *user, const char *serial,
                         const char *code, enum iam_mfa_check *out)
{
    cu_rc rc = CU_OK;
    uint64_t now = totp_step(call->now_ms / 1000), from, step = 0;
    const char *holder;
    struct secret *seed = NULL;
    json_t *device = NULL;
    bool found = false;

    *out = IAM_MFA_NO_DEVICE;
    if (!user || !user[0])
        goto out; /* root: custos keeps no device for it */
    TRY(kind_find(call, &iam_kind_mfa_device, NULL, serial, &device));
    holder = json_string_value(json_object_get(device, "UserName"));
    if (!device || !holder || strcasecmp(holder, user) != 0)
        goto out;
    *out = IAM_MFA_BAD_CODE;
    /* the window EnableMFADevice accepts (custos's step, give or take the skew), after
     * LastStep */
    from = after_last_step(device, now - SKEW_STEPS);
    if (from > now + SKEW_STEPS)
        goto out;
    TRY(open_seed(call, device, &seed));
    TRY(totp_find_code(secret_bytes(seed), code, from, now + SKEW_STEPS, &found, &step));
    if (!found)
        goto out;
    TRY(tree_set_int(device, "LastStep", (int64_t)step));
    TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
    *out = IAM_MFA_OK;
out:
    secret_free(seed);
    json_decref(device);
    return rc;
}

cu_rc iam_mfa_enabled_count(struct call *call, const char *user, size_t *n)
{
    return user_device_count(call, user, n);
}

cu_rc iam_mfa_delete_conflict(struct call *call, const char *user)
{
    cu_rc rc = CU_OK;
    size_t n = 0;

    TRY(user_device_count(call, user, &n));
    ENSURE(n == 0, cu_err_set(&call->err, CU_E_IAM_DELETE_CONFLICT,
                              "Cannot delete entity, must delete MFA device first."));
out:
    return rc;
}

cu_rc iam_mfa_rename_user(struct call *call, const char *from, const char *to)
{
    cu_rc rc = CU_OK;
    char value[RECORD_NAME_MAX];
    struct store_lookup q;
    json_t *found = NULL, *device = NULL, *item;
    bool more = false;
    size_t i;

    user_devices(call, from, value, &q);
    /* the quota keeps a user's devices to MFA_DEVICES_PER_USER */
    TRY(store_find(call->tx, &q, NULL, MFA_DEVICES_PER_USER * 2, &found, &more));
    ENSURE(!more, CU_E_STORE);
    json_array_foreach(found, i, item)
    {
        const char *serial =
            json_string_value(json_object_get(json_object_get(item, "doc"), "SerialNumber"));

        TRY(kind_load(call, &iam_kind_mfa_device, NULL, serial, &device));
        TRY(tree_set_str(device, "UserName", to));
        TRY(kind_update(call, &iam_kind_mfa_device, NULL, device));
        json_decref(device);
        device = NULL;
    }
out:
    json_decref(device);
    json_decref(found);
    return rc;
}

static cu_rc count_assigned(const char *key, const json_t *doc, void *ctx)
{
    (void)key;
    if (json_object_get(doc, "UserName"))
        (*(size_t *)ctx)++;
    return CU_OK;
}

cu_rc iam_mfa_counts(struct call *call, size_t *devices, size_t *in_use)
{
    cu_rc rc = CU_OK;

    *in_use = 0;
    TRY(store_count(call->tx, RECORD_MFA_DEVICE, call->env->account_id, devices));
    TRY(store_each(call->tx, RECORD_MFA_DEVICE, call->env->account_id, count_assigned, in_use));
out:
    return rc;
}

/* The ARN a request naming `serial` acts on: the serial itself when it is one of this
 * account's virtual devices, else that serial as a device name of the account (so a
 * denial always names an IAM ARN of the account). */
static void device_target_arn(struct call *call, const char *serial)
{
    char prefix[IAM_ARN_MAX];
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:iam::%s:mfa/", call->env->account_id);

    if (n > 0 && strncmp(serial, prefix, (size_t)n) == 0)
        snprintf(call->target.arn, sizeof(call->target.arn), "%s", serial);
    else
        snprintf(call->target.arn, sizeof(call->target.arn), "%s%s", prefix, serial);
}

/* Resolver for operations on one device (SerialNumber): its ARN, its record kept in
 * call->target.doc, its tags the resource's (aws:ResourceTag/<key>). */
cu_rc iam_resolve_mfa_device(struct call *call, const json_t *in)
{
    cu_rc rc = CU_OK;
    const char *serial = in_str_or(in, "SerialNumber", "");

    iam_set_account_target(call);
    TRY(kind_find(call, &iam_kind_mfa_device, NULL, serial, &call->target.doc));
    if (call->target.doc) {
        device_target_arn(call,
                          json_string_value(json_object_get(call->target.doc, "SerialNumber")));
        call_keys_resource_tags(call->keys, json_object_get(call->target.doc, "Tags"));
    } else {
        device_target_arn(call, serial);
    }
out:
    return rc;
}

/* Resolver for CreateVirtualMFADevice: the serial the new device will have (the Service
 * Authorization Reference's mfa resource, arn:aws:iam::<account>:mfa/<path><name>). */
cu_rc iam_resolve_new_mfa_device(struct call *call, const json_t *in)
{
    iam_set_account_target(call);
    device_serial(call->env->account_id, in_str(in, "Path"),
                  in_str_or(in, "VirtualMFADeviceName", ""), call->target.arn);
    return CU_OK;
}
