// table_triggers.hpp — the triggers enable() puts on a table: the row
// triggers (which carry the table's settings as arguments) and the TRUNCATE
// guard; made, compared, re-made and dropped here.
#pragma once

extern "C" {
#include "postgres.h"
#include "storage/lockdefs.h"
}

#include "ext_catalog.hpp"

namespace softdelete {

// The settings a table's row triggers carry (core/trigger_args.hpp).
struct RowTriggerSettings {
    const char *column;
    bool audit;
    bool hide_deleted;
};

RowTriggerSettings SettingsOf(const CatalogRow &row);

// From the relcache (which, unlike an SPI read under REPEATABLE READ, shows
// the triggers as CREATE / DROP TRIGGER will find them).
bool TriggerExists(Oid relid, const char *name);
// True when relid has our BEFORE DELETE row trigger.
bool HasDeleteTrigger(Oid relid);
void DropTriggerIfExists(Oid relid, const char *name);

// Creates the row triggers that are missing; re-creates them all first when
// they carry other settings (the column was renamed, audit or hide_deleted
// changed, or 0.2.0 made them).
void RefreshRowTriggers(Oid relid, const RowTriggerSettings *settings);

// After DDL (a renamed soft-delete column): re-creates the row triggers only
// when they carry other settings; creates none that is missing (a restore
// creates them itself, in the dump's order).
void ReplaceChangedRowTriggers(Oid relid, const RowTriggerSettings *settings);

// The TRUNCATE guard on relid and, for a partitioned table, on every
// partition (row triggers are cloned to partitions by PostgreSQL itself;
// statement triggers are not), locking the partitions with `lock`.
void GuardTableAndPartitions(Oid relid, LOCKMODE lock);

// Drops every trigger enable() made on relid (and its partitions' guards).
void DropTableTriggers(Oid relid);

// Drops the INSTEAD OF DELETE trigger 0.2.0 put on an active view.
void DropLegacyViewTriggerOf(Oid view);

}  // namespace softdelete
