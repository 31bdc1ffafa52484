"""SQLAlchemy 1.4 ORM on softdelete: session.delete() becomes a recoverable soft delete.

What it shows (and asserts, exiting non-zero on the first wrong value):

* The ORM models are mapped to the active views (users_active, orders_active,
  order_items_active) that softdelete.enable() creates; nothing in the models knows
  about soft delete. A second set of small "record" classes maps the base tables, for
  the trash listing and for restore.
* session.delete(user) + commit: SQLAlchemy's DELETE on the view reports one row, so
  the ORM's row-count check passes (every warning is an error here, so a "expected to
  delete 1 row(s); 0 were matched" stale-data warning would fail the run).
* The user is gone from the view but still in the base table, with deleted_at = the
  deleting transaction's now(); the ON DELETE CASCADE foreign keys users -> orders ->
  order_items soft-delete the user's orders and their items with the same timestamp
  (softdelete.enable('users') enables the two child tables too: cascade => true).
* An order deleted earlier (its own deletion event) keeps its own timestamp.
* The unique email is free again (partial unique index): a new user can take it, and
  restoring the old user then fails with 23505 (IntegrityError) until the new one goes.
* Restore is a plain UPDATE of the base table (SET deleted_at = NULL): the user comes
  back with the orders and items deleted in the same event, not the earlier order.

Run by examples/run.sh (connection from PGHOST, PGPORT, PGUSER, PGDATABASE).
"""

import os
import sys
import warnings

from sqlalchemy import (Column, DateTime, ForeignKey, Integer, Numeric, String,
                        create_engine, func, select, text, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, relationship

# Any warning (SAWarning about row counts included) fails the example.
warnings.simplefilter("error")

SCHEMA = """
CREATE TABLE users (
    id        serial PRIMARY KEY,
    email     text NOT NULL UNIQUE,
    full_name text NOT NULL
);
CREATE TABLE orders (
    id      serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users ON DELETE CASCADE,
    total   numeric(10, 2) NOT NULL
);
CREATE TABLE order_items (
    id       serial PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders ON DELETE CASCADE,
    sku      text NOT NULL,
    quantity integer NOT NULL
);
-- users, and (cascade => true, the default) orders and order_items
SELECT softdelete.enable('users', cascade => true);
"""

Base = declarative_base()


# --- the application's models: mapped to the active views --------------------------
class User(Base):
    __tablename__ = "users_active"
    id = Column(Integer, primary_key=True)
    email = Column(String, nullable=False)
    full_name = Column(String, nullable=False)
    # The database cascades (ON DELETE CASCADE, soft-deleted by the extension):
    # passive_deletes keeps the ORM from loading the orders to delete them itself.
    orders = relationship("Order", back_populates="user", cascade="all, delete",
                          passive_deletes=True, order_by="Order.id")


class Order(Base):
    __tablename__ = "orders_active"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users_active.id"), nullable=False)
    total = Column(Numeric(10, 2), nullable=False)
    user = relationship("User", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", cascade="all, delete",
                         passive_deletes=True, order_by="OrderItem.id")


class OrderItem(Base):
    __tablename__ = "order_items_active"
    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders_active.id"), nullable=False)
    sku = Column(String, nullable=False)
    quantity = Column(Integer, nullable=False)
    order = relationship("Order", back_populates="items")


# --- admin side: the base tables, deleted rows included ---------------------------
class UserRecord(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    deleted_at = Column(DateTime(timezone=True))


class OrderRecord(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer)
    deleted_at = Column(DateTime(timezone=True))


class OrderItemRecord(Base):
    __tablename__ = "order_items"
    id = Column(Integer, primary_key=True)
    order_id = Column(Integer)
    deleted_at = Column(DateTime(timezone=True))


def check(what, got, expected):
    if got != expected:
        print(f"FAIL: {what}: expected {expected!r}, got {got!r}")
        sys.exit(1)
    print(f"ok: {what}: {got!r}")


def deleted_at_by_id(session, record_cls):
    rows = session.execute(select(record_cls.id, record_cls.deleted_at)
                           .order_by(record_cls.id))
    return {row.id: row.deleted_at for row in rows}


def active_ids(session, model):
    return session.execute(select(model.id).order_by(model.id)).scalars().all()


def main():
    url = "postgresql+psycopg2://{user}@/{db}?host={host}&port={port}".format(
        user=os.environ.get("PGUSER", "app"), db=os.environ["PGDATABASE"],
        host=os.environ["PGHOST"], port=os.environ.get("PGPORT", "5432"))
    engine = create_engine(url, future=True)

    with engine.begin() as conn:
        conn.exec_driver_sql(SCHEMA)

    # Alice: orders 1 (two items) and 2 (one item); Bob: order 3 (one item).
    with Session(engine, future=True) as session:
        alice = User(email="alice@example.com", full_name="Alice", orders=[
            Order(total=30, items=[OrderItem(sku="A-1", quantity=1),
                                   OrderItem(sku="A-2", quantity=2)]),
            Order(total=5, items=[OrderItem(sku="A-3", quantity=5)])])
        bob = User(email="bob@example.com", full_name="Bob", orders=[
            Order(total=12, items=[OrderItem(sku="B-1", quantity=1)])])
        session.add_all([alice, bob])
        session.commit()
        alice_id, bob_id = alice.id, bob.id
        check("users created", (alice_id, bob_id), (1, 2))
        check("orders created", active_ids(session, Order), [1, 2, 3])
        check("order items created", active_ids(session, OrderItem), [1, 2, 3, 4])

    # 1. An earlier deletion event: Alice's order 2 alone (its item 3 cascades).
    with Session(engine, future=True) as session:
        session.delete(session.get(Order, 2))
        session.commit()
        check("order 2 gone from orders_active", active_ids(session, Order), [1, 3])
        check("its item gone from order_items_active",
              active_ids(session, OrderItem), [1, 2, 4])
        earlier = deleted_at_by_id(session, OrderRecord)[2]
        check("order 2 is still in the orders table, deleted", earlier is not None, True)
        check("item 3 carries order 2's timestamp",
              deleted_at_by_id(session, OrderItemRecord)[3], earlier)

    # 2. session.delete(user): the ORM's DELETE hits users_active and must see 1 row
    #    (a mismatch would raise: warnings are errors).
    with Session(engine, future=True) as session:
        user = session.get(User, alice_id)
        session.delete(user)
        session.flush()
        event = session.execute(select(func.now())).scalar_one()
        session.commit()

        check("Alice gone from users_active", active_ids(session, User), [bob_id])
        check("session.get() no longer finds her", session.get(User, alice_id), None)
        users = deleted_at_by_id(session, UserRecord)
        check("Alice still in users, deleted_at = the transaction's now()",
              users, {alice_id: event, bob_id: None})
        check("orders: 1 cascaded with the same timestamp, 2 keeps its earlier one",
              deleted_at_by_id(session, OrderRecord), {1: event, 2: earlier, 3: None})
        check("order items of order 1 cascaded too (two levels down)",
              deleted_at_by_id(session, OrderItemRecord),
              {1: event, 2: event, 3: earlier, 4: None})
        check("orders_active shows only Bob's order", active_ids(session, Order), [3])
        check("the users table still holds both rows",
              session.execute(text("SELECT count(*) FROM users")).scalar_one(), 2)

    # 3. The unique email is free again (the UNIQUE constraint became a partial
    #    unique index): a new user takes it, and Alice's restore now fails with 23505.
    with Session(engine, future=True) as session:
        newcomer = User(email="alice@example.com", full_name="Another Alice")
        session.add(newcomer)
        session.commit()
        newcomer_id = newcomer.id
        check("a new user takes the soft-deleted user's email", newcomer_id, 3)
        try:
            session.execute(update(UserRecord).where(UserRecord.id == alice_id)
                            .values(deleted_at=None))
            session.commit()
            check("restore while the email is taken raises IntegrityError", False, True)
        except IntegrityError as exc:
            session.rollback()
            check("restore while the email is taken fails with SQLSTATE",
                  exc.orig.pgcode, "23505")
        session.delete(session.get(User, newcomer_id))
        session.commit()

    # 4. Restore: a plain UPDATE of the base table. The orders and items deleted in the
    #    same event come back; order 2 (deleted earlier) stays deleted.
    with Session(engine, future=True) as session:
        result = session.execute(update(UserRecord).where(UserRecord.id == alice_id)
                                 .values(deleted_at=None))
        session.commit()
        check("restore UPDATE matched one row", result.rowcount, 1)
        alice = session.get(User, alice_id)
        check("Alice is back in users_active", (alice.id, alice.full_name),
              (alice_id, "Alice"))
        check("with order 1 (not order 2)", [o.id for o in alice.orders], [1])
        check("and its two items", [(i.sku, i.quantity) for i in alice.orders[0].items],
              [("A-1", 1), ("A-2", 2)])
        check("order 2 and its item stay deleted",
              (deleted_at_by_id(session, OrderRecord)[2],
               deleted_at_by_id(session, OrderItemRecord)[3]), (earlier, earlier))
        check("users_active", active_ids(session, User), [alice_id, bob_id])

    engine.dispose()
    print("sqlalchemy example: all assertions passed")


if __name__ == "__main__":
    main()
