"""asyncpg: the finance-tracker TransactionRepository, rewritten to rely on softdelete.

The hand-made version (a deleted_at TIMESTAMP column, a hand-written
active_transactions view, soft delete as an UPDATE the repository has to remember to
run, and a hand-written purge built by string formatting) becomes:

* the same table, plus one call:
  softdelete.enable('transactions', view_name => 'active_transactions',
                    retention => '90 days', audit => true)
  which creates the active_transactions view, the deleted-rows index, the audit
  columns deleted_by / deleted_reason, and makes every DELETE a soft delete;
* a repository that reads and writes the view and deletes with a plain DELETE
  (whose status, "DELETE 1", is the answer), restores with
  UPDATE ... SET deleted_at = NULL, and purges with softdelete.purge().

What it asserts (exiting non-zero on the first wrong value):

* DELETE through the view reports 1 row and RETURNING gives the new deleted_at; the
  row leaves active_transactions and stays in transactions.
* deleted_at is a TIMESTAMP (without time zone) column, as in the original schema:
  the extension writes the transaction's now() in UTC, whatever the session's
  TimeZone (this example runs its sessions in America/New_York).
* A BEFORE UPDATE trigger keeping updated_at fresh fires on soft delete and restore.
* deleted_by / deleted_reason come from softdelete.actor / softdelete.reason set
  with SET LOCAL semantics (set_config(..., true)); restore clears them.
* Deleting another user's transaction, or one already deleted, reports 0 rows and
  keeps the original timestamp.
* Two sessions deleting the same transaction at the same time: the second waits for
  the first, then reports 0 rows (exactly one deletion counted).
* A DELETE on the base table also soft-deletes and reports "DELETE 1": the library
  is loaded (preloaded by examples/run.sh; a DELETE planned before the library is
  loaded reports "DELETE 0"). finance_transparent.py has a repository on the table.
* Bulk delete of a user's transactions reports the exact count.
* Restore is "UPDATE 1" once, then "UPDATE 0".
* Retention purge: a transaction deleted 100 days ago goes (dry run first, then for
  real), one deleted today stays; softdelete.purge_log and softdelete.status agree.

Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import asyncio
import datetime
import sys
from decimal import Decimal
from typing import List, Optional

import asyncpg

SCHEMA = """
CREATE TABLE transactions (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    description TEXT,
    category_id INTEGER,

    -- Soft delete: NULL = active, timestamp = deleted (filled in by softdelete, in UTC)
    deleted_at TIMESTAMP DEFAULT NULL,

    -- Audit trail
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    created_by INTEGER,

    CONSTRAINT chk_amount_nonzero CHECK (amount != 0)
);

-- Index only active records for faster queries
CREATE INDEX idx_transactions_active
    ON transactions (user_id, created_at DESC)
    WHERE deleted_at IS NULL;

-- updated_at follows every UPDATE, the soft delete and the restore included
CREATE FUNCTION transactions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now() AT TIME ZONE 'UTC';
    RETURN NEW;
END $$;
CREATE TRIGGER transactions_touch BEFORE UPDATE ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_touch();

-- Everything else the hand-made version did: the view, the soft delete, the purge.
SELECT softdelete.enable('transactions', view_name => 'active_transactions',
                         retention => '90 days', audit => true);
"""


class TransactionRepository:
    """Repository over softdelete: the application only sees active_transactions."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def create(self, user_id: int, account_id: int,
                     amount: Decimal, description: str) -> int:
        """Create a new transaction (base-table defaults apply through the view)."""
        return await self.conn.fetchval('''
            INSERT INTO active_transactions
                (user_id, account_id, amount, description, created_by)
            VALUES ($1, $2, $3, $4, $1)
            RETURNING id
        ''', user_id, account_id, amount, description)

    async def get_active(self, user_id: int, limit: int = 50) -> List[dict]:
        """Active (non-deleted) transactions: the view never shows deleted ones."""
        rows = await self.conn.fetch('''
            SELECT * FROM active_transactions
            WHERE user_id = $1
            ORDER BY created_at DESC, id DESC
            LIMIT $2
        ''', user_id, limit)
        return [dict(r) for r in rows]

    async def soft_delete(self, tx_id: int, user_id: int,
                          reason: str = "") -> Optional[datetime.datetime]:
        """Soft delete a transaction: a plain DELETE. Returns its deleted_at (UTC),
        or None when there was nothing to delete (not found, other user's, deleted)."""
        async with self.conn.transaction():
            await self.conn.execute(
                "SELECT set_config('softdelete.actor', $1, true),"
                "       set_config('softdelete.reason', $2, true)",
                f"user:{user_id}", reason)
            return await self.conn.fetchval('''
                DELETE FROM active_transactions
                WHERE id = $1 AND user_id = $2
                RETURNING deleted_at
            ''', tx_id, user_id)

    async def soft_delete_all(self, user_id: int) -> int:
        """Soft delete every active transaction of a user; returns how many."""
        status = await self.conn.execute(
            "DELETE FROM active_transactions WHERE user_id = $1", user_id)
        return int(status.split()[-1])

    async def restore(self, tx_id: int, user_id: int) -> bool:
        """Restore a soft-deleted transaction (clears deleted_by / deleted_reason)."""
        result = await self.conn.execute('''
            UPDATE transactions
            SET deleted_at = NULL
            WHERE id = $1 AND user_id = $2 AND deleted_at IS NOT NULL
        ''', tx_id, user_id)
        return result == 'UPDATE 1'

    async def get_deleted(self, user_id: int) -> List[dict]:
        """Deleted transactions (for a recovery UI)."""
        rows = await self.conn.fetch('''
            SELECT * FROM transactions
            WHERE user_id = $1 AND deleted_at IS NOT NULL
            ORDER BY deleted_at DESC, id
        ''', user_id)
        return [dict(r) for r in rows]

    async def hard_delete_old(self, days: Optional[int] = None,
                              dry_run: bool = False) -> int:
        """Permanently delete transactions soft-deleted more than `days` ago (default:
        the table's retention, 90 days). Returns how many (would) go."""
        return await self.conn.fetchval('''
            SELECT softdelete.purge('transactions'::regclass,
                                    make_interval(days => $1), dry_run => $2)
        ''', days, dry_run)


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


async def wait_until_blocked(conn: asyncpg.Connection, pid: int) -> None:
    """Wait until backend `pid` waits for a lock (at most 10 s)."""
    for _ in range(1000):
        waiting = await conn.fetchval(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid)
        if waiting:
            return
        await asyncio.sleep(0.01)
    check(f"backend {pid} waits for the row lock", False, True)


async def main():
    # Sessions in New York: deleted_at (a TIMESTAMP column) is still written in UTC.
    pool = await asyncpg.create_pool(min_size=3, max_size=3,
                                     server_settings={"TimeZone": "America/New_York"})
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)
        repo = TransactionRepository(conn)

        ids = [await repo.create(1, 10, Decimal(a), d) for a, d in
               [("-42.50", "groceries"), ("-42.50", "groceries (twice)"),
                ("1200.00", "salary"), ("-9.99", "music")]]
        ids.append(await repo.create(2, 20, Decimal("-3.20"), "coffee"))
        check("transactions created", ids, [1, 2, 3, 4, 5])
        check("user 1 sees four", [r["id"] for r in await repo.get_active(1)],
              [4, 3, 2, 1])

        # --- soft delete through the view ------------------------------------------
        async with conn.transaction():
            now_utc = await conn.fetchval("SELECT now() AT TIME ZONE 'UTC'")
            deleted_at = await repo.soft_delete(2, 1, reason="duplicate")
        check("DELETE ... RETURNING deleted_at = the transaction's now() in UTC",
              deleted_at, now_utc)
        check("gone from active_transactions",
              [r["id"] for r in await repo.get_active(1)], [4, 3, 1])
        trash = await repo.get_deleted(1)
        check("still in transactions, with audit columns and a fresh updated_at",
              [(r["id"], r["amount"], r["deleted_at"], r["deleted_by"],
                r["deleted_reason"], r["updated_at"]) for r in trash],
              [(2, Decimal("-42.50"), now_utc, "user:1", "duplicate", now_utc)])

        check("another user's transaction: nothing deleted",
              await repo.soft_delete(5, 1), None)
        check("an already deleted one: nothing deleted", await repo.soft_delete(2, 1),
              None)
        check("and it keeps its first timestamp",
              [r["deleted_at"] for r in await repo.get_deleted(1)], [now_utc])

        # --- two sessions delete the same transaction at once ----------------------
        async with pool.acquire() as other:
            other_pid = other.get_server_pid()
            first = conn.transaction()
            await first.start()
            first_at = await repo.soft_delete(3, 1)
            second = asyncio.ensure_future(
                TransactionRepository(other).soft_delete(3, 1))
            await wait_until_blocked(conn, other_pid)
            await first.commit()
            check("concurrent delete: the first session deletes it",
                  first_at is not None, True)
            check("the second waits, then reports nothing deleted", await second, None)
        check("transaction 3 deleted once, with the first session's timestamp",
              await conn.fetchval("SELECT deleted_at FROM transactions WHERE id = 3"),
              first_at)

        # --- the base table: also soft, and (library preloaded) counted -------------
        status = await conn.execute("DELETE FROM transactions WHERE id = 4")
        check("DELETE on the base table reports", status, "DELETE 1")
        check("yet transaction 4 is soft-deleted",
              await conn.fetchval("SELECT deleted_at IS NOT NULL FROM transactions"
                                  " WHERE id = 4"), True)

        check("bulk delete of user 2's transactions", await repo.soft_delete_all(2), 1)
        check("user 2 sees none", await repo.get_active(2), [])

        # --- restore ----------------------------------------------------------------
        async with conn.transaction():
            restored = await repo.restore(2, 1)
            restore_utc = await conn.fetchval("SELECT now() AT TIME ZONE 'UTC'")
        check("restore", restored, True)
        check("restore again: nothing to do", await repo.restore(2, 1), False)
        row = await conn.fetchrow("SELECT * FROM active_transactions WHERE id = 2")
        check("restored row: active, audit columns cleared, updated_at touched",
              (row["deleted_at"], row["deleted_by"], row["deleted_reason"],
               row["updated_at"]), (None, None, None, restore_utc))
        check("user 1 sees", [r["id"] for r in await repo.get_active(1)], [2, 1])

        # --- retention purge (replaces the string-formatted DELETE) ------------------
        await conn.execute("UPDATE transactions SET deleted_at = deleted_at"
                           " - interval '100 days' WHERE id = 3")
        check("dry run: one transaction is due", await repo.hard_delete_old(
            dry_run=True), 1)
        check("nothing removed by the dry run",
              await conn.fetchval("SELECT count(*) FROM transactions"), 5)
        check("purge with the table's 90-day retention", await repo.hard_delete_old(), 1)
        check("transaction 3 is gone for good, 4 and 5 (deleted today) stay",
              [tuple(r) for r in await conn.fetch(
                  "SELECT id, deleted_at IS NULL FROM transactions ORDER BY id")],
              [(1, True), (2, True), (4, False), (5, False)])
        check("purge older than 0 days takes the rest", await repo.hard_delete_old(0), 2)
        log = await conn.fetch("SELECT relation, rows_purged, error"
                               " FROM softdelete.purge_log ORDER BY id")
        check("softdelete.purge_log",
              [tuple(r) for r in log], [("public.transactions", 1, None),
                                        ("public.transactions", 2, None)])
        status = await conn.fetchrow("SELECT relation::text, active_view::text,"
                                     " retention, deleted_rows FROM softdelete.status")
        check("softdelete.status", tuple(status),
              ("transactions", "active_transactions", datetime.timedelta(days=90), 0))
        check("active transactions left",
              [r["id"] for r in await repo.get_active(1)], [2, 1])
    await pool.close()
    print("asyncpg example: all assertions passed")


if __name__ == "__main__":
    asyncio.run(main())
