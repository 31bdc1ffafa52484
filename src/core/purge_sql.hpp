// purge_sql.hpp — the SQL text of softdelete.purge(), built from plain
// descriptions (the PostgreSQL shell reads the catalogs, src/purge.cpp runs it).
//
// One batch is three steps, so that a reference is judged only once the row
// can no longer gain one, and on every row of the referencing table:
//
//  1. lock (as the purged table's owner): the candidates, still due, locked
//     FOR UPDATE SKIP LOCKED, with the columns other tables reference:
//       SELECT t.ctid, t.k1, ... FROM ONLY tbl t WHERE <due> ...
//       FOR UPDATE OF t SKIP LOCKED
//     Once locked, no new reference can appear: inserting or updating a
//     referencing row takes a KEY SHARE lock on the row, which waits.
//  2. check (as each referencing table's owner, with row-level security not
//     applied, on a snapshot taken after the lock, as PostgreSQL's own
//     referential checks do): which candidates are still referenced
//       SELECT k.t FROM ROWS FROM (unnest($1), unnest($2), ...) k(t, a1, ...)
//        WHERE EXISTS (SELECT 1 FROM [ONLY] child c WHERE k.a1 OP c.f1 ...)
//  3. delete (as the owner): DELETE FROM ONLY tbl WHERE ctid = ANY ($1), the
//     candidates no foreign key references.
//
// <due> is "col IS NOT NULL AND col < now() - $1".  Identifiers are quoted,
// names schema-qualified, operators qualified.
#pragma once

#include <string>
#include <vector>

#include "ddl.hpp"

namespace softdelete::core {

// A foreign key whose referenced table holds the rows being purged.
struct ReferencingForeignKey {
    QualifiedRelation table;    // the referencing table
    bool only = true;           // scan it with ONLY (false: a partitioned table)
    bool same_table = false;    // the purged rows are rows of `table` (self-reference):
                                // a row referencing only itself does not keep itself
    ForeignKeyColumns columns;  // child = referencing, parent = purged table's columns;
                                // eq_operators compare parent (left) with child (right)
};

// Step 1 for the background worker, which commits every batch:
//   SELECT t.ctid, t.k1, ... FROM ONLY tbl t WHERE <due>
//     [AND NOT EXISTS (... referencing rows ...) for each of `prefilter`]
//     AND NOT (t.ctid = ANY ($3)) LIMIT $2 FOR UPDATE OF t SKIP LOCKED
// $1 = the retention interval, $2 = the batch size, $3 = tid[] of rows found
// referenced earlier in this pass.  `prefilter` lists the foreign keys whose
// referencing rows the owner may read in full: rows they reference are not
// proposed again and again (step 2 still decides).
std::string BuildPurgeLockDueSql(const QualifiedRelation &table, const std::string &column,
                                 bool without_time_zone,
                                 const std::vector<std::string> &key_columns,
                                 const std::vector<ReferencingForeignKey> &prefilter);

// softdelete.purge() runs in its caller's transaction, where every batch of
// the statement above would walk again, in the deleted-rows index, the rows
// the earlier batches removed (they stay in the index until the transaction
// ends): time quadratic in the rows purged.  So there, one scan
//   SELECT t.ctid FROM ONLY tbl t WHERE <due>            ($1 = retention)
// read through a cursor proposes the candidates, batch by batch, and step 1 is
//   SELECT t.ctid, t.k1, ... FROM ONLY tbl t WHERE t.ctid = ANY ($2)
//      AND (col < now() - $1) IS TRUE FOR UPDATE OF t SKIP LOCKED
// (a candidate restored or changed since the scan read it is a new row
// version: not visible at its old ctid, or refused by the due test when the
// row lock follows the update).  The due test is written so that no index can
// serve it: the planner must read the candidates by Tid.
std::string BuildPurgeScanSql(const QualifiedRelation &table, const std::string &column,
                              bool without_time_zone);
std::string BuildPurgeLockCandidatesSql(const QualifiedRelation &table, const std::string &column,
                                        bool without_time_zone,
                                        const std::vector<std::string> &key_columns);

// Step 2 for one foreign key: $1 = tid[] of the candidates, $2.. = one array
// per referenced column (in fk.columns order), and for a self-reference
// $n+2 = the OID of the purged relation (a row referencing itself does not
// count).  Returns the tids of the candidates some row references.
std::string BuildReferencedCandidatesSql(const ReferencingForeignKey &fk);

// Step 3: DELETE FROM ONLY tbl WHERE ctid = ANY ($1).
std::string BuildPurgeDeleteSql(const QualifiedRelation &table);

// SELECT pg_catalog.count(*) FROM ONLY table WHERE <due>: rows still due after
// a run (locked by others or still referenced).  $1 = the retention interval.
std::string BuildPurgeDueCountSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone);

}  // namespace softdelete::core
