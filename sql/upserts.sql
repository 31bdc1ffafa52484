-- upserts.sql: INSERT ... ON CONFLICT (cols) keeps working once enable() made the
-- unique constraint a partial index (README, Usage): the index predicate is implied,
-- from the table and through the active view.  ON CONFLICT ON CONSTRAINT of a
-- converted constraint fails with PostgreSQL's own error (an index is no
-- constraint): name the columns instead.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_ups;
SET search_path = sd_ups, public;

CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL UNIQUE, nick text,
                       visits int NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX accounts_nick_lower ON accounts (lower(nick));
INSERT INTO accounts (email, nick) VALUES ('a@x', 'Ann'), ('b@x', 'Bob');
SET client_min_messages = warning;
SELECT softdelete.enable('accounts');
RESET client_min_messages;
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'sd_ups' ORDER BY 1;

\set QUIET off
-- DO UPDATE on an active row
INSERT INTO accounts (email, nick) VALUES ('a@x', 'x') ON CONFLICT (email)
DO UPDATE SET visits = accounts.visits + 1 RETURNING id, email, visits;
-- DO NOTHING
INSERT INTO accounts (email, nick) VALUES ('b@x', 'y') ON CONFLICT (email) DO NOTHING;
-- a soft-deleted row does not conflict: the upsert inserts a new active row
DELETE FROM accounts WHERE email = 'b@x';
INSERT INTO accounts (email, nick) VALUES ('b@x', 'Bob2') ON CONFLICT (email)
DO UPDATE SET visits = accounts.visits + 1 RETURNING email, nick, visits;
-- an expression index
INSERT INTO accounts (email, nick) VALUES ('c@x', 'ANN') ON CONFLICT (lower(nick))
DO UPDATE SET visits = accounts.visits + 10 RETURNING email, nick, visits;
-- the explicit predicate still works
INSERT INTO accounts (email, nick) VALUES ('a@x', 'z') ON CONFLICT (email) WHERE deleted_at IS NULL
DO UPDATE SET visits = accounts.visits + 1 RETURNING email, visits;
-- through the active view
INSERT INTO accounts_active (email, nick) VALUES ('a@x', 'v') ON CONFLICT (email)
DO UPDATE SET visits = excluded.visits + 100 RETURNING email, visits;
INSERT INTO accounts_active (email, nick) VALUES ('d@x', 'Dan') ON CONFLICT (email) DO NOTHING;
\set QUIET on
SELECT email, nick, visits, deleted_at IS NOT NULL AS deleted FROM accounts ORDER BY id;
-- ON CONFLICT ON CONSTRAINT: the constraint is a partial unique index now
\set VERBOSITY sqlstate
INSERT INTO accounts (email) VALUES ('a@x') ON CONFLICT ON CONSTRAINT accounts_email_key DO NOTHING;
\set VERBOSITY default
INSERT INTO accounts (email) VALUES ('a@x') ON CONFLICT ON CONSTRAINT accounts_email_key DO NOTHING;
-- the primary key is a constraint still
INSERT INTO accounts (id, email) VALUES (1, 'e@x') ON CONFLICT ON CONSTRAINT accounts_pkey DO NOTHING;
-- a table that hides its soft-deleted rows: the same
SELECT softdelete.enable('accounts', hide_deleted => true);
\set QUIET off
INSERT INTO accounts (email, nick) VALUES ('b@x', 'x') ON CONFLICT (email)
DO UPDATE SET visits = accounts.visits + 1 RETURNING email, nick, visits;
\set QUIET on
SET softdelete.visibility = 'all';
SELECT email, nick, visits, deleted_at IS NOT NULL AS deleted FROM accounts ORDER BY id;
RESET softdelete.visibility;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_ups CASCADE;
RESET client_min_messages;
