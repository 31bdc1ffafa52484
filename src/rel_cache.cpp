// rel_cache.cpp — per-relation facts from the relation's triggers, and the
// relcache invalidation of every cache of the extension (see rel_cache.hpp).
#include "rel_cache.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <string>
#include <vector>

#include "cascade.hpp"
#include "core/trigger_args.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

namespace {

HTAB *rel_cache = nullptr;
// Counts invalidation events: a build that saw one arrive keeps its entry
// invalid (the facts it read may already be stale).
uint64 invalidations = 0;

void InvalidateRelation(Datum, Oid relid) {
    invalidations++;
    MarkEdgesStale();
    if (rel_cache == nullptr) return;
    if (OidIsValid(relid)) {
        RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_FIND, nullptr);
        if (info != nullptr) info->valid = false;
        return;
    }
    HASH_SEQ_STATUS status;
    hash_seq_init(&status, rel_cache);
    RelInfo *info;
    while ((info = (RelInfo *)hash_seq_search(&status)) != nullptr) info->valid = false;
}

void EnsureCache() {
    if (rel_cache != nullptr) return;
    HASHCTL ctl;
    memset(&ctl, 0, sizeof ctl);
    ctl.keysize = sizeof(Oid);
    ctl.entrysize = sizeof(RelInfo);
    ctl.hcxt = CacheMemoryContext;
    rel_cache =
        hash_create("softdelete relations", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

// True when trigger t is one of our row triggers (its function lives in
// schema softdelete).
bool IsOurRowTrigger(const Trigger *t) {
    if (!core::IsRowTriggerName(t->tgname)) return false;
    Oid nsp = get_func_namespace(t->tgfoid);
    const char *nspname = OidIsValid(nsp) ? get_namespace_name(nsp) : nullptr;
    return nspname != nullptr && strcmp(nspname, "softdelete") == 0;
}

void BuildRelInfo(RelInfo *info, Relation rel) {
    info->enabled = false;
    info->fires = TRIGGER_DISABLED;
    info->audit = false;
    info->hide_deleted = false;
    info->column_attno = 0;
    info->column_type = InvalidOid;
    info->owner = rel->rd_rel->relowner;
    memset(&info->column, 0, sizeof info->column);
    const uint64 invalidations_before = invalidations;
    // A copy: the catalog lookups below may process invalidations that
    // rebuild rel's relcache entry and free its trigger list.
    TriggerDesc *desc = rel->trigdesc != nullptr ? CopyTriggerDesc(rel->trigdesc) : nullptr;
    const Trigger *found = nullptr;
    for (int i = 0; desc != nullptr && i < desc->numtriggers; ++i) {
        const Trigger *t = &desc->triggers[i];
        if (!IsOurRowTrigger(t)) continue;
        // The BEFORE DELETE trigger decides; the others carry the same arguments.
        if (found == nullptr || strcmp(t->tgname, core::kDeleteTriggerName) == 0) found = t;
        if (strcmp(t->tgname, core::kDeleteTriggerName) == 0) {
            info->enabled = true;
            info->fires = t->tgenabled;
        }
    }
    if (found != nullptr) {
        char column[NAMEDATALEN] = {0};
        bool audit = false;
        bool hide = false;
        int nargs = found->tgnargs;
        char **args = found->tgargs;
        CoreVoid([&] {
            std::vector<std::string> list(args, args + nargs);
            core::TriggerArgs decoded = core::DecodeTriggerArgs(list);
            std::snprintf(column, sizeof column, "%s", decoded.column.c_str());
            audit = decoded.audit;
            hide = decoded.hide_deleted;
        });
        namestrcpy(&info->column, column);
        info->audit = audit;
        info->hide_deleted = hide;
        TupleDesc tupdesc = RelationGetDescr(rel);
        for (int i = 0; i < tupdesc->natts; ++i) {
            Form_pg_attribute att = TupleDescAttr(tupdesc, i);
            if (att->attisdropped || strcmp(NameStr(att->attname), column) != 0) continue;
            if (att->atttypid == TIMESTAMPTZOID || att->atttypid == TIMESTAMPOID) {
                info->column_attno = att->attnum;
                info->column_type = att->atttypid;
            }
        }
    }
    if (desc != nullptr) FreeTriggerDesc(desc);
    info->valid = invalidations == invalidations_before;
}

}  // namespace

void InitRelCache() { CacheRegisterRelcacheCallback(InvalidateRelation, (Datum)0); }

RelInfo *LookupRelInfo(Relation rel) {
    EnsureCache();
    Oid relid = RelationGetRelid(rel);
    bool found;
    RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_ENTER, &found);
    if (!found) {
        info->valid = false;
        info->edges = nullptr;
        info->edges_generation = 0;
    }
    if (!info->valid) BuildRelInfo(info, rel);
    return info;
}

RelInfo *LookupRelInfoById(Oid relid) {
    EnsureCache();
    RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_FIND, nullptr);
    if (info != nullptr && info->valid) return info;
    Relation rel = table_open(relid, NoLock);
    info = LookupRelInfo(rel);
    table_close(rel, NoLock);
    return info;
}

RelInfo *RequireRelInfo(Relation rel) {
    RelInfo *info = LookupRelInfo(rel);
    if (info->column_attno <= 0)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("soft-delete column \"%s\" of table \"%s\" is missing or is not a "
                        "timestamp",
                        NameStr(info->column), RelationGetRelationName(rel)),
                 errhint("Run softdelete.enable() on the table again, or softdelete.disable() "
                         "it.")));
    return info;
}

bool TriggerFires(const RelInfo *info) {
    if (!info->enabled) return false;
    switch (info->fires) {
        case TRIGGER_FIRES_ALWAYS: return true;
        case TRIGGER_FIRES_ON_ORIGIN:
            return SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA;
        case TRIGGER_FIRES_ON_REPLICA:
            return SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
        default: return false;
    }
}

}  // namespace softdelete
