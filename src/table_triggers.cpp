// table_triggers.cpp — the row triggers and the TRUNCATE guard of an enabled
// table (see table_triggers.hpp).
#include "table_triggers.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include <string>
#include <vector>

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "core/trigger_args.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

const char *const kDeleteTrigger = core::kDeleteTriggerName;
const char *const kWriteTrigger = core::kWriteTriggerName;
const char *const kCascadeTrigger = core::kCascadeTriggerName;
const char *const kTruncateTrigger = core::kTruncateTriggerName;
// 0.2.0 put an INSTEAD OF DELETE trigger on the active view; the view is now a
// plain updatable view (a DELETE through it is soft-deleted like one on the
// table), and enable() removes that trigger where it is left over.
const char *const kLegacyViewTrigger = "softdelete_view_delete";

// Creates trigger `name` on relid unless it exists; row triggers carry
// `settings` as their arguments (NULL: no arguments).
void EnsureTrigger(Oid relid, const char *name, const char *timing, bool row, const char *function,
                   const RowTriggerSettings *settings, const char *when = nullptr) {
    if (TriggerExists(relid, name)) return;
    char *schema;
    char *relname;
    RelationNames(relid, &schema, &relname);
    char *sql = CoreString([&] {
        std::vector<std::string> args;
        if (settings != nullptr)
            args = core::EncodeTriggerArgs(
                {settings->column, settings->audit, settings->hide_deleted});
        return core::BuildCreateTriggerSql(name, timing, {schema, relname}, row, function, args,
                                           when ? when : "");
    });
    ExecSql(sql);
}

void EnsureTruncateGuard(Oid relid) {
    EnsureTrigger(relid, kTruncateTrigger, "BEFORE TRUNCATE", false, "on_truncate", nullptr);
}

// Drops the row triggers (they carry the column, the audit flag and
// hide_deleted as arguments: re-created when those change).
void DropRowTriggers(Oid relid) {
    const char *row_triggers[3] = {kDeleteTrigger, kWriteTrigger, kCascadeTrigger};
    for (const char *name : row_triggers) DropTriggerIfExists(relid, name);
}

// The row triggers, which carry the table's settings as arguments.
void EnsureRowTriggers(Oid relid, const RowTriggerSettings *settings) {
    const char *column = settings->column;
    EnsureTrigger(relid, kDeleteTrigger, "BEFORE DELETE", true, "on_delete", settings);
    EnsureTrigger(relid, kWriteTrigger, "BEFORE INSERT OR UPDATE", true, "on_write", settings);
    char *timing = CoreString([&] { return core::AfterUpdateOf(column); });
    char *when = CoreString([&] { return core::StateChangeCondition(column); });
    EnsureTrigger(relid, kCascadeTrigger, timing, true, "on_state_change", settings, when);
}

// True when one of our row triggers on relid carries other arguments than
// `settings` (the column was renamed, audit or hide_deleted changed, or it
// was made by 0.2.0).
bool RowTriggersDiffer(Oid relid, const RowTriggerSettings *settings) {
    // Both sides as "arg1\x1farg2\x1f...", which also compares the count.
    char *expected = CoreString([&] {
        std::string joined;
        for (const std::string &arg :
             core::EncodeTriggerArgs({settings->column, settings->audit, settings->hide_deleted}))
            joined += arg + '\x1f';
        return joined;
    });
    Relation rel = relation_open(relid, AccessShareLock);
    bool differ = false;
    TriggerDesc *desc = rel->trigdesc;
    for (int i = 0; desc != nullptr && i < desc->numtriggers; ++i) {
        const Trigger *t = &desc->triggers[i];
        if (!core::IsRowTriggerName(t->tgname)) continue;
        StringInfoData have;
        initStringInfo(&have);
        for (int k = 0; k < t->tgnargs; ++k) appendStringInfo(&have, "%s\x1f", t->tgargs[k]);
        if (strcmp(have.data, expected) != 0) differ = true;
    }
    relation_close(rel, AccessShareLock);
    return differ;
}

}  // namespace

RowTriggerSettings SettingsOf(const CatalogRow &row) {
    return {row.column, row.audit, row.hide_deleted};
}

// From the relcache, which (unlike an SPI read under REPEATABLE READ) shows
// the triggers as CREATE / DROP TRIGGER will find them.
bool TriggerExists(Oid relid, const char *name) {
    CommandCounterIncrement();
    Relation rel = relation_open(relid, AccessShareLock);
    bool found = false;
    TriggerDesc *desc = rel->trigdesc;
    for (int i = 0; desc != nullptr && i < desc->numtriggers; ++i)
        if (strcmp(desc->triggers[i].tgname, name) == 0) found = true;
    relation_close(rel, AccessShareLock);
    return found;
}

bool HasDeleteTrigger(Oid relid) { return TriggerExists(relid, kDeleteTrigger); }

void DropTriggerIfExists(Oid relid, const char *name) {
    if (!TriggerExists(relid, name)) return;
    char *schema;
    char *relname;
    RelationNames(relid, &schema, &relname);
    char *sql = CoreString([&] { return core::BuildDropTriggerSql(name, {schema, relname}); });
    ExecSql(sql);
}

void RefreshRowTriggers(Oid relid, const RowTriggerSettings *settings) {
    if (RowTriggersDiffer(relid, settings)) {
        DropRowTriggers(relid);
        CommandCounterIncrement();
    }
    EnsureRowTriggers(relid, settings);
}

void ReplaceChangedRowTriggers(Oid relid, const RowTriggerSettings *settings) {
    if (!RowTriggersDiffer(relid, settings)) return;
    DropRowTriggers(relid);
    CommandCounterIncrement();
    EnsureRowTriggers(relid, settings);
}

void GuardTableAndPartitions(Oid relid, LOCKMODE lock) {
    EnsureTruncateGuard(relid);
    if (get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE) return;
    List *tree = find_all_inheritors(relid, lock, nullptr);
    ListCell *lc;
    foreach (lc, tree)
        if (lfirst_oid(lc) != relid) EnsureTruncateGuard(lfirst_oid(lc));
}

void DropTableTriggers(Oid relid) {
    // Row triggers of a partitioned table go with the parent's.
    const char *names[4] = {kDeleteTrigger, kWriteTrigger, kCascadeTrigger, kTruncateTrigger};
    for (const char *name : names) DropTriggerIfExists(relid, name);
    if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE) {
        List *tree = find_all_inheritors(relid, AccessExclusiveLock, nullptr);
        ListCell *lc;
        foreach (lc, tree) {
            Oid part = lfirst_oid(lc);
            if (part != relid) DropTriggerIfExists(part, kTruncateTrigger);
        }
    }
}

void DropLegacyViewTriggerOf(Oid view) { DropTriggerIfExists(view, kLegacyViewTrigger); }

}  // namespace softdelete
