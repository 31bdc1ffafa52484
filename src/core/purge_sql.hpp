// purge_sql.hpp — the SQL text of softdelete.purge(), built from plain
// descriptions (the PostgreSQL shell reads the catalogs, src/purge.cpp runs it).
//
// One batch is
//   DELETE FROM ONLY tbl WHERE ctid = ANY (ARRAY(
//       SELECT t.ctid FROM ONLY tbl t WHERE <due> AND <not referenced>
//        LIMIT $2 FOR UPDATE OF t SKIP LOCKED))
// so rows locked by others are skipped (left for the next run).  The rows the
// inner SELECT returns stay locked by this statement until it ends, so no one
// can restore or change them before the DELETE: the outer statement needs no
// second <due> test.  It must not have one: the planner would then be free to
// drive the DELETE by the deleted-rows index and test ctid = ANY(batch) on
// every due row (batch x due comparisons) instead of a Tid Scan of the batch.
// <due> is "col IS NOT NULL AND col < now() - $1"; <not referenced> is a NOT
// EXISTS per foreign key that can reference the table.
// Identifiers are quoted, names schema-qualified, operators qualified.
#pragma once

#include <string>
#include <vector>

#include "ddl.hpp"

namespace softdelete::core {

// A foreign key whose referenced table holds the rows being purged.
struct ReferencingForeignKey {
    QualifiedRelation table;  // the referencing table
    bool only = true;         // scan it with ONLY (false: a partitioned table)
    bool same_table = false;  // the purged rows are rows of `table` (self-reference):
                              // a row referencing only itself does not keep itself
    ForeignKeyColumns columns;  // child = referencing, parent = purged table's columns;
                                // eq_operators compare parent (left) with child (right)
};

// One purge batch of a table (a regular table or one leaf partition), scanned
// with ONLY.  $1 = the retention interval, $2 = the batch size (integer).
std::string BuildPurgeBatchSql(const QualifiedRelation &table, const std::string &column,
                               bool without_time_zone,
                               const std::vector<ReferencingForeignKey> &references);

// SELECT pg_catalog.count(*) FROM ONLY table WHERE <due>: rows still due after
// a run (locked by others or still referenced).  $1 = the retention interval.
std::string BuildPurgeDueCountSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone);

}  // namespace softdelete::core
