// purge_sql.hpp — the SQL text of softdelete.purge(), built from plain
// descriptions (the PostgreSQL shell reads the catalogs, src/purge.cpp runs it).
//
// One batch of the worker is
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
// with ONLY: the worker's, which commits every batch.  $1 = the retention
// interval, $2 = the batch size (integer).
std::string BuildPurgeBatchSql(const QualifiedRelation &table, const std::string &column,
                               bool without_time_zone,
                               const std::vector<ReferencingForeignKey> &references);

// softdelete.purge() runs in its caller's transaction, where every batch of
// the statement above would walk again, in the deleted-rows index, the rows
// the earlier batches removed (they stay in the index until the transaction
// ends): time quadratic in the rows purged.  So there, one scan
//   SELECT t.ctid FROM ONLY tbl t WHERE <due>            ($1 = retention)
// read through a cursor proposes the candidates, batch by batch, and
//   DELETE FROM ONLY tbl WHERE ctid = ANY (ARRAY(
//       SELECT t.ctid FROM ONLY tbl t WHERE t.ctid = ANY ($2)
//          AND (col < now() - $1) IS TRUE AND <not referenced>
//        FOR UPDATE OF t SKIP LOCKED))                  ($2 = tid[])
// removes those still due, unreferenced and unlocked, judged with the
// batch's own snapshot (a candidate restored or changed since the scan read
// it is a new row version: not visible at its old ctid, or refused by the
// due test when the row lock follows the update).  The due test is written
// so that no index can serve it: the planner must read the candidates by Tid.
std::string BuildPurgeScanSql(const QualifiedRelation &table, const std::string &column,
                              bool without_time_zone);
std::string BuildPurgeTidBatchSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone,
                                  const std::vector<ReferencingForeignKey> &references);

// SELECT pg_catalog.count(*) FROM ONLY table WHERE <due>: rows still due after
// a run (locked by others or still referenced).  $1 = the retention interval.
std::string BuildPurgeDueCountSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone);

}  // namespace softdelete::core
