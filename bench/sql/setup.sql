-- bench/sql/setup.sql -- objects the benchmark needs in its throwaway database:
-- the `peer` implementation (hand-written PL/pgSQL soft delete, as the seed documents
-- describe it) and procedures that build identical tables for the three modes.
CREATE EXTENSION softdelete;

-- ---------------------------------------------------------------- peer mode --------
-- BEFORE DELETE row trigger: turn the delete into an UPDATE with dynamic SQL.
CREATE FUNCTION peer_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('peer.hard_delete', true) = 'on' THEN
    RETURN OLD;
  END IF;
  EXECUTE format('UPDATE %I.%I SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL',
                 TG_TABLE_SCHEMA, TG_TABLE_NAME) USING OLD.id;
  RETURN NULL;
END $$;

-- AFTER UPDATE OF deleted_at row trigger: cascade the soft delete / restore to one
-- child table (TG_ARGV[0]) through its FK column (TG_ARGV[1]).
CREATE FUNCTION peer_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
    EXECUTE format('UPDATE %I SET deleted_at = $1 WHERE %I = $2 AND deleted_at IS NULL',
                   TG_ARGV[0], TG_ARGV[1]) USING NEW.deleted_at, NEW.id;
  ELSIF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
    EXECUTE format('UPDATE %I SET deleted_at = NULL WHERE %I = $2 AND deleted_at = $1',
                   TG_ARGV[0], TG_ARGV[1]) USING OLD.deleted_at, NEW.id;
  END IF;
  RETURN NULL;
END $$;

-- Batched purge: hard-delete due rows, batch_size at a time.
CREATE FUNCTION peer_purge(tbl regclass, older_than interval, batch_size int)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  total bigint := 0;
BEGIN
  PERFORM set_config('peer.hard_delete', 'on', true);
  LOOP
    EXECUTE format('DELETE FROM %s WHERE ctid = ANY(ARRAY(SELECT ctid FROM %s
                      WHERE deleted_at < now() - $1 LIMIT $2))', tbl, tbl)
      USING older_than, batch_size;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    EXIT WHEN n = 0;
  END LOOP;
  PERFORM set_config('peer.hard_delete', 'off', true);
  RETURN total;
END $$;

-- ------------------------------------------------------------ table builders -------
-- Index set, identical in every mode once built:
--   primary key (id); UNIQUE (email) WHERE deleted_at IS NULL; (account_id); (created_at);
--   (deleted_at) WHERE deleted_at IS NOT NULL.
-- In softdelete mode the plain unique index and the deleted_at index are made by
-- softdelete.enable() (it rewrites the unique index as a partial one).
-- hide: in softdelete mode, enable(..., hide_deleted => true) (workload 5's base-table reads).
CREATE PROCEDURE build_oltp(tbl text, mode text, n bigint, hide boolean DEFAULT false)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', tbl);
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, email text NOT NULL,
                  account_id int NOT NULL, created_at timestamptz NOT NULL,
                  payload text, deleted_at timestamptz)', tbl);
  EXECUTE format('INSERT INTO %I SELECT g, ''user'' || g || ''@example.com'', g %% 50000,
                  timestamptz ''2024-01-01'' + g * interval ''1 second'', repeat(''x'', 60), NULL
                  FROM generate_series(1, %s) g', tbl, n);
  EXECUTE format('CREATE INDEX %I ON %I (account_id)', tbl || '_account_idx', tbl);
  EXECUTE format('CREATE INDEX %I ON %I (created_at)', tbl || '_created_idx', tbl);
  CALL finish_build(tbl, mode, true, hide);
END $$;

-- Mode-specific part: indexes on deleted_at / unique column, triggers, enable().
CREATE PROCEDURE finish_build(tbl text, mode text, has_email boolean, hide boolean DEFAULT false)
LANGUAGE plpgsql AS $$
BEGIN
  IF mode = 'softdelete' THEN
    IF has_email THEN
      EXECUTE format('CREATE UNIQUE INDEX %I ON %I (email)', tbl || '_email_key', tbl);
    END IF;
    PERFORM softdelete.enable(tbl::regclass, cascade => false, hide_deleted => hide);
  ELSE
    IF has_email THEN
      EXECUTE format('CREATE UNIQUE INDEX %I ON %I (email) WHERE deleted_at IS NULL',
                     tbl || '_email_key', tbl);
    END IF;
    EXECUTE format('CREATE INDEX %I ON %I (deleted_at) WHERE deleted_at IS NOT NULL',
                   tbl || '_deleted_at_idx', tbl);
    IF mode = 'peer' THEN
      EXECUTE format('CREATE TRIGGER peer_soft_delete BEFORE DELETE ON %I
                      FOR EACH ROW EXECUTE FUNCTION peer_soft_delete()', tbl);
    END IF;
  END IF;
END $$;

-- parent -> child -> grandchild, ON DELETE CASCADE, 10 children per parent and 5
-- grandchildren per child; FK columns indexed in every mode.
CREATE PROCEDURE build_cascade(sfx text, mode text, np bigint) LANGUAGE plpgsql AS $$
DECLARE
  p text := 'parent_' || sfx;
  c text := 'child_' || sfx;
  g text := 'grandchild_' || sfx;
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I, %I, %I CASCADE', g, c, p);
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, name text NOT NULL, deleted_at timestamptz)', p);
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY,
                  parent_id bigint NOT NULL REFERENCES %I ON DELETE CASCADE,
                  payload text, deleted_at timestamptz)', c, p);
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY,
                  child_id bigint NOT NULL REFERENCES %I ON DELETE CASCADE,
                  payload text, deleted_at timestamptz)', g, c);
  EXECUTE format('INSERT INTO %I SELECT i, ''parent '' || i, NULL FROM generate_series(1, %s) i', p, np);
  EXECUTE format('INSERT INTO %I SELECT i, (i - 1) / 10 + 1, repeat(''c'', 40), NULL
                  FROM generate_series(1, %s) i', c, np * 10);
  EXECUTE format('INSERT INTO %I SELECT i, (i - 1) / 5 + 1, repeat(''g'', 40), NULL
                  FROM generate_series(1, %s) i', g, np * 50);
  EXECUTE format('CREATE INDEX %I ON %I (parent_id)', c || '_parent_idx', c);
  EXECUTE format('CREATE INDEX %I ON %I (child_id)', g || '_child_idx', g);
  IF mode = 'softdelete' THEN
    PERFORM softdelete.enable(p::regclass);   -- cascade => true enables child, grandchild
  ELSE
    EXECUTE format('CREATE INDEX ON %I (deleted_at) WHERE deleted_at IS NOT NULL', p);
    EXECUTE format('CREATE INDEX ON %I (deleted_at) WHERE deleted_at IS NOT NULL', c);
    EXECUTE format('CREATE INDEX ON %I (deleted_at) WHERE deleted_at IS NOT NULL', g);
    IF mode = 'peer' THEN
      EXECUTE format('CREATE TRIGGER peer_soft_delete BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION peer_soft_delete()', p);
      EXECUTE format('CREATE TRIGGER peer_soft_delete BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION peer_soft_delete()', c);
      EXECUTE format('CREATE TRIGGER peer_soft_delete BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION peer_soft_delete()', g);
      EXECUTE format('CREATE TRIGGER peer_cascade AFTER UPDATE OF deleted_at ON %I FOR EACH ROW
                      WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
                      EXECUTE FUNCTION peer_cascade(%L, ''parent_id'')', p, c);
      EXECUTE format('CREATE TRIGGER peer_cascade AFTER UPDATE OF deleted_at ON %I FOR EACH ROW
                      WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
                      EXECUTE FUNCTION peer_cascade(%L, ''child_id'')', c, g);
    END IF;
  END IF;
END $$;

-- Purge table: ndue rows deleted 2 days ago (due) and nactive (default ndue) active rows.
-- layout 'spread': loaded that way, the due rows spread evenly over the heap (with as
-- many active rows: every even id is due). layout 'deleted': every row loaded active,
-- then the due ones soft-deleted by an UPDATE, as in real use: their new versions go to
-- the free space at the heap's end.
CREATE PROCEDURE build_purge(tbl text, mode text, ndue bigint, nactive bigint DEFAULT NULL,
                             layout text DEFAULT 'spread')
LANGUAGE plpgsql AS $$
DECLARE
  total bigint := ndue + coalesce(nactive, ndue);
  -- row g is due when g * ndue / total steps past an integer: exactly ndue due rows
  is_due text := format('(g * %s) / %s > ((g - 1) * %s) / %s', ndue, total, ndue, total);
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', tbl);
  EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, payload text, deleted_at timestamptz)', tbl);
  IF layout = 'spread' THEN
    EXECUTE format('INSERT INTO %I SELECT g, repeat(''p'', 60),
                    CASE WHEN %s THEN now() - interval ''2 days'' - g * interval ''1 ms'' END
                    FROM generate_series(1::bigint, %s) g', tbl, is_due, total);
  ELSE
    EXECUTE format('INSERT INTO %I SELECT g, repeat(''p'', 60), NULL
                    FROM generate_series(1::bigint, %s) g', tbl, total);
    EXECUTE format('UPDATE %I SET deleted_at = now() - interval ''2 days'' - id * interval ''1 ms''
                    WHERE %s', tbl, replace(is_due, 'g', 'id'));
  END IF;
  CALL finish_build(tbl, mode, false);
END $$;
