"""SQLAlchemy 1.4 ORM, transparent mode (0.3.0): the models map the tables themselves.

softdelete.enable('users', hide_deleted => true) and nothing else: the ORM models are
mapped to users / orders / order_items (not the _active views), with a version
counter (version_id_col), and the application has no soft-delete code. What it
asserts (exiting non-zero on the first wrong value; every warning is an error):

* session.delete(user) + commit: the ORM's "DELETE ... WHERE id = ? AND version_id = ?"
  reports DELETE 1 (the library is preloaded), so no StaleDataError; a DELETE with an
  outdated version matches nothing and does raise StaleDataError, as before enable().
* The user, and (ON DELETE CASCADE + passive_deletes) her orders and their items, are
  soft-deleted with the transaction's now() and vanish from every session query.
* The trash (SET LOCAL softdelete.visibility = 'deleted') lists them; restore is
  UPDATE ... SET deleted_at = NULL under that setting, and brings back the orders and
  items of the same deletion event only.
* The unique email is free again (partial unique index): a new user takes it, and the
  restore then fails with 23505 until the new one goes.
* insert().on_conflict_do_update(index_elements=['email']) works on the converted
  index: it updates the active row, and a soft-deleted row's email gets a new row.

Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import os
import sys
import warnings

from sqlalchemy import (Column, ForeignKey, Integer, Numeric, String, create_engine,
                        func, select, text)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, relationship
from sqlalchemy.orm.exc import StaleDataError

warnings.simplefilter("error")

SCHEMA = """
CREATE TABLE users (
    id         serial PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    full_name  text NOT NULL,
    version_id integer NOT NULL
);
CREATE TABLE orders (
    id      serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users ON DELETE CASCADE,
    total   numeric(10, 2) NOT NULL
);
CREATE TABLE order_items (
    id       serial PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders ON DELETE CASCADE,
    sku      text NOT NULL
);
SELECT softdelete.enable('users', hide_deleted => true);  -- and orders, order_items
"""

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String, nullable=False)
    full_name = Column(String, nullable=False)
    version_id = Column(Integer, nullable=False)
    orders = relationship("Order", back_populates="user", cascade="all, delete",
                          passive_deletes=True, order_by="Order.id")
    __mapper_args__ = {"version_id_col": version_id}


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    total = Column(Numeric(10, 2), nullable=False)
    user = relationship("User", back_populates="orders")
    items = relationship("OrderItem", cascade="all, delete", passive_deletes=True,
                         order_by="OrderItem.id")


class OrderItem(Base):
    __tablename__ = "order_items"
    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    sku = Column(String, nullable=False)


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


def ids(session, model):
    return session.execute(select(model.id).order_by(model.id)).scalars().all()


def deleted_at(session, table):
    """id -> deleted_at of every row of `table` (visibility 'all', this transaction)."""
    session.execute(text("SET LOCAL softdelete.visibility = 'all'"))
    rows = session.execute(text(f"SELECT id, deleted_at FROM {table} ORDER BY id"))
    result = dict(rows.all())
    session.rollback()                        # ends the SET LOCAL
    return result


def main():
    url = "postgresql+psycopg2://{user}@/{db}?host={host}&port={port}".format(
        user=os.environ.get("PGUSER", "app"), db=os.environ["PGDATABASE"],
        host=os.environ["PGHOST"], port=os.environ.get("PGPORT", "5432"))
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.exec_driver_sql(SCHEMA)

    with Session(engine) as s:
        s.add_all([
            User(email="alice@example.com", full_name="Alice", orders=[
                Order(total=30, items=[OrderItem(sku="A-1"), OrderItem(sku="A-2")]),
                Order(total=5, items=[OrderItem(sku="A-3")])]),
            User(email="bob@example.com", full_name="Bob", orders=[
                Order(total=12, items=[OrderItem(sku="B-1")])])])
        s.commit()
        check("created", (ids(s, User), ids(s, Order), ids(s, OrderItem)),
              ([1, 2], [1, 2, 3], [1, 2, 3, 4]))

    # 1. The version check still works: a DELETE of an outdated version matches nothing.
    with Session(engine) as s1, Session(engine) as s2:
        stale = s1.get(User, 1)
        s2.get(User, 1).full_name = "Alice A."
        s2.commit()
        check("a concurrent rename bumps the version", s2.get(User, 1).version_id, 2)
        s1.delete(stale)
        try:
            s1.commit()
            check("deleting an outdated version raises StaleDataError", False, True)
        except StaleDataError as exc:
            check("deleting an outdated version raises StaleDataError",
                  "0 were matched" in str(exc), True)

    # 2. session.delete() of the current version: DELETE 1, no StaleDataError.
    with Session(engine) as s:
        s.delete(s.get(User, 1))
        s.flush()
        event = s.execute(select(func.now())).scalar_one()
        s.commit()
        check("session.get() no longer finds her", s.get(User, 1), None)
        check("users, orders, order_items seen by the ORM",
              (ids(s, User), ids(s, Order), ids(s, OrderItem)), ([2], [3], [4]))
        check("users table", deleted_at(s, "users"), {1: event, 2: None})
        check("orders cascaded, same timestamp", deleted_at(s, "orders"),
              {1: event, 2: event, 3: None})
        check("order items too", deleted_at(s, "order_items"),
              {1: event, 2: event, 3: event, 4: None})

    # 3. The trash: the same models under visibility 'deleted'.
    with Session(engine) as s:
        s.execute(text("SET LOCAL softdelete.visibility = 'deleted'"))
        check("trash", [tuple(r) for r in s.execute(select(User.id, User.email))],
              [(1, "alice@example.com")])
        s.commit()
        check("after the transaction: active rows again", ids(s, User), [2])

    # 4. The email is free again; its new owner blocks the restore (23505).
    with Session(engine) as s:
        newcomer = User(email="alice@example.com", full_name="Another Alice")
        s.add(newcomer)
        s.commit()
        check("a new user takes the deleted user's email", newcomer.id, 3)
        try:
            s.execute(text("SET LOCAL softdelete.visibility = 'deleted'"))
            s.execute(text("UPDATE users SET deleted_at = NULL WHERE id = 1"))
            check("restore while the email is taken raises IntegrityError", False, True)
        except IntegrityError as exc:
            check("restore while the email is taken fails with SQLSTATE",
                  exc.orig.pgcode, "23505")
            s.rollback()
        s.delete(newcomer)
        s.commit()

    # 5. Restore: UPDATE under visibility 'deleted'; the same event comes back.
    with Session(engine) as s:
        s.execute(text("SET LOCAL softdelete.visibility = 'deleted'"))
        result = s.execute(text("UPDATE users SET deleted_at = NULL WHERE id = :id"),
                           {"id": 1})
        check("restore UPDATE matched one row", result.rowcount, 1)
        s.commit()
        alice = s.get(User, 1)
        check("Alice is back, orders and items with her",
              (alice.full_name, alice.version_id,
               [(o.id, [i.sku for i in o.items]) for o in alice.orders]),
              ("Alice A.", 2, [(1, ["A-1", "A-2"]), (2, ["A-3"])]))
        check("the newcomer stays deleted", ids(s, User), [1, 2])

    # 6. Upserts name the column, as before enable() (the index predicate is implied).
    def upsert(s, email, name):
        stmt = insert(User).values(email=email, full_name=name, version_id=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["email"], set_={"full_name": stmt.excluded.full_name,
                                            "version_id": User.version_id + 1})
        return tuple(s.execute(stmt.returning(User.id, User.full_name,
                                              User.version_id)).one())

    with Session(engine) as s:
        check("upsert of an active user's email updates the user",
              upsert(s, "bob@example.com", "Robert"), (2, "Robert", 2))
        s.commit()
        s.delete(s.get(User, 2))
        s.commit()
        # (id 4 went to the first upsert: the sequence is read before the conflict)
        check("upsert of a deleted user's email inserts a new user",
              upsert(s, "bob@example.com", "Bobby"), (5, "Bobby", 1))
        s.commit()
        check("users seen by the ORM", [tuple(r) for r in s.execute(
            select(User.id, User.email).order_by(User.id))],
              [(1, "alice@example.com"), (5, "bob@example.com")])

    engine.dispose()
    print("sqlalchemy transparent example: all assertions passed")


if __name__ == "__main__":
    main()
