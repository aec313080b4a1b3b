/* trail_record.c — what a trail record shows for each of LookupEvents' lookup attributes
 * (trail_index.h): the names CloudTrail's LookupAttributeKey gives them and where each
 * sits in a record (Username as CloudTrail derives it from userIdentity). */
#include <string.h>

#include "trail_index.h"

static const char *const attr_names[] = {NULL, "EventId", "EventName", "ReadOnly", "Username",
                                         "ResourceType", "ResourceName", "EventSource",
                                         "AccessKeyId"};

enum trail_attr trail_attr_parse(const char *key)
{
    for (size_t i = 1; key && i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
        if (strcmp(key, attr_names[i]) == 0)
            return (enum trail_attr)i;
    return TRAIL_ATTR_NONE;
}

static const char *member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

const char *trail_record_attr(const json_t *rec, enum trail_attr attr)
{
    const json_t *who = json_object_get(rec, "userIdentity");
    const char *name = member(who, "userName"), *type = member(who, "type");
    const char *arn = member(who, "arn"), *slash = arn ? strrchr(arn, '/') : NULL;

    switch (attr) {
    case TRAIL_ATTR_EVENT_ID: return member(rec, "eventID");
    case TRAIL_ATTR_EVENT_NAME: return member(rec, "eventName");
    case TRAIL_ATTR_EVENT_SOURCE: return member(rec, "eventSource");
    case TRAIL_ATTR_ACCESS_KEY_ID: return member(who, "accessKeyId");
    case TRAIL_ATTR_READ_ONLY:
        if (!json_is_boolean(json_object_get(rec, "readOnly")))
            return NULL;
        return json_is_true(json_object_get(rec, "readOnly")) ? "true" : "false";
    case TRAIL_ATTR_USERNAME:
        /* CloudTrail's Username: the user's name, a role session's name, "root" */
        if (name)
            return name;
        if (type && strcmp(type, "Root") == 0)
            return "root";
        if (type && strcmp(type, "AssumedRole") == 0 && slash)
            return slash + 1;
        return NULL;
    default: return NULL;
    }
}

size_t trail_record_resources(const json_t *rec)
{
    return json_array_size(json_object_get(rec, "resources"));
}

const char *trail_record_resource(const json_t *rec, size_t i, enum trail_attr attr)
{
    const json_t *r = json_array_get(json_object_get(rec, "resources"), i);

    return member(r, attr == TRAIL_ATTR_RESOURCE_TYPE ? "type" : "ARN");
}
