-- composite_cascade.sql: cascade and restore along multi-column foreign keys (README, Features):
-- every key column is matched exactly (text, uuid, cross-type int columns), and a child
-- row with a NULL foreign-key column (MATCH SIMPLE: it references nothing) is never
-- cascaded or restored.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA composite_test;
SET search_path = composite_test;

CREATE TABLE account (
    tenant text NOT NULL,
    id     uuid NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE project (
    tenant     text,
    id         int8 NOT NULL,
    account_id uuid,
    PRIMARY KEY (id),
    UNIQUE (tenant, id),
    FOREIGN KEY (tenant, account_id) REFERENCES account ON DELETE CASCADE
);
CREATE INDEX ON project (tenant, account_id);
-- int4 referencing int8: a cross-type operator.
CREATE TABLE task (
    id         int PRIMARY KEY,
    tenant     text NOT NULL,
    project_id int4,
    FOREIGN KEY (tenant, project_id) REFERENCES project (tenant, id) ON DELETE CASCADE
);
CREATE INDEX ON task (tenant, project_id);

INSERT INTO account VALUES
  ('acme',  '00000000-0000-0000-0000-000000000001'),
  ('acme',  '00000000-0000-0000-0000-000000000002'),
  ('beta',  '00000000-0000-0000-0000-000000000001'),
  ('beta',  '00000000-0000-0000-0000-000000000002'),
  ('gamma', '00000000-0000-0000-0000-000000000001');
INSERT INTO project VALUES
  ('acme',  1, '00000000-0000-0000-0000-000000000001'),
  ('acme',  2, '00000000-0000-0000-0000-000000000001'),
  ('acme',  3, '00000000-0000-0000-0000-000000000002'),
  ('beta',  4, '00000000-0000-0000-0000-000000000001'),
  ('beta',  5, '00000000-0000-0000-0000-000000000002'),
  ('gamma', 6, '00000000-0000-0000-0000-000000000001'),
  (NULL,    7, '00000000-0000-0000-0000-000000000001'),  -- NULL tenant: no parent
  ('acme',  8, NULL);                                    -- NULL account: no parent
INSERT INTO task VALUES
  (10, 'acme', 1), (11, 'acme', 2), (12, 'acme', 3), (13, 'beta', 4), (14, 'beta', 5),
  (15, 'gamma', 6), (16, 'acme', 8), (17, 'acme', NULL), (18, 'beta', NULL);
SELECT softdelete.enable('account');

-- Account 1 of acme and of beta, in one statement: exactly their projects and tasks.
DELETE FROM account WHERE id = '00000000-0000-0000-0000-000000000001' AND tenant <> 'gamma';
SELECT tenant, id, deleted_at IS NOT NULL AS deleted FROM account ORDER BY tenant, id;
SELECT tenant, id, account_id, deleted_at IS NOT NULL AS deleted FROM project ORDER BY id;
SELECT id, tenant, project_id, deleted_at IS NOT NULL AS deleted FROM task ORDER BY id;
SELECT count(DISTINCT deleted_at) AS events FROM (
  SELECT deleted_at FROM account UNION ALL SELECT deleted_at FROM project
  UNION ALL SELECT deleted_at FROM task) s WHERE deleted_at IS NOT NULL;

-- A later event in the same tenant; then restoring acme's first event restores only it.
DELETE FROM project WHERE id = 3;
UPDATE account SET deleted_at = NULL
 WHERE tenant = 'acme' AND id = '00000000-0000-0000-0000-000000000001';
SELECT tenant, id, account_id, deleted_at IS NOT NULL AS deleted FROM project ORDER BY id;
SELECT id, tenant, project_id, deleted_at IS NOT NULL AS deleted FROM task ORDER BY id;

-- The rows with NULL foreign-key columns are untouched by any cascade.
UPDATE account SET deleted_at = NULL WHERE deleted_at IS NOT NULL;
UPDATE project SET deleted_at = NULL WHERE id = 3;
DELETE FROM account;
SELECT id, deleted_at IS NOT NULL AS deleted FROM project ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM task ORDER BY id;
UPDATE account SET deleted_at = NULL;
SELECT count(*) FILTER (WHERE deleted_at IS NOT NULL) AS still_deleted FROM project;
SELECT count(*) FILTER (WHERE deleted_at IS NOT NULL) AS still_deleted FROM task;

-- Many keys over several tenants.
INSERT INTO account
  SELECT 't' || (g % 7), ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
    FROM generate_series(100, 1099) g;
INSERT INTO project
  SELECT 't' || (g % 7), 1000 + g * 3 + k,
         ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
    FROM generate_series(100, 1099) g, generate_series(0, 2) k;
INSERT INTO task SELECT 100000 + p.id, p.tenant, p.id FROM project p WHERE p.id >= 1000;
DELETE FROM account WHERE tenant LIKE 't%' AND id < '00000000-0000-0000-0000-000000000600';
SELECT (SELECT count(*) FROM account WHERE deleted_at IS NOT NULL) AS accounts,
       (SELECT count(*) FROM project WHERE deleted_at IS NOT NULL) AS projects,
       (SELECT count(*) FROM task WHERE deleted_at IS NOT NULL) AS tasks;
-- exact: every deleted project belongs to a deleted account, and the reverse
SELECT count(*) AS mismatched FROM project p JOIN account a
    ON a.tenant = p.tenant AND a.id = p.account_id
 WHERE (a.deleted_at IS NULL) <> (p.deleted_at IS NULL);
UPDATE account SET deleted_at = NULL WHERE tenant LIKE 't%';
SELECT (SELECT count(*) FROM project WHERE deleted_at IS NOT NULL) AS projects,
       (SELECT count(*) FROM task WHERE deleted_at IS NOT NULL) AS tasks;

DROP SCHEMA composite_test CASCADE;
