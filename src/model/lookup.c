/* lookup.c — finding services, operations and members in the generated tables. The
 * tables are small and sorted; look-ups are linear or binary and never allocate. */
#include <string.h>

#include "model.h"

const struct service_model *model_service_by_signing_name(const char *name)
{
    for (const struct service_model *const *s = model_services; *s; s++)
        if (strcmp((*s)->signing_name, name) == 0)
            return *s;
    return NULL;
}

const struct service_model *model_service_by_target_prefix(const char *prefix, size_t n)
{
    for (const struct service_model *const *s = model_services; *s; s++)
        if ((*s)->target_prefix && strlen((*s)->target_prefix) == n &&
            strncmp((*s)->target_prefix, prefix, n) == 0)
            return *s;
    return NULL;
}

const struct op_model *model_op(const struct service_model *svc, const char *name, size_t n)
{
    size_t lo = 0, hi = svc->n_ops;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *op = svc->ops[mid].name;
        /* name is n bytes that may hold a NUL: strncmp stops there, so equal also needs
         * op to be exactly n long (and op[n] is only read when op is that long) */
        size_t len = strnlen(op, n + 1);
        int c = strncmp(op, name, n);
        if (c == 0 && len != n)
            c = len > n ? 1 : -1;
        if (c == 0)
            return &svc->ops[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct shape_member *model_member(const struct shape *s, const char *name, size_t n)
{
    for (size_t i = 0; s && i < s->n_members; i++)
        if (strlen(s->members[i].name) == n && strncmp(s->members[i].name, name, n) == 0)
            return &s->members[i];
    return NULL;
}

const struct service_model *model_service(const char *id)
{
    for (const struct service_model *const *s = model_services; *s; s++)
        if (strcmp((*s)->id, id) == 0)
            return *s;
    return NULL;
}

const struct shape *model_output_shape(const char *service, const char *op, const char *member)
{
    const struct service_model *svc = model_service(service);
    const struct op_model *o = svc ? model_op(svc, op, strlen(op)) : NULL;
    const struct shape_member *m =
        o && o->output ? model_member(o->output, member, strlen(member)) : NULL;

    return m ? m->shape : NULL;
}

const struct shape *model_list_element(const struct shape *s)
{
    return s && s->type == SHAPE_LIST && s->member ? s->member->shape : NULL;
}
