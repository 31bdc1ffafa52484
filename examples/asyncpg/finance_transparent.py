"""asyncpg, transparent mode (0.3.0): the finance-tracker repository on the table itself.

One call, softdelete.enable('transactions', audit => true, hide_deleted => true), and
the repository reads and writes `transactions` with plain SQL: no active view, no
"AND deleted_at IS NULL" in its queries, a plain DELETE to delete. What it asserts
(exiting non-zero on the first wrong value):

* DELETE FROM transactions reports "DELETE 1" (also as the first statement of a new
  connection: the library is preloaded), and RETURNING gives the row as stored:
  deleted_at = the transaction's now() in UTC (a TIMESTAMP column, sessions in
  America/New_York), deleted_by / deleted_reason from softdelete.actor /
  softdelete.reason, updated_at from the table's own BEFORE UPDATE trigger.
* The row is invisible to every SELECT (a new connection's first one too); deleting it
  again reports "DELETE 0" and keeps its timestamp; so does deleting another user's row.
* One prepared DELETE (asyncpg's statement cache), run eight times, so that
  PostgreSQL may switch to a generic plan, reports "DELETE 1" each time.
* Two sessions deleting the same row: the second waits, then reports "DELETE 0".
* The trash is a SELECT under SET LOCAL softdelete.visibility = 'deleted'; restore is
  "UPDATE 1" under that setting, then "UPDATE 0"; it clears the audit columns.
* SET softdelete.visibility = 'bogus' raises InvalidParameterValueError (22023) and
  changes nothing. softdelete.purge() still sees the hidden rows.

Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import asyncio
import sys
from decimal import Decimal

import asyncpg

SCHEMA = """
CREATE TABLE transactions (
    id          SERIAL PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    amount      DECIMAL(12, 2) NOT NULL,
    description TEXT,
    deleted_at  TIMESTAMP DEFAULT NULL,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE FUNCTION transactions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now() AT TIME ZONE 'UTC';
    RETURN NEW;
END $$;
CREATE TRIGGER transactions_touch BEFORE UPDATE ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_touch();
SELECT softdelete.enable('transactions', audit => true, hide_deleted => true);
"""


class TransactionRepository:
    """Plain SQL on the table: soft delete is the database's business."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def create(self, user_id: int, amount: str, description: str) -> int:
        return await self.conn.fetchval(
            "INSERT INTO transactions (user_id, amount, description) VALUES ($1, $2, $3)"
            " RETURNING id", user_id, Decimal(amount), description)

    async def get_ids(self, user_id: int):
        return [r["id"] for r in await self.conn.fetch(
            "SELECT id FROM transactions WHERE user_id = $1 ORDER BY id", user_id)]

    async def delete(self, tx_id: int, user_id: int) -> str:
        """The DELETE's status: 'DELETE 1', or 'DELETE 0' if nothing was deleted."""
        return await self.conn.execute(
            "DELETE FROM transactions WHERE id = $1 AND user_id = $2", tx_id, user_id)

    async def delete_with_reason(self, tx_id: int, user_id: int, reason: str):
        async with self.conn.transaction():
            await self.conn.execute("SELECT set_config('softdelete.actor', $1, true),"
                                    " set_config('softdelete.reason', $2, true)",
                                    f"user:{user_id}", reason)
            return await self.conn.fetchrow(
                "DELETE FROM transactions WHERE id = $1 AND user_id = $2"
                " RETURNING deleted_at, deleted_by, deleted_reason, updated_at",
                tx_id, user_id)

    async def trash(self, user_id: int):
        async with self.conn.transaction():
            await self.conn.execute("SET LOCAL softdelete.visibility = 'deleted'")
            return [tuple(r) for r in await self.conn.fetch(
                "SELECT id, deleted_by, deleted_reason FROM transactions"
                " WHERE user_id = $1 ORDER BY id", user_id)]

    async def restore(self, tx_id: int, user_id: int) -> str:
        async with self.conn.transaction():
            await self.conn.execute("SET LOCAL softdelete.visibility = 'deleted'")
            return await self.conn.execute(
                "UPDATE transactions SET deleted_at = NULL WHERE id = $1 AND user_id = $2",
                tx_id, user_id)


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


async def wait_until_blocked(conn: asyncpg.Connection, pid: int) -> None:
    for _ in range(1000):
        if await conn.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity"
                               " WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.01)
    check(f"backend {pid} waits for the row lock", False, True)


async def main():
    pool = await asyncpg.create_pool(min_size=2, max_size=2,
                                     server_settings={"TimeZone": "America/New_York"})
    async with pool.acquire() as conn:
        await conn.execute(SCHEMA)
        repo = TransactionRepository(conn)
        ids = [await repo.create(1, a, d) for a, d in [
            ("-42.50", "groceries"), ("-42.50", "groceries (twice)"), ("1200.00", "salary"),
            ("-9.99", "music")]] + [await repo.create(2, "-3.20", "coffee")]
        check("transactions created", ids, [1, 2, 3, 4, 5])

        # --- DELETE on the table: the real count, RETURNING the stored row --------
        async with conn.transaction():
            now_utc = await conn.fetchval("SELECT now() AT TIME ZONE 'UTC'")
            row = await repo.delete_with_reason(2, 1, "duplicate")
        check("DELETE ... RETURNING deleted_at, deleted_by, deleted_reason, updated_at",
              tuple(row), (now_utc, "user:1", "duplicate", now_utc))
        check("user 1's transactions", await repo.get_ids(1), [1, 3, 4])
        check("SELECT by id finds nothing",
              await conn.fetchrow("SELECT * FROM transactions WHERE id = 2"), None)
        check("count(*)", await conn.fetchval("SELECT count(*) FROM transactions"), 4)
        check("deleting it again", await repo.delete(2, 1), "DELETE 0")
        check("deleting another user's transaction", await repo.delete(5, 1), "DELETE 0")
        # New connections: their first statement is already planned by the extension
        # (the library is preloaded, not loaded by the first trigger that fires).
        fresh = await asyncpg.connect()
        check("a new connection's first statement, a DELETE (simple protocol)",
              await fresh.execute("DELETE FROM transactions WHERE id = 4"), "DELETE 1")
        await fresh.close()
        fresh = await asyncpg.connect()
        check("another one's first statement, a SELECT",
              await fresh.fetchval("SELECT count(*) FROM transactions"), 3)
        await fresh.close()

        # --- one prepared statement, eight executions ------------------------------
        batch = [await repo.create(3, "1.00", f"fee {i}") for i in range(8)]
        check("eight deletes with the cached statement",
              [await repo.delete(i, 3) for i in batch], ["DELETE 1"] * 8)
        check("and again", [await repo.delete(i, 3) for i in batch], ["DELETE 0"] * 8)

        # --- two sessions delete the same transaction at once ----------------------
        async with pool.acquire() as other:
            first = conn.transaction()
            await first.start()
            check("first session", await repo.delete(3, 1), "DELETE 1")
            second = asyncio.ensure_future(TransactionRepository(other).delete(3, 1))
            await wait_until_blocked(conn, other.get_server_pid())
            await first.commit()
            check("the second waits, then reports", await second, "DELETE 0")

        # --- trash and restore -----------------------------------------------------
        check("trash (visibility 'deleted')", await repo.trash(1),
              [(2, "user:1", "duplicate"), (3, "app", None), (4, "app", None)])
        check("outside the transaction, the active rows again", await repo.get_ids(1),
              [1])
        async with conn.transaction():
            restored = await repo.restore(2, 1)
            restore_utc = await conn.fetchval("SELECT now() AT TIME ZONE 'UTC'")
        check("restore", restored, "UPDATE 1")
        check("restore again", await repo.restore(2, 1), "UPDATE 0")
        check("restored row: audit columns cleared, updated_at touched", tuple(
            await conn.fetchrow("SELECT deleted_at, deleted_by, deleted_reason, updated_at"
                                " FROM transactions WHERE id = 2")),
              (None, None, None, restore_utc))
        check("user 1's transactions", await repo.get_ids(1), [1, 2])

        # --- a bad visibility value is refused and changes nothing -----------------
        try:
            await conn.execute("SET softdelete.visibility = 'bogus'")
            check("SET softdelete.visibility = 'bogus' raises", False, True)
        except asyncpg.InvalidParameterValueError as exc:
            check("SET softdelete.visibility = 'bogus' fails with SQLSTATE",
                  exc.sqlstate, "22023")
        check("the setting", await conn.fetchval("SHOW softdelete.visibility"), "active")
        check("what queries see", await repo.get_ids(1), [1, 2])

        # --- the purge sees hidden rows ---------------------------------------------
        check("purge of everything deleted", await conn.fetchval(
            "SELECT softdelete.purge('transactions', older_than => '0')"), 10)
        await conn.execute("SET softdelete.visibility = 'all'")
        check("every row left (visibility 'all')",
              await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM transactions"),
              [1, 2, 5])
    await pool.close()
    print("asyncpg transparent example: all assertions passed")


if __name__ == "__main__":
    asyncio.run(main())
