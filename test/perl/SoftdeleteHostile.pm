# SoftdeleteHostile.pm -- generator and harness of the hostile-input test
# (test/t/020_hostile_input.pl; the cases that are known bugs run from
# test/pending/020_hostile_input_bugs.pl, when there are any).
#
# cases() builds, deterministically, a list of cases: one SQL statement calling
# softdelete.enable, disable, set_retention, purge, table_stats or the status view, or
# SETting a softdelete.* setting (a few also DELETE/UPDATE/TRUNCATE an enabled table),
# with odd arguments, and the outcome expected: 'ok' or a SQLSTATE. run_case() runs one
# case in its own psql session:
#
#   setup (superuser) -> snapshot S0 -> [SET ROLE r] [pre] -> the call -> SELECT 'alive'
#   -> RESET ROLE -> [check, after a success] -> RESET ALL -> snapshot S1
#   -> after a success: disable() every table the call enabled -> snapshot S2
#      -> [restore -> snapshot S3] -> drop the columns the call added -> teardown
#
# and asserts:
#   - psql ran to the end and the backend answered after the call (the test also reads
#     the server log after every case: no "terminated by signal", PANIC or TRAP);
#   - the call succeeded or failed as expected; a failure's SQLSTATE is one the contract
#     (README, Usage) or PostgreSQL's own argument parsing allows (%KNOWN_SQLSTATE),
#     and its primary message names the object (table, column, view or parameter);
#   - after a failure, S1 = S0: no partial objects (softdelete.tables and
#     unique_indexes rows, softdelete_* triggers, relations, views, indexes,
#     constraints, columns, event triggers, extension members, role settings);
#   - after a success: the case's check output is what it should be; S1 = S0 for calls
#     that must change nothing ("same": double enable, purge, status, SET);
#     otherwise disable() of what the call enabled gives S0 back but for the kept
#     soft-delete (and audit) columns (S2), or, for a case that changed a table enabled
#     before (retention, audit, ...), its restore gives S0 exactly (S3).
package SoftdeleteHostile;

use strict;
use warnings;
use utf8;
use Exporter 'import';

our @EXPORT_OK = qw(fixture_sql cases run_case qi ql);

# SQLSTATEs a failure may have. The contract's (README, Usage, plus 23505 of
# disable), and those PostgreSQL itself raises while parsing an argument (regclass,
# interval, integer, name input; SET of a setting) before the extension runs.
our %KNOWN_SQLSTATE = (
    '42P01' => 'undefined table',
    '42809' => 'wrong object type',
    '42501' => 'insufficient privilege',
    '42804' => 'datatype mismatch',
    '0A000' => 'feature not supported',
    '42P07' => 'duplicate table',
    '22004' => 'null value not allowed',
    '22023' => 'invalid parameter value',
    '55000' => 'object not in prerequisite state',
    '23505' => 'unique violation (disable)',
    # PostgreSQL's own argument parsing
    '22007' => 'invalid datetime format (interval input)',
    '22008' => 'datetime field overflow (interval input)',
    '22015' => 'interval field overflow (interval input)',
    '22003' => 'numeric value out of range (integer input)',
    '22P02' => 'invalid text representation (integer, boolean input)',
    '42601' => 'syntax error (regclass input, SET)',
    '42602' => 'invalid name (reserved softdelete.* prefix)',
    '3F000' => 'invalid schema name (regclass input)',
    '55P02' => 'cannot change parameter now (SET of a sighup setting)',
    '42883' => 'undefined function (call with a wrong argument type)',
    '42725' => 'ambiguous function',
    '39P01' => 'trigger protocol violated (a trigger function called directly)',
    '42701' => 'duplicate column (column_name = a dropped column\'s placeholder name)',
);

sub qi {    # quote an identifier
    my ($s) = @_;
    $s =~ s/"/""/g;
    return qq{"$s"};
}

sub ql {    # quote a literal
    my ($s) = @_;
    $s =~ s/'/''/g;
    return qq{'$s'};
}

# regclass literal of schema.name
sub rel { my ($schema, $name) = @_; return ql(qi($schema) . '.' . qi($name)); }

# Truncation to NAMEDATALEN-1 = 63 bytes on a UTF-8 character boundary, as
# PostgreSQL does with identifiers and name values.
sub trunc63 {
    my ($s) = @_;
    use bytes ();
    my $b = $s;
    utf8::encode($b);
    return $s if length($b) <= 63;
    my $out = '';
    for my $ch (split //, $s) {
        my $c = $ch;
        utf8::encode($c);
        my $o = $out;
        utf8::encode($o);
        last if length($o) + length($c) > 63;
        $out .= $ch;
    }
    return $out;
}

sub bytelen { my ($s) = @_; my $b = $s; utf8::encode($b); return length $b; }

my $ODD = 'Hostile Schema.ü';    # schema of the odd-named tables

# Odd names: each becomes a table "Hostile Schema.ü".<name> (id int PRIMARY KEY,
# <name> text UNIQUE, 3 rows) and the subject of the per-name cases.
sub odd_names {
    return (
        'select', 'user', 'MixedCase', 'with space', 'dot.ted', 'q"uote', "apos'trophe",
        'ünïcödé', "\x{65e5}\x{672c}\x{8a9e}\x{30c6}\x{30fc}\x{30d6}\x{30eb}",
        "bin\x{1f5d1}", 'back\\slash', 'semi;colon -- x', 'dollar$$quote', '%s%s%n%x',
        "new\nline", "tab\there", '1digit', ' lead', '*', '"', 'a/*c*/b', '$1',
        'OPERATOR(pg_catalog.=)', '_active', 'deleted_at',
        'n' x 56,                # the default view name is exactly 63 bytes
        'm' x 57,                # the default view name would be truncated: 42P07
        'x' x 63,                # 63 bytes
        "\x{e9}" x 31,           # 62 bytes of 2-byte characters
    );
}

# --- fixtures --------------------------------------------------------------------
sub fixture_sql {
    my @sql;
    push @sql, <<'SQL';
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
CREATE ROLE hostile_owner;
CREATE ROLE hostile_other;
CREATE SCHEMA h;
GRANT USAGE, CREATE ON SCHEMA h TO PUBLIC;
CREATE SCHEMA h2;
GRANT USAGE ON SCHEMA h2 TO PUBLIC;
CREATE SCHEMA h_private;            -- no USAGE for PUBLIC
CREATE TABLE h_private.t (id int PRIMARY KEY);
ALTER TABLE h_private.t OWNER TO hostile_other;

-- the work horse: enabled and disabled again and again
CREATE TABLE h.plain (id int PRIMARY KEY, code text UNIQUE, note text);
INSERT INTO h.plain VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three');
CREATE TABLE h2.plain (id int PRIMARY KEY);          -- same name, other schema
-- enabled from the start (retention 7 days)
CREATE TABLE h.enabled (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO h.enabled VALUES (1, 'a'), (2, 'b');
SELECT softdelete.enable('h.enabled', retention => '7 days');
-- purge: 3 rows due after a day, 2 deleted now, 2 active
CREATE TABLE h.purgeable (id int PRIMARY KEY);
SELECT softdelete.enable('h.purgeable', retention => '1 day');
-- columns of every type
CREATE DOMAIN h.tsdom AS timestamptz;
CREATE TABLE h.types (
    id int PRIMARY KEY, c_text text, c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz,
    c_tstz0 timestamptz(0), c_date date, c_int int, c_bigint bigint, c_name name,
    c_bool boolean, c_arr timestamptz[], c_json jsonb, c_dom h.tsdom, c_interval interval,
    c_time time, c_timetz timetz, c_notnull timestamptz NOT NULL DEFAULT now());
INSERT INTO h.types (id, c_ts, c_tstz, c_date, c_int) VALUES
    (1, '2020-01-01', '2020-01-01', '2020-01-01', 1), (2, NULL, NULL, NULL, NULL);
-- a dropped column
CREATE TABLE h.dropped (id int PRIMARY KEY, gone timestamptz, keep int);
ALTER TABLE h.dropped DROP COLUMN gone;
-- storage and kinds
CREATE UNLOGGED TABLE h.unlogged (id int PRIMARY KEY, u text UNIQUE);
INSERT INTO h.unlogged VALUES (1, 'x');
CREATE TABLE h.parted (id int, k int, ts timestamptz, u text)
    PARTITION BY LIST (k);
CREATE TABLE h.parted_1 PARTITION OF h.parted FOR VALUES IN (1);
CREATE TABLE h.parted_2 PARTITION OF h.parted FOR VALUES IN (2) PARTITION BY RANGE (ts);
CREATE TABLE h.parted_2a PARTITION OF h.parted_2 FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
CREATE TABLE h.parted_def PARTITION OF h.parted DEFAULT;
INSERT INTO h.parted VALUES (1, 1, now(), 'a'), (2, 2, now(), 'b'), (3, 3, now(), 'c');
CREATE TABLE h.parted_empty (id int, k int) PARTITION BY HASH (id);
CREATE TABLE h.inh_parent (id int PRIMARY KEY);
CREATE TABLE h.inh_child (extra text) INHERITS (h.inh_parent);
CREATE TABLE h.fk_parent (id int PRIMARY KEY);
CREATE TABLE h.fk_child (id int PRIMARY KEY,
    parent_id int REFERENCES h.fk_parent ON DELETE CASCADE);
CREATE TABLE h.fk_grandchild (id int PRIMARY KEY,
    child_id int REFERENCES h.fk_child ON DELETE CASCADE);
CREATE TABLE h.fk_restrict (id int PRIMARY KEY, parent_id int REFERENCES h.fk_parent);
CREATE TABLE h.selfref (id int PRIMARY KEY, parent int REFERENCES h.selfref ON DELETE CASCADE);
CREATE TABLE h.cycle_a (id int PRIMARY KEY, b_id int);
CREATE TABLE h.cycle_b (id int PRIMARY KEY, a_id int REFERENCES h.cycle_a ON DELETE CASCADE);
ALTER TABLE h.cycle_a ADD FOREIGN KEY (b_id) REFERENCES h.cycle_b ON DELETE CASCADE;
CREATE TABLE h.nocols ();
CREATE TABLE h.uniq_kinds (id int PRIMARY KEY, a int, b int, c int, d text,
    CONSTRAINT uk_ab UNIQUE (a, b), CONSTRAINT uk_def UNIQUE (c) DEFERRABLE,
    CONSTRAINT uk_nnd UNIQUE NULLS NOT DISTINCT (d));
CREATE UNIQUE INDEX uk_expr ON h.uniq_kinds (lower(d)) WHERE a > 0;
CREATE UNIQUE INDEX uk_incl ON h.uniq_kinds (b) INCLUDE (c);
-- a soft-deleted row that duplicates an active one: disable() cannot restore "dup_code"
CREATE TABLE h.dups (id int PRIMARY KEY, code text CONSTRAINT dup_code UNIQUE);
SELECT softdelete.enable('h.dups');
INSERT INTO h.dups VALUES (1, 'same');
DELETE FROM h.dups WHERE id = 1;
INSERT INTO h.dups VALUES (2, 'same');
-- name clashes for the objects enable() creates
CREATE TABLE h.clash (id int PRIMARY KEY);
CREATE TABLE h.clash_active (x int);
CREATE INDEX clash_deleted_at_deleted ON h.clash (id);
-- not tables
CREATE VIEW h.v AS SELECT * FROM h.plain;
CREATE MATERIALIZED VIEW h.mv AS SELECT * FROM h.plain;
CREATE SEQUENCE h.seq;
CREATE FOREIGN DATA WRAPPER hostile_fdw;
CREATE SERVER hostile_server FOREIGN DATA WRAPPER hostile_fdw;
CREATE FOREIGN TABLE h.ft (id int) SERVER hostile_server;
CREATE TYPE h.comp AS (a int);
-- other owners: hostile_owner owns these; hostile_other owns o_parent, whose cascade
-- child o_child belongs to hostile_owner
CREATE TABLE h.owned (id int PRIMARY KEY);
ALTER TABLE h.owned OWNER TO hostile_owner;
CREATE TABLE h.owned_enabled (id int PRIMARY KEY);
ALTER TABLE h.owned_enabled OWNER TO hostile_owner;
GRANT SELECT, DELETE ON h.owned_enabled TO hostile_other;
SET ROLE hostile_owner;
SELECT softdelete.enable('h.owned_enabled', retention => '1 day');
RESET ROLE;
INSERT INTO h.owned_enabled VALUES (1), (2);
CREATE TABLE h.o_parent (id int PRIMARY KEY);
ALTER TABLE h.o_parent OWNER TO hostile_other;
CREATE TABLE h.o_child (id int PRIMARY KEY, p int REFERENCES h.o_parent ON DELETE CASCADE);
ALTER TABLE h.o_child OWNER TO hostile_owner;
CREATE TABLE h.other_owned (id int PRIMARY KEY);
ALTER TABLE h.other_owned OWNER TO hostile_other;
-- an audited table for the softdelete.actor / reason settings
CREATE TABLE h.audited (id int PRIMARY KEY);
SELECT softdelete.enable('h.audited', audit => true);
GRANT SELECT, INSERT, DELETE ON h.audited TO hostile_other;
-- a huge retention (see the pending bug cases)
CREATE TABLE h.huge (id int PRIMARY KEY);

-- A schema of booby traps: operators and functions with the names the extension uses,
-- for exact argument types, raising EV001 when called. With search_path = h_evil,
-- pg_catalog they win over pg_catalog's (README, Usage: never called).
CREATE SCHEMA h_evil;
GRANT USAGE ON SCHEMA h_evil TO PUBLIC;
CREATE FUNCTION h_evil.boom() RETURNS text LANGUAGE plpgsql AS
    $$BEGIN RAISE EXCEPTION USING ERRCODE = 'EV001', MESSAGE = 'booby trap called'; END$$;
CREATE FUNCTION h_evil.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT h_evil.boom()::timestamptz';
CREATE FUNCTION h_evil.current_setting(text) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.current_setting(text, boolean) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.format(text, text) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.format(text, text, text) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.quote_ident(text) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.lower(text) RETURNS text LANGUAGE sql AS 'SELECT h_evil.boom()';
CREATE FUNCTION h_evil.max(timestamptz) RETURNS timestamptz LANGUAGE sql AS 'SELECT h_evil.boom()::timestamptz';
SQL
    # Operators: "=" for the types the extension compares, "<" and "-" for the cutoff.
    my @ops = (
        [ '=', 'oid', 'oid' ], [ '=', 'integer', 'integer' ], [ '=', 'bigint', 'bigint' ],
        [ '=', 'text', 'text' ], [ '=', 'name', 'name' ], [ '=', 'tid', 'tid' ],
        [ '=', 'regclass', 'regclass' ], [ '=', '"char"', '"char"' ],
        [ '=', 'smallint', 'smallint' ], [ '<>', 'oid', 'oid' ], [ '<>', 'integer', 'integer' ],
        [ '<', 'timestamptz', 'timestamptz' ], [ '<', 'timestamp', 'timestamp' ],
        [ '-', 'timestamptz', 'interval' ], [ '>', 'integer', 'integer' ],
        [ '=', 'timestamptz', 'timestamptz' ], [ '<', 'interval', 'interval' ],
    );
    my $i = 0;
    for my $op (@ops) {
        my ($name, $l, $r) = @$op;
        my $ret = $name eq '-' ? 'timestamptz' : 'boolean';
        $i++;
        push @sql, "CREATE FUNCTION h_evil.op$i($l, $r) RETURNS $ret LANGUAGE sql AS "
          . "'SELECT h_evil.boom()::$ret';\n"
          . "CREATE OPERATOR h_evil.$name (LEFTARG = $l, RIGHTARG = $r, FUNCTION = h_evil.op$i);\n";
    }
    push @sql, <<'SQL';
-- Helpers of the harness (not part of what is tested).
CREATE SCHEMA hostile_admin;
-- disable() every table enabled since "enabled_before" (children first)
CREATE FUNCTION hostile_admin.disable_new(enabled_before oid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT relation FROM softdelete.tables
              WHERE relation::oid <> ALL (enabled_before) ORDER BY relation::oid DESC LOOP
        PERFORM softdelete.disable(r.relation);
    END LOOP;
END $$;
-- drop the columns added since "cols_before" (attrelid:attname), parents first
CREATE FUNCTION hostile_admin.drop_new_columns(cols_before text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record; n int := 1;
BEGIN
    WHILE n > 0 LOOP
        n := 0;
        FOR r IN SELECT a.attrelid::regclass AS rel, a.attname FROM pg_attribute a
                   JOIN pg_class c ON c.oid = a.attrelid
                  WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attinhcount = 0
                    AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace)
                    AND (a.attrelid::text || ':' || a.attname) <> ALL (cols_before) LOOP
            EXECUTE format('ALTER TABLE %s DROP COLUMN %I', r.rel, r.attname);
            n := n + 1;
        END LOOP;
    END LOOP;
END $$;
-- the purge fixture's rows, again
CREATE FUNCTION hostile_admin.refill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL softdelete.hard_delete = on;
    DELETE FROM h.purgeable;
    INSERT INTO h.purgeable SELECT g, NULL FROM generate_series(1, 7) g;
    UPDATE h.purgeable SET deleted_at = now() - interval '2 days' WHERE id <= 3;
    UPDATE h.purgeable SET deleted_at = now() - interval '1 minute' WHERE id IN (4, 5);
END $$;
SELECT hostile_admin.refill();
SQL
    # the odd-named tables
    push @sql, 'CREATE SCHEMA ' . qi($ODD) . ";\n";
    push @sql, 'GRANT USAGE, CREATE ON SCHEMA ' . qi($ODD) . " TO PUBLIC;\n";
    for my $n (odd_names()) {
        my $t = qi($ODD) . '.' . qi($n);
        push @sql, "CREATE TABLE $t (id int PRIMARY KEY, " . qi($n) . " text UNIQUE);\n";
        push @sql, "INSERT INTO $t VALUES (1, 'a'), (2, 'b'), (3, 'c');\n";
    }
    push @sql, "RESET client_min_messages;\n";
    my $sql = join('', @sql);
    utf8::encode($sql);
    return $sql;
}

# --- the snapshot of everything softdelete may create or change --------------------
my $USER_NSP = q{n.nspname NOT IN ('pg_catalog', 'pg_toast', 'hostile_admin')
                 AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'};
my $SNAPSHOT = <<"SQL";
SELECT replace(s || ' ' || line, E'\\n', '\\n') FROM (
  SELECT 'tables' AS s, format('%s col=%s view=%s vname=%s idx=%s cascade=%s retention=%s audit=%s',
         relation, column_name, active_view, view_name, deleted_index, "cascade", retention, audit) AS line
    FROM softdelete.tables
  UNION ALL
  SELECT 'uidx', format('%s %s constraint=%s %s', relation, index, was_constraint, original_definition)
    FROM softdelete.unique_indexes
  UNION ALL
  SELECT 'trigger', format('%s %s', t.tgrelid::regclass, pg_get_triggerdef(t.oid))
    FROM pg_trigger t WHERE t.tgname LIKE 'softdelete%'
  UNION ALL
  SELECT 'rel', format('%s kind=%s owner=%s acl=%s opts=%s', c.oid::regclass, c.relkind,
         c.relowner::regrole, c.relacl, c.reloptions)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE $USER_NSP
  UNION ALL
  SELECT 'view', format('%s %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'v' AND $USER_NSP AND n.nspname <> 'information_schema'
  UNION ALL
  SELECT 'index', pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE $USER_NSP
  UNION ALL
  SELECT 'constraint', format('%s %s %s', co.conrelid::regclass, co.conname, pg_get_constraintdef(co.oid))
    FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE $USER_NSP
  UNION ALL
  SELECT 'column', format('%s #%s %s %s notnull=%s default=%s', a.attrelid::regclass,
         row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), a.attname,
         format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     AND $USER_NSP AND n.nspname <> 'information_schema'
  UNION ALL
  SELECT 'evtrigger', format('%s %s %s %s %s', evtname, evtevent, evtenabled, evtfoid::regproc, evttags)
    FROM pg_event_trigger
  UNION ALL
  SELECT 'extension', format('members=%s version=%s', (SELECT count(*) FROM pg_depend d
         WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'),
         e.extversion)
    FROM pg_extension e WHERE e.extname = 'softdelete'
  UNION ALL
  SELECT 'setting', format('%s %s %s', setdatabase, setrole, setconfig) FROM pg_db_role_setting
) x ORDER BY s COLLATE "C", line COLLATE "C";
SQL

# --- the cases -----------------------------------------------------------------------
# Fields: label, call (one SQL statement), expect ('ok', a SQLSTATE or [SQLSTATEs]),
# names (strings the error message must contain), as (role for the call), pre (SQL
# before the call, as that role), setup / teardown (superuser, around everything),
# check => [sql, expected output] (after a success, superuser), same => 1 (a success
# must change nothing), restore (superuser SQL after undoing a success), bug (a known
# defect: run only by the pending test).
# cases(server_version_num => N): the cases for a server of that version (a few
# outcomes come from PostgreSQL's own argument parsing, which changed in 17).
sub cases {
    my (%opt) = @_;
    my $pgver = $opt{server_version_num} or die 'cases(): server_version_num missing';
    my @c;
    my $add = sub { push @c, {@_}; };
    # h.enabled as the fixture made it (also after enable(audit => true), which only
    # disable() undoes)
    my $reenable = "SELECT softdelete.disable(relation) FROM softdelete.tables WHERE relation = 'h.enabled'::regclass;\n"
      . "SELECT hostile_admin.drop_new_columns(:'cols_before');\n"
      . "UPDATE h.enabled SET deleted_at = NULL;\n"
      . "SELECT softdelete.enable('h.enabled', retention => '7 days')";

    # 1. NULL for each argument of each function --------------------------------------
    my %null_args = (
        enable => [ "'h.plain'", "'deleted_at'", 'NULL', 'true', 'NULL', 'false' ],
        disable => ["'h.enabled'"],
        set_retention => [ "'h.enabled'", "'7 days'" ],
        purge => [ "'h.purgeable'", "'0'", '10', 'true' ],
        table_stats => [ "'h.enabled'", "'deleted_at'", "'7 days'" ],
    );
    # what NULL in position i gives; undef = ok
    my %null_expect = (
        enable => [ '22004', '22004', undef, undef, undef, undef ],
        disable => ['22004'],
        set_retention => [ '22004', undef ],
        purge => [ undef, undef, '22004', '22004' ],
        table_stats => [ undef, undef, undef ],
    );
    my %null_names = (
        enable => [ 'table', 'column_name' ], disable => ['table'],
        set_retention => ['table'], purge => [ undef, undef, 'batch_size', 'dry_run' ],
    );
    for my $f (sort keys %null_args) {
        my @args = @{ $null_args{$f} };
        for my $i (0 .. $#args) {
            my @a = @args;
            $a[$i] = 'NULL';
            my $exp = $null_expect{$f}[$i];
            my %extra;
            # NULL retention on the enabled table clears nothing (NULL = keep), but
            # set_retention(t, NULL) clears it: restore
            $extra{restore} = "SELECT softdelete.set_retention('h.enabled', '7 days')"
              if $f eq 'set_retention';
            $extra{same} = 1 if $f eq 'table_stats';
            $extra{restore} = 'SELECT hostile_admin.refill()' if $f eq 'purge';
            $add->(
                label => "$f: NULL argument " . ($i + 1),
                call => "SELECT softdelete.$f(" . join(', ', @a) . ')',
                expect => $exp // 'ok',
                names => $exp ? [ $null_names{$f}[$i] // () ] : [],
                %extra,
            );
        }
        # every argument NULL
        my $exp = $null_expect{$f}[0] // $null_expect{$f}[2] // 'ok';
        $add->(
            label => "$f: all arguments NULL",
            call => "SELECT softdelete.$f(" . join(', ', ('NULL') x @args) . ')',
            expect => $exp, same => ($exp eq 'ok' ? 1 : 0),
        );
    }
    # NULL through a typed cast and the named-argument form
    $add->(label => 'enable: NULL::regclass', call => 'SELECT softdelete.enable(NULL::regclass)',
           expect => '22004', names => ['table']);
    $add->(label => 'enable: tbl => NULL, named', call => 'SELECT softdelete.enable(tbl => NULL)',
           expect => '22004', names => ['table']);
    $add->(label => 'enable: column_name => NULL::name',
           call => "SELECT softdelete.enable('h.plain', column_name => NULL::name)",
           expect => '22004', names => ['column_name']);
    $add->(label => 'enable: cascade => NULL enables the cascade children',
           call => "SELECT softdelete.enable('h.fk_parent', \"cascade\" => NULL)", expect => 'ok',
           check => [ "SELECT string_agg(relation::text, ',' ORDER BY relation::text) FROM softdelete.tables WHERE relation::text LIKE 'h.fk%'",
                      'h.fk_child,h.fk_grandchild,h.fk_parent' ]);
    $add->(label => 'enable: audit => NULL adds no audit columns',
           call => "SELECT softdelete.enable('h.plain', audit => NULL)", expect => 'ok',
           check => [ q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'h.plain'::regclass AND attname IN ('deleted_by', 'deleted_reason') AND NOT attisdropped}, '0' ]);
    $add->(label => 'purge: all defaults as a superuser',
           call => 'SELECT softdelete.purge()', expect => 'ok', same => 1,
           restore => 'SELECT hostile_admin.refill()');
    $add->(label => 'status: NULL filters',
           call => 'SELECT count(*) FROM softdelete.status WHERE relation = NULL', expect => 'ok', same => 1);

    # 2. empty names --------------------------------------------------------------------
    $add->(label => "enable: column_name ''", call => "SELECT softdelete.enable('h.plain', column_name => '')",
           expect => '22023', names => ['column_name']);
    $add->(label => "enable: view_name ''", call => "SELECT softdelete.enable('h.plain', view_name => '')",
           expect => '22023', names => ['view_name']);
    $add->(label => "enable: tbl ''", call => "SELECT softdelete.enable('')",
           expect => '42602', names => []);
    $add->(label => "enable: tbl '\"\"'", call => q{SELECT softdelete.enable('""')},
           expect => '42P01', names => ['""']);
    $add->(label => "enable: tbl ' '", call => "SELECT softdelete.enable(' ')", expect => '42602');
    $add->(label => "enable: tbl '-' (InvalidOid)", call => "SELECT softdelete.enable('-')",
           expect => '42P01', names => ['0']);
    $add->(label => "disable: tbl '-'", call => "SELECT softdelete.disable('-')",
           expect => '42P01', names => ['0']);
    $add->(label => "set_retention: tbl 0::regclass", call => "SELECT softdelete.set_retention(0::regclass, '1 day')",
           expect => '42P01', names => ['0']);
    $add->(label => "purge: tbl '-' (InvalidOid)", call => "SELECT softdelete.purge('-', dry_run => true)",
           expect => '42P01', names => ['0'], same => 1);
    $add->(label => "table_stats: tbl 0::regclass", call => "SELECT softdelete.table_stats(0::regclass, 'deleted_at', NULL)",
           expect => 'ok', same => 1, check => [ "SELECT softdelete.table_stats(0::regclass, 'deleted_at', NULL)", '(,,)' ]);

    # 3. intervals ------------------------------------------------------------------------
    my @intervals = (
        # [literal, expectation for retention / older_than, note]
        [ '-1 day', '22023' ], [ '-1 microsecond', '22023' ],
        [ '1 mon -31 days', '22023' ], [ '-1 mon 31 days', 'ok' ], [ '1 mon -29 days', 'ok' ],
        [ '0', 'ok' ], [ '00:00:00', 'ok' ], [ '1 microsecond', 'ok' ], [ '1 day -24 hours', 'ok' ],
        [ '1000 years', 'ok' ], [ 'P1Y2M3DT4H5M6S', 'ok' ], [ '@ 1 day ago', '22023' ],
        [ '2147483647 days', 'far' ], [ '178000000 years', 'far' ],
        # 17 made 'infinity' a valid interval: then our range checks refuse it
        [ 'infinity', '22007', '22023' ], [ '-infinity', '22007', '22023' ], [ 'NaN', '22007' ],
        [ '1000000000 years', '22008' ], [ '999999999999 hours', '22015' ],
        [ '1 fortnight', '22007' ], [ '', '22007' ], [ '-178000000 years', 'farneg' ],
    );
    # 'far': now() - interval is before 4713 BC, out of the timestamp range. Accepting
    # such a retention is fine (or refusing it with 22023); purge and the stats must
    # then not fail (pending: they fail with 22008).
    for my $iv (@intervals) {
        my ($lit, $exp, $exp17) = @$iv;
        # which cases run only under HOSTILE_FULL does not depend on the version
        my $full_purge = $exp =~ /^220(07|08|15)$/;
        $exp = $exp17 if defined $exp17 && $pgver >= 170000;
        my $far = $exp eq 'far';
        # a far negative interval is refused (22023), but table_stats (no checks: it
        # only serves the status view) overflows the other way
        my $farneg = $exp eq 'farneg';
        $exp = '22023' if $farneg;
        my $names = $exp eq '22023' ? ['retention'] : [];
        my $accept = $far ? [ 'ok', '22023' ] : $exp;
        $add->(label => "enable: retention '$lit'",
               call => "SELECT softdelete.enable('h.plain', retention => " . ql($lit) . ')',
               expect => $accept, names => $names);
        $add->(label => "set_retention: '$lit'",
               call => "SELECT softdelete.set_retention('h.enabled', " . ql($lit) . ')',
               expect => $accept, names => $names, ($exp eq 'ok' ? (full => 1) : ()),
               restore => "SELECT softdelete.set_retention('h.enabled', '7 days')");
        $add->(label => "purge: older_than '$lit', dry run",
               call => "SELECT softdelete.purge('h.purgeable', " . ql($lit) . ', 10, true)',
               expect => $far ? '22023' : $exp,
               names => ($exp eq '22023' || $far) ? ['older_than'] : [], same => 1,
               ($full_purge ? (full => 1) : ()));
        $add->(label => "table_stats: retention '$lit'",
               call => "SELECT softdelete.table_stats('h.purgeable', 'deleted_at', " . ql($lit) . ')',
               expect => ($exp eq '22023' || $far) ? [ 'ok', '22023' ] : $exp, same => 1, full => 1);
    }
    # intervals far enough in the past that now() - retention would leave the timestamp
    # range (about 4713 BC): refused (22023, at most 5000 years), so softdelete.status and
    # purge() can never meet one.
    for my $lit ('5001 years', '7000 years', '1000000 years', '178000000 years') {
        $add->(label => "purge: older_than '$lit' (beyond 5000 years)",
               call => "SELECT softdelete.purge('h.purgeable', " . ql($lit) . ', 10, true)',
               expect => '22023', names => ['older_than'], same => 1);
        $add->(label => "set_retention: '$lit' (beyond 5000 years)",
               call => "SELECT softdelete.set_retention('h.purgeable', " . ql($lit) . ')',
               expect => '22023', names => ['retention'], same => 1);
        $add->(label => "table_stats: retention '$lit' counts nothing due",
               call => "SELECT softdelete.table_stats('h.purgeable', 'deleted_at', " . ql($lit) . ')',
               expect => 'ok', same => 1);
    }
    # a retention/older_than that is accepted and works
    $add->(label => "purge: older_than '5000 years' purges nothing",
           call => "SELECT softdelete.purge('h.purgeable', '5000 years', 10, false)", expect => 'ok',
           same => 1, check => [ 'SELECT count(*) FROM h.purgeable', '7' ]);
    $add->(label => 'purge: due rows (dry run = real run = 3)',
           call => "SELECT softdelete.purge('h.purgeable', dry_run => true)", expect => 'ok', same => 1,
           check => [ "SELECT softdelete.purge('h.purgeable', dry_run => true); SELECT softdelete.purge('h.purgeable'); SELECT count(*) FROM h.purgeable", "3\n3\n4" ],
           restore => 'SELECT hostile_admin.refill()');
    $add->(label => "purge: older_than '0' removes every deleted row (5)",
           call => "SELECT softdelete.purge('h.purgeable', '0')", expect => 'ok', same => 1,
           check => [ 'SELECT count(*), count(*) FILTER (WHERE deleted_at IS NULL) FROM h.purgeable', '2|2' ],
           restore => 'SELECT hostile_admin.refill()');

    # 4. batch_size and dry_run --------------------------------------------------------
    for my $bs ([ '0', '22023' ], [ '-1', '22023' ], [ '-2147483648', '22023' ], [ '1', 'ok' ],
                [ '2147483647', 'ok' ], [ '2147483648', '42883' ], [ "'2147483648'", '22003' ],
                [ "'abc'", '22P02' ],
                [ '1.5', '42883' ], [ "'1e3'", '22P02' ]) {
        my ($v, $exp) = @$bs;
        $add->(label => "purge: batch_size $v",
               call => "SELECT softdelete.purge('h.purgeable', '0', $v, false)",
               expect => $exp, names => $exp eq '22023' ? ['batch_size'] : [], same => 1,
               restore => 'SELECT hostile_admin.refill()',
               ($exp eq 'ok' ? (check => [ 'SELECT count(*) FROM h.purgeable', '2' ]) : ()));
    }
    $add->(label => "purge: dry_run 'maybe'", call => "SELECT softdelete.purge(dry_run => 'maybe')",
           expect => '22P02');

    # 5. relations that are not tables, or not ours ------------------------------------
    my @not_tables = (
        [ 'view', "'h.v'", '42809', 'v' ], [ 'materialized view', "'h.mv'", '42809', 'mv' ],
        [ 'sequence', "'h.seq'", '42809', 'seq' ], [ 'foreign table', "'h.ft'", '42809', 'ft' ],
        [ 'composite type', "'h.comp'", '42809', 'comp' ],
        [ 'index', "'h.plain_pkey'", '42809', 'plain_pkey' ],
        [ 'TOAST table', "(SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'h.plain'::regclass)", '42809', 'pg_toast_' ],
        [ 'pg_class', "'pg_class'", '42809', 'pg_class' ],
        [ 'pg_catalog.pg_largeobject', "'pg_catalog.pg_largeobject'", '42809', 'pg_largeobject' ],
        [ 'pg_class by OID', '1259', '42809', 'pg_class' ],
        [ 'system view pg_stat_activity', "'pg_stat_activity'", '42809', 'pg_stat_activity' ],
        [ 'catalog index', "'pg_class_oid_index'", '42809', 'pg_class_oid_index' ],
        [ 'missing table', "'h.no_such_table'", '42P01', 'no_such_table' ],
        # 17's regclass input reports a missing schema as a missing relation
        [ 'missing schema', "'no_such_schema.t'", $pgver >= 170000 ? '42P01' : '3F000',
          'no_such_schema' ],
        [ 'missing OID', '4000000000::oid', '42P01', '4000000000' ],
        [ 'three-part name', "'a.b.c.d'", '42601', 'a.b.c.d' ],
        [ 'cross-database name', "'otherdb.h.plain'", '0A000', 'otherdb' ],
        [ 'unterminated quote', q{'"h.plain'}, '42602', undef ],
        [ 'function name', "'softdelete.enable'", '42P01', 'softdelete.enable' ],
    );
    for my $nt (@not_tables) {
        my ($what, $arg, $exp, $name) = @$nt;
        for my $f ([ 'enable', '' ], [ 'disable', '' ], [ 'set_retention', ", '1 day'" ],
                   [ 'purge', '' ]) {
            my ($fn, $rest) = @$f;
            # README, Usage: a view, sequence, ..., system catalog gets 42809 from
            # every function; purge() says 55000 "table ... is not enabled" instead
            my %bug;
            %bug = ()
              if $exp eq '42809' && $fn eq 'purge';
            $add->(label => "$fn: $what",
                   call => "SELECT softdelete.$fn($arg$rest)",
                   expect => $exp, names => [ $name // () ], %bug,
                   ($fn =~ /set_retention|purge/ && !%bug ? (full => 1) : ()));
        }
        # table_stats gives NULLs for what it cannot count (a missing OID too)
        $add->(label => "table_stats: $what",
               call => "SELECT softdelete.table_stats($arg, 'deleted_at', NULL)",
               expect => ($exp eq '42809' || $what eq 'missing OID' ? 'ok' : $exp), same => 1,
               full => 1);
    }
    # information_schema: a user-level table owned by the bootstrap superuser
    $add->(label => 'enable: information_schema.sql_features',
           call => "SELECT softdelete.enable('information_schema.sql_features')",
           expect => [ 'ok', '42809' ], names => ['sql_features']);

    # 6. other owners, privileges -------------------------------------------------------
    my @priv = (
        [ 'hostile_other', "SELECT softdelete.enable('h.owned')", '42501', ['owned'] ],
        [ 'hostile_other', "SELECT softdelete.enable('h.owned', \"cascade\" => false)", '42501', ['owned'] ],
        [ 'hostile_other', "SELECT softdelete.enable('h.owned_enabled')", '42501', ['owned_enabled'] ],
        [ 'hostile_other', "SELECT softdelete.disable('h.owned_enabled')", '42501', ['owned_enabled'] ],
        [ 'hostile_other', "SELECT softdelete.set_retention('h.owned_enabled', NULL)", '42501', ['owned_enabled'] ],
        [ 'hostile_other', "SELECT softdelete.purge('h.owned_enabled')", '42501', ['owned_enabled'] ],
        [ 'hostile_other', "SELECT softdelete.purge('h.owned_enabled', dry_run => true)", '42501', ['owned_enabled'] ],
        [ 'hostile_other', "SELECT softdelete.enable('h.enabled')", '42501', ['enabled'] ],
        [ 'hostile_other', "SELECT softdelete.enable('pg_class')", '42809', ['pg_class'] ],
        [ 'hostile_other', "SELECT softdelete.enable('h_private.t')", '42501', ['h_private'] ],
        [ 'hostile_other', "SELECT softdelete.enable('h.o_parent')", '42501', ['o_child'] ],
        [ 'hostile_other', "SELECT softdelete.purge()", 'ok', [] ],
        [ 'hostile_other', "SELECT count(*) FROM softdelete.status", 'ok', [] ],
        [ 'hostile_other', "SELECT softdelete.table_stats('h.owned', 'id', NULL)", 'ok', [] ],
        [ 'hostile_other', "SELECT softdelete.table_stats('h.enabled', 'deleted_at', '1 day')", 'ok', [] ],
        [ 'hostile_owner', "SELECT softdelete.enable('h.owned_enabled')", 'ok', [] ],
        [ 'hostile_owner', "SELECT softdelete.purge('h.owned_enabled', '0', dry_run => true)", 'ok', [] ],
        [ 'hostile_owner', "SELECT softdelete.enable('h.plain')", '42501', ['plain'] ],
        [ 'hostile_owner', "SELECT softdelete.disable('h.enabled')", '42501', ['enabled'] ],
        [ 'hostile_owner', "SELECT softdelete.enable('h.o_child')", 'ok', [] ],
        [ 'hostile_other', "SELECT softdelete.on_delete()", '39P01', ['on_delete'] ],
    );
    for my $p (@priv) {
        my ($role, $call, $exp, $names) = @$p;
        my $same = $call =~ /purge|status|table_stats|'h.owned_enabled'/ ? 1 : 0;
        $add->(label => "as $role: $call", as => $role, call => $call, expect => $exp,
               names => $names, same => $same);
    }
    $add->(label => 'as hostile_other: enable(h.o_parent, cascade => false)', as => 'hostile_other',
           call => "SELECT softdelete.enable('h.o_parent', \"cascade\" => false)", expect => 'ok');
    # a table of one's own, in the shared schema, and a temp table
    $add->(label => 'as hostile_other: own table, enable + delete', as => 'hostile_other',
           setup => 'CREATE TABLE h.mine (id int PRIMARY KEY); ALTER TABLE h.mine OWNER TO hostile_other; INSERT INTO h.mine VALUES (1), (2);',
           teardown => 'DROP TABLE h.mine',
           call => "SELECT softdelete.enable('h.mine')", expect => 'ok',
           check => [ 'SET ROLE hostile_other; DELETE FROM h.mine WHERE id = 1; SELECT count(*) FROM h.mine_active; RESET ROLE', '1' ]);
    $add->(label => 'enable: temp table (superuser)',
           setup => 'CREATE TEMP TABLE tmp1 (id int PRIMARY KEY, u text UNIQUE); INSERT INTO tmp1 VALUES (1, \'a\'), (2, \'b\');',
           teardown => 'DROP TABLE tmp1',
           call => "SELECT softdelete.enable('tmp1')", expect => 'ok',
           check => [ 'DELETE FROM tmp1 WHERE id = 1; SELECT count(*) FROM tmp1_active', '1' ]);
    $add->(label => 'enable: temp table, ON COMMIT DELETE ROWS',
           setup => 'CREATE TEMP TABLE tmp2 (id int) ON COMMIT DELETE ROWS;', teardown => 'DROP TABLE tmp2',
           call => "SELECT softdelete.enable('tmp2')", expect => 'ok');
    $add->(label => 'enable: temp table as non-superuser',
           setup => 'SET ROLE hostile_other; CREATE TEMP TABLE tmp3 (id int PRIMARY KEY); RESET ROLE;',
           teardown => 'DROP TABLE tmp3', as => 'hostile_other',
           call => "SELECT softdelete.enable('tmp3')", expect => 'ok');
    $add->(label => 'enable: temp table with view_name in another schema syntax',
           setup => 'CREATE TEMP TABLE tmp4 (id int);', teardown => 'DROP TABLE tmp4',
           call => "SELECT softdelete.enable('tmp4', view_name => 'public.tmp4_v')", expect => 'ok',
           check => [ q{SELECT count(*) FROM pg_class WHERE relname = 'public.tmp4_v' AND relnamespace = pg_my_temp_schema()}, '1' ]);
    $add->(label => 'disable: temp table that is not enabled',
           setup => 'CREATE TEMP TABLE tmp5 (id int);', teardown => 'DROP TABLE tmp5',
           call => "SELECT softdelete.disable('tmp5')", expect => '55000', names => ['tmp5']);
    $add->(label => 'set_retention, purge: enabled temp table',
           setup => "CREATE TEMP TABLE tmp6 (id int); SELECT softdelete.enable('tmp6', retention => '1 day');",
           teardown => "SELECT softdelete.disable('tmp6'); DROP TABLE tmp6",
           call => "SELECT softdelete.purge('tmp6', '0')", expect => 'ok', same => 1);

    # 7. kinds of tables ---------------------------------------------------------------
    my @kinds = (
        [ 'unlogged table', "SELECT softdelete.enable('h.unlogged')", 'ok', [] ],
        [ 'partitioned table', "SELECT softdelete.enable('h.parted')", 'ok', [] ],
        [ 'partitioned table, column in the list key', "SELECT softdelete.enable('h.parted', column_name => 'k')", '0A000', ['k'] ],
        [ 'partitioned table, column in a sub-partition key', "SELECT softdelete.enable('h.parted', column_name => 'ts')", '0A000', ['ts'] ],
        [ 'partitioned table, column is text', "SELECT softdelete.enable('h.parted', column_name => 'u')", '42804', ['u'] ],
        [ 'partition', "SELECT softdelete.enable('h.parted_1')", '0A000', ['parted_1'] ],
        [ 'sub-partitioned partition', "SELECT softdelete.enable('h.parted_2')", '0A000', ['parted_2'] ],
        [ 'default partition', "SELECT softdelete.enable('h.parted_def')", '0A000', ['parted_def'] ],
        [ 'partitioned table without partitions', "SELECT softdelete.enable('h.parted_empty')", 'ok', [] ],
        [ 'partitioned table without partitions, column in the hash key', "SELECT softdelete.enable('h.parted_empty', column_name => 'id')", [ '0A000', '42804' ], ['id'] ],
        [ 'inheritance parent', "SELECT softdelete.enable('h.inh_parent')", 'ok', [] ],
        [ 'inheritance child', "SELECT softdelete.enable('h.inh_child')", 'ok', [] ],
        [ 'FK parent, cascade', "SELECT softdelete.enable('h.fk_parent')", 'ok', [] ],
        [ 'FK parent, no cascade', "SELECT softdelete.enable('h.fk_parent', \"cascade\" => false)", 'ok', [] ],
        [ 'FK child (warns about the parent)', "SELECT softdelete.enable('h.fk_child', \"cascade\" => false)", 'ok', [] ],
        [ 'RESTRICT child', "SELECT softdelete.enable('h.fk_restrict')", 'ok', [] ],
        [ 'self reference', "SELECT softdelete.enable('h.selfref')", 'ok', [] ],
        [ 'FK cycle', "SELECT softdelete.enable('h.cycle_a')", 'ok', [] ],
        [ 'table without columns', "SELECT softdelete.enable('h.nocols')", 'ok', [] ],
        [ 'every kind of unique index', "SELECT softdelete.enable('h.uniq_kinds')", 'ok', [] ],
        [ 'view name taken by a table', "SELECT softdelete.enable('h.clash')", '42P07', ['clash_active'] ],
        [ 'view name = deleted-index name of another', "SELECT softdelete.enable('h.clash', view_name => 'clash_v')", 'ok', [] ],
        [ 'view name = index name', "SELECT softdelete.enable('h.clash', view_name => 'clash_deleted_at_deleted')", '42P07', ['clash_deleted_at_deleted'] ],
        [ 'view name = the table', "SELECT softdelete.enable('h.plain', view_name => 'plain')", '42P07', ['plain'] ],
        [ 'view name = sequence', "SELECT softdelete.enable('h.plain', view_name => 'seq')", '42P07', ['seq'] ],
        [ 'view name = composite type', "SELECT softdelete.enable('h.plain', view_name => 'comp')", '42P07', ['comp'] ],
        [ 'view name = domain', "SELECT softdelete.enable('h.plain', view_name => 'tsdom')", '42P07', ['tsdom'] ],
        [ 'view name = active view of another table', "SELECT softdelete.enable('h.plain', view_name => 'enabled_active')", '42P07', ['enabled_active'] ],
        [ 'view name qualified (a plain name)', "SELECT softdelete.enable('h.plain', view_name => 'h2.plain_v')", 'ok', [] ],
        [ 'view name = pg_class (other schema)', "SELECT softdelete.enable('h.plain', view_name => 'pg_class')", 'ok', [] ],
        [ 'view name over 63 bytes', "SELECT softdelete.enable('h.plain', view_name => repeat('v', 100))", 'ok', [] ],
        [ 'column name over 63 bytes', "SELECT softdelete.enable('h.plain', column_name => repeat('c', 100))", 'ok', [] ],
        [ 'table name over 63 bytes (truncated to the 63-byte table)', "SELECT softdelete.enable(" . ql(qi($ODD) . '.' . qi('x' x 70)) . ", view_name => 'x63_v')", 'ok', [] ],
        [ 'same name in two schemas, search_path picks h2', "SELECT softdelete.enable('plain')", 'ok', [], 'SET search_path = h2, h' ],
        [ 'same name, search_path = pg_catalog first', "SELECT softdelete.enable('plain')", 'ok', [], 'SET search_path = pg_catalog, h' ],
        [ 'double enable, same options', "SELECT softdelete.enable('h.enabled')", 'ok', [] ],
        [ 'double enable, same options and retention', "SELECT softdelete.enable('h.enabled', retention => '7 days')", 'ok', [] ],
        [ 'double enable, other column', "SELECT softdelete.enable('h.enabled', column_name => 'gone_at')", '55000', ['enabled', 'deleted_at'] ],
        [ 'double enable, other view name', "SELECT softdelete.enable('h.enabled', view_name => 'other_name')", 'ok', [] ],
        [ 'double enable, view name = another table', "SELECT softdelete.enable('h.enabled', view_name => 'plain')", '42P07', ['plain'] ],
        [ 'double enable, view name = sequence', "SELECT softdelete.enable('h.enabled', view_name => 'seq')", '42P07', ['seq'] ],
        [ 'double enable, view name = the table', "SELECT softdelete.enable('h.enabled', view_name => 'enabled')", '42P07', ['enabled'] ],
        [ 'double enable, view name over 63 bytes', "SELECT softdelete.enable('h.enabled', view_name => repeat('w', 100))", 'ok', [] ],
        [ 'double enable, other retention', "SELECT softdelete.enable('h.enabled', retention => '1 day')", 'ok', [] ],
        [ 'double enable, audit', "SELECT softdelete.enable('h.enabled', audit => true)", 'ok', [] ],
        [ 'double enable, cascade off', "SELECT softdelete.enable('h.enabled', \"cascade\" => false)", 'ok', [] ],
        [ 'disable, not enabled', "SELECT softdelete.disable('h.plain')", '55000', ['plain'] ],
        [ 'disable, enabled', "SELECT softdelete.disable('h.enabled')", 'ok', [] ],
        [ 'disable, unique constraint cannot be restored', "SELECT softdelete.disable('h.dups')", '23505', ['dup_code'] ],
        [ 'set_retention, not enabled', "SELECT softdelete.set_retention('h.plain', '1 day')", '55000', ['plain'] ],
        [ 'purge, not enabled', "SELECT softdelete.purge('h.plain')", '55000', ['plain'] ],
        [ 'purge, partition of a not enabled table', "SELECT softdelete.purge('h.parted_1')", '55000', ['parted_1'] ],
    );
    for my $k (@kinds) {
        my ($label, $call, $exp, $names, $pre) = @$k;
        my %extra;
        $extra{same} = 1 if $label =~ /^double enable, same/;
        $extra{restore} = $reenable if $call =~ /'h\.enabled'/;
        $add->(label => "enable etc.: $label", call => $call, expect => $exp, names => $names,
               ($pre ? (pre => $pre) : ()), %extra);
    }

    # 8. column names and types ----------------------------------------------------------
    my @cols = (
        [ 'c_text', '42804' ], [ 'c_ts', 'ok' ], [ 'c_ts3', 'ok' ], [ 'c_tstz', 'ok' ],
        [ 'c_tstz0', 'ok' ], [ 'c_date', '42804' ], [ 'c_int', '42804' ], [ 'c_bigint', '42804' ],
        [ 'c_name', '42804' ], [ 'c_bool', '42804' ], [ 'c_arr', '42804' ], [ 'c_json', '42804' ],
        [ 'c_dom', '42804' ], [ 'c_interval', '42804' ], [ 'c_time', '42804' ], [ 'c_timetz', '42804' ],
        [ 'id', '42804' ], [ 'ctid', '42804' ], [ 'xmin', '42804' ], [ 'tableoid', '42804' ],
        [ 'oid', 'ok' ], [ 'new_col', 'ok' ], [ 'C_TSTZ', 'ok' ], [ 'c_tstz ', 'ok' ],
        [ '........pg.dropped.18........', 'ok' ],
    );
    for my $col (@cols) {
        my ($name, $exp) = @$col;
        $add->(label => "enable: column_name '$name' (h.types)",
               call => "SELECT softdelete.enable('h.types', column_name => " . ql($name) . ')',
               expect => $exp, names => $exp eq 'ok' ? [] : [$name],
               ($exp eq 'ok' ? (check => [ "SELECT format_type(atttypid, atttypmod) IN ('timestamp with time zone', 'timestamp without time zone', 'timestamp(3) without time zone', 'timestamp(0) with time zone') FROM pg_attribute WHERE attrelid = 'h.types'::regclass AND attname = " . ql($name), 't' ]) : ()));
    }
    # table_stats (callable by anyone) on a column that is no timestamp
    for my $col ([ 'c_int', 'bug' ], [ 'c_text', 'bug' ], [ 'c_name', 'bug' ], [ 'c_date', '' ],
                 [ 'c_ts', '' ], [ 'c_tstz0', '' ], [ 'c_dom', '' ]) {
        my ($name, $bug) = @$col;
        $add->(label => "table_stats: column $name",
               call => "SELECT softdelete.table_stats('h.types', " . ql($name) . ", '1 day')",
               expect => [ 'ok', '42804' ], names => [$name], same => 1,
               ());
    }
    $add->(label => 'enable: column_name of a dropped column (h.dropped.gone)',
           call => "SELECT softdelete.enable('h.dropped', column_name => 'gone')", expect => 'ok');
    $add->(label => 'enable: column_name = dropped column placeholder',
           call => "SELECT softdelete.enable('h.dropped', column_name => '........pg.dropped.2........')",
           expect => [ 'ok', '42701' ], names => ['........pg.dropped.2........']);
    $add->(label => 'enable: column_name deleted_by with audit',
           call => "SELECT softdelete.enable('h.plain', column_name => 'deleted_by', audit => true)",
           expect => '42804', names => ['deleted_by']);
    $add->(label => 'enable: column_name deleted_reason with audit',
           call => "SELECT softdelete.enable('h.plain', column_name => 'deleted_reason', audit => true)",
           expect => '42804', names => ['deleted_reason']);
    $add->(label => 'enable: audit with a text deleted_by already there',
           setup => 'ALTER TABLE h.plain ADD COLUMN deleted_by text',
           teardown => 'ALTER TABLE h.plain DROP COLUMN deleted_by',
           call => "SELECT softdelete.enable('h.plain', audit => true)", expect => 'ok');
    $add->(label => 'enable: audit with an int deleted_reason already there',
           setup => 'ALTER TABLE h.plain ADD COLUMN deleted_reason int',
           teardown => 'ALTER TABLE h.plain DROP COLUMN deleted_reason',
           call => "SELECT softdelete.enable('h.plain', audit => true)", expect => '42804',
           names => ['deleted_reason']);
    $add->(label => 'enable: column is a generated timestamptz',
           setup => "ALTER TABLE h.plain ADD COLUMN gen_at timestamptz GENERATED ALWAYS AS ('2020-01-01'::timestamptz) STORED",
           teardown => 'ALTER TABLE h.plain DROP COLUMN gen_at',
           call => "SELECT softdelete.enable('h.plain', column_name => 'gen_at')",
           expect => '55000', names => ['gen_at']);
    $add->(label => 'enable: column is NOT NULL timestamptz',
           call => "SELECT softdelete.enable('h.types', column_name => 'c_notnull')",
           expect => '55000', names => ['c_notnull']);

    # 9. search_path booby traps (README, Usage) ------------------------------------------
    my $evil = 'SET search_path = h_evil, pg_catalog, h';
    my @trap = (
        [ 'enable', "SELECT softdelete.enable('h.plain', retention => '1 day', audit => true)" ],
        [ 'enable partitioned', "SELECT softdelete.enable('h.parted')" ],
        [ 'enable cascade', "SELECT softdelete.enable('h.fk_parent')" ],
        [ 'enable again', "SELECT softdelete.enable('h.enabled')" ],
        [ 'disable', "SELECT softdelete.disable('h.enabled')" ],
        [ 'set_retention', "SELECT softdelete.set_retention('h.enabled', '1 day')" ],
        [ 'table_stats', "SELECT softdelete.table_stats('h.purgeable', 'deleted_at', '1 day')" ],
        [ 'status', 'SELECT count(*) FROM softdelete.status' ],
        [ 'purge all', 'SELECT softdelete.purge()' ],
        [ 'purge one table', "SELECT softdelete.purge('h.purgeable', dry_run => true)" ],
        [ 'purge one table, older_than', "SELECT softdelete.purge('h.purgeable', '0')" ],
        [ 'DELETE', 'DELETE FROM h.enabled WHERE id OPERATOR(pg_catalog.=) 1' ],
        [ 'DELETE through the view', 'DELETE FROM h.enabled_active WHERE id OPERATOR(pg_catalog.=) 2' ],
        [ 'restore', "UPDATE h.enabled SET deleted_at = NULL WHERE id OPERATOR(pg_catalog.=) 1",
          "DELETE FROM h.enabled WHERE id = 1" ],
        [ 'TRUNCATE', 'TRUNCATE h.enabled' ],
        [ 'audited DELETE', 'DELETE FROM h.audited',
          'SET softdelete.hard_delete = on; DELETE FROM h.audited; RESET softdelete.hard_delete; INSERT INTO h.audited VALUES (1)',
          'SET softdelete.hard_delete = on; DELETE FROM h.audited; RESET softdelete.hard_delete' ],
    );
    for my $t (@trap) {
        my ($what, $call, $setup, $teardown) = @$t;
        my $exp = $what eq 'TRUNCATE' ? '55000' : 'ok';
        my %extra;
        $extra{restore} = $reenable if $what =~ /disable|set_retention|DELETE|restore/;
        $extra{restore} = 'SELECT hostile_admin.refill()' if $what =~ /purge/;
        $extra{same} = 1 if $what =~ /stats|status|purge|DELETE|restore|again/;
        $add->(label => "search_path booby traps: $what", pre => $evil, call => $call,
               expect => $exp, names => $exp eq 'ok' ? [] : ['enabled'], %extra,
               ($setup ? (setup => $setup) : ()), ($teardown ? (teardown => $teardown) : ()));
    }

    # 10. settings -------------------------------------------------------------------------
    my @bool_vals = ('on', 'off', 'true', 'FALSE', 'yes', '1', '0', 'of', 'maybe', '2', '', 'o',
                     "on\n", 'NULL');
    for my $v (@bool_vals) {
        my $ok = $v =~ /^(on|off|true|FALSE|yes|1|0|of)\z/;   # 'of' is short for off
        $add->(label => "SET softdelete.hard_delete = '" . ($v =~ s/\n/\\n/r) . "'",
               call => 'SET softdelete.hard_delete = ' . ql($v), expect => $ok ? 'ok' : '22023',
               names => $ok ? [] : ['softdelete.hard_delete'], same => 1,
               ($v =~ /^(on|of|maybe|on\n|NULL)\z/ ? () : (full => 1)));
    }
    for my $g ('softdelete.actor', 'softdelete.reason') {
        for my $v ('', 'x', "it's", 'a"b', "line\nbreak", 'ü ✓', '%s%n', 'x' x 10000, '\\',
                   'NULL', ' ') {
            my $shown = length($v) > 20 ? substr($v, 0, 10) . '...(' . length($v) . ')' : $v;
            $shown =~ s/\n/\\n/g;
            my $col = $g eq 'softdelete.actor' ? 'deleted_by' : 'deleted_reason';
            # an empty actor records current_user
            # an empty actor records current_user; an empty reason '' or NULL
            my $want = ($g eq 'softdelete.actor' && $v eq '') ? q{current_user} : ql($v);
            $col = "coalesce($col, '')" if $g eq 'softdelete.reason' && $v eq '';
            $add->(label => "SET $g = '$shown', then an audited delete",
                   call => "SET $g = " . ql($v), expect => 'ok', same => 1,
                   ($v eq '' || $v =~ /^(it's|%s%n|line\nbreak|ü ✓)\z/ || length($v) > 100 ? () : (full => 1)),
                   setup => 'SET softdelete.hard_delete = on; DELETE FROM h.audited; RESET softdelete.hard_delete; INSERT INTO h.audited VALUES (1)',
                   teardown => 'SET softdelete.hard_delete = on; DELETE FROM h.audited; RESET softdelete.hard_delete',
                   check => [ "DELETE FROM h.audited WHERE id = 1; SELECT $col = $want FROM h.audited WHERE id = 1", 't' ]);
        }
        $add->(label => "set_config('$g', NULL)", call => "SELECT set_config('$g', NULL, false)",
               expect => 'ok', same => 1);
    }
    for my $g ('softdelete.purge_interval', 'softdelete.purge_batch_size', 'softdelete.purge_enabled') {
        for my $v ('0', '-1', '1', '2147483648', 'off', '1000000 years') {
            $add->(label => "SET $g = '$v' (sighup)", call => "SET $g = " . ql($v),
                   expect => '55P02', names => [$g], same => 1, ($v eq '0' ? () : (full => 1)));
        }
    }
    for my $v ([ '-1', 'ok' ], [ '-2', '22023' ], [ '0', 'ok' ], [ '1d', 'ok' ], [ '1 year', '22023' ],
               [ '2147483647', 'ok' ], [ '2147483648', '22023' ], [ '1.5', 'ok' ], [ 'NaN', '22023' ],
               [ '', '22023' ]) {
        my ($val, $exp) = @$v;
        $add->(label => "SET softdelete.purge_log_retention = '$val' (superuser)",
               call => "SET softdelete.purge_log_retention = " . ql($val), expect => $exp,
               names => $exp eq 'ok' ? [] : ['softdelete.purge_log_retention'], same => 1,
               ($val =~ /^(-1|-2|1 year|2147483648)\z/ ? () : (full => 1)));
    }
    $add->(label => 'SET softdelete.purge_log_retention as non-superuser', as => 'hostile_other',
           call => "SET softdelete.purge_log_retention = '1'", expect => '42501',
           names => ['softdelete.purge_log_retention'], same => 1);
    for my $name ('softdelete.nonexistent', 'softdelete.HARD_DELETE', 'softdelete.hard_delete.x',
                  'Softdelete.Actor') {
        my $known = $name =~ /^softdelete\.hard_delete$/i || $name =~ /^softdelete\.actor$/i;
        $add->(label => "SET $name", call => "SET $name = 'on'",
               expect => $known ? 'ok' : '42602', names => $known ? [] : [ lc $name ], same => 1);
    }
    $add->(label => 'SET LOCAL softdelete.hard_delete outside a transaction',
           call => 'SET LOCAL softdelete.hard_delete = on', expect => 'ok', same => 1);
    $add->(label => 'ALTER ROLE SET softdelete.hard_delete = maybe',
           call => 'ALTER ROLE hostile_other SET softdelete.hard_delete = maybe',
           expect => '22023', names => ['softdelete.hard_delete']);
    $add->(label => 'ALTER ROLE SET softdelete.hard_delete = on',
           call => 'ALTER ROLE hostile_other SET softdelete.hard_delete = on', expect => 'ok',
           restore => 'ALTER ROLE hostile_other RESET softdelete.hard_delete');
    $add->(label => 'ALTER ROLE SET softdelete.nonexistent',
           call => 'ALTER ROLE hostile_other SET softdelete.nonexistent = 1', expect => '42602',
           names => ['softdelete.nonexistent']);
    $add->(label => 'ALTER SYSTEM SET softdelete.purge_interval = 0',
           call => "ALTER SYSTEM SET softdelete.purge_interval = '0'", expect => '22023',
           names => ['softdelete.purge_interval'], same => 1);
    $add->(label => 'ALTER SYSTEM SET softdelete.purge_batch_size = -5',
           call => "ALTER SYSTEM SET softdelete.purge_batch_size = -5", expect => '22023',
           names => ['softdelete.purge_batch_size'], same => 1);
    # hard delete: a non-owner with DELETE privilege
    $add->(label => 'hard_delete = on, DELETE by a non-owner', as => 'hostile_other',
           pre => 'SET softdelete.hard_delete = on',
           call => 'DELETE FROM h.owned_enabled', expect => '42501', names => ['owned_enabled'], same => 1,
           check => [ 'SELECT count(*) FROM h.owned_enabled', '2' ]);
    $add->(label => 'hard_delete = on, TRUNCATE by a non-owner', as => 'hostile_other',
           pre => 'SET softdelete.hard_delete = on',
           call => 'TRUNCATE h.owned_enabled', expect => '42501', names => ['owned_enabled'], same => 1);
    $add->(label => 'hard_delete = off, DELETE by a non-owner soft-deletes', as => 'hostile_other',
           call => 'DELETE FROM h.owned_enabled WHERE id = 2', expect => 'ok', same => 1,
           check => [ 'SELECT count(*), count(deleted_at) FROM h.owned_enabled; UPDATE h.owned_enabled SET deleted_at = NULL', '2|1' ]);

    # 11. odd names ---------------------------------------------------------------------
    # The normal suite runs, for every name, the cases that put the name through every
    # generated statement (enable with it as table, column and view name; disable;
    # purge; the 55000 message); HOSTILE_FULL=1 adds the others ("full").
    for my $n (odd_names()) {
        my $shown = $n;
        $shown =~ s/\n/\\n/g;
        $shown =~ s/\t/\\t/g;
        $shown = substr($shown, 0, 8) . '...(' . bytelen($n) . ' bytes)' if length($shown) > 20;
        my $t = rel($ODD, $n);
        my $qt = qi($ODD) . '.' . qi($n);
        my $view_default = $n . '_active';
        my $too_long = bytelen($view_default) > 63;
        # the table "deleted_at" has a text column deleted_at: the default column is refused
        my $own_col = $n eq 'deleted_at';
        my $default_fails = $too_long ? '42P07' : $own_col ? '42804' : undef;
        # names whose characters are special in SQL, in format strings or outside ASCII
        # run every normal case; the others run the enable cases only
        my $special = $n =~ /[%"'\\\n\t\$;]|[^\x00-\x7f]/ ? 1 : 0;
        $add->(label => "odd name [$shown]: enable",
               call => "SELECT softdelete.enable($t)",
               expect => $default_fails // 'ok', names => $default_fails ? [$n] : [],
               ($default_fails ? () : (check => [
                   "DELETE FROM $qt WHERE id = 1; SELECT count(*) FROM $qt; SELECT count(*) FROM "
                     . qi($ODD) . '.' . qi($view_default), "3\n2" ])));
        $add->(label => "odd name [$shown]: enable, column_name = its text column",
               call => "SELECT softdelete.enable($t, column_name => " . ql($n) . ')',
               expect => '42804', names => [$n], full => 1);
        # a 63-byte name || ' at' is truncated back to the name: its text column
        my $col = trunc63($n . ' at');
        $add->(label => "odd name [$shown]: enable, column_name = name || ' at'",
               call => "SELECT softdelete.enable($t, column_name => " . ql($n . ' at') . ", view_name => 'odd view')",
               ($col eq $n ? (expect => '42804', names => [$n]) : (expect => 'ok',
               check => [ "DELETE FROM $qt WHERE id = 2; SELECT count(*) FROM $qt WHERE " . qi($col) . ' IS NOT NULL', '1' ])));
        $add->(label => "odd name [$shown]: enable, view_name = the table's name",
               call => "SELECT softdelete.enable($t, view_name => " . ql($n) . ')',
               expect => $own_col ? '42804' : '42P07', names => [ trunc63($n) ], full => 1);
        my $vn = trunc63('v ' . $n);
        $add->(label => "odd name [$shown]: enable, view_name = 'v ' || name",
               call => "SELECT softdelete.enable($t, view_name => " . ql('v ' . $n) . ', retention => \'1 day\', audit => true, "cascade" => false)',
               ($own_col ? (expect => '42804', names => [$n]) : (expect => 'ok',
               check => [ 'SELECT count(*) FROM ' . qi($ODD) . '.' . qi($vn), '3' ])));
        $add->(label => "odd name [$shown]: disable, not enabled",
               call => "SELECT softdelete.disable($t)", expect => '55000', names => [$n],
               ($special ? () : (full => 1)));
        $add->(label => "odd name [$shown]: set_retention, not enabled",
               call => "SELECT softdelete.set_retention($t, '1 day')", expect => '55000', names => [$n],
               full => 1);
        $add->(label => "odd name [$shown]: purge, not enabled",
               call => "SELECT softdelete.purge($t)", expect => '55000', names => [$n], full => 1);
        $add->(label => "odd name [$shown]: enable by a non-owner", as => 'hostile_other',
               call => "SELECT softdelete.enable($t)", expect => '42501', names => [$n], full => 1);
        next if $default_fails;
        # enabled: again, disable, purge, status
        my $setup = "SELECT softdelete.enable($t, retention => '1 day')";
        my $teardown = "SELECT softdelete.disable($t); ALTER TABLE $qt DROP COLUMN deleted_at";
        $add->(label => "odd name [$shown]: enable twice", setup => $setup, teardown => $teardown,
               call => "SELECT softdelete.enable($t)", expect => 'ok', same => 1, full => 1);
        $add->(label => "odd name [$shown]: disable", setup => $setup, teardown => $teardown,
               call => "SELECT softdelete.disable($t)", expect => 'ok',
               restore => $setup, full => 1);
        $add->(label => "odd name [$shown]: purge and status", setup => $setup, teardown => $teardown,
               call => "SELECT softdelete.purge($t, '0')", expect => 'ok', same => 1,
               ($special ? () : (full => 1)),
               check => [ "SELECT deleted_rows, retention FROM softdelete.status WHERE relation = $t\::regclass", '0|1 day' ]);
    }
    return @c;
}

# --- one case ---------------------------------------------------------------------
# Runs case $c on $node; returns (ok, [problems], result) where result is 'ok' or the
# SQLSTATE. $c->{n} is its number.
sub run_case {
    my ($node, $c) = @_;
    my @problems;
    # Only the snapshots, the check and the liveness probe print (\o); \echo writes
    # the section markers.
    my $snap = sub { return "\\echo \@\@$_[0]\n\\o\n$SNAPSHOT\\o /dev/null\n"; };
    my $script = "\\set VERBOSITY verbose\n\\set ON_ERROR_STOP 1\n\\o /dev/null\n";
    $script .= "SET client_min_messages = error;\n";
    $script .= "$c->{setup};\n" if $c->{setup};
    $script .= "SELECT (SELECT coalesce(array_agg(relation::oid), '{}') FROM softdelete.tables) AS enabled_before, "
      . "(SELECT coalesce(array_agg(a.attrelid::text || ':' || a.attname), '{}') "
      . "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relkind IN ('r', 'p') "
      . "AND a.attnum > 0 AND NOT a.attisdropped) AS cols_before \\gset\n";
    $script .= $snap->('S0');
    $script .= "RESET client_min_messages;\n";
    $script .= "SET ROLE $c->{as};\n" if $c->{as};
    $script .= "$c->{pre};\n" if $c->{pre};
    $script .= "\\set ON_ERROR_STOP 0\n\\echo \@\@CALL\n$c->{call};\n";
    $script .= "\\set call_error :ERROR\n\\set call_sqlstate :SQLSTATE\n";
    $script .= "\\echo \@\@RESULT :call_error :call_sqlstate\n";
    $script .= "\\echo \@\@MSG\n\\echo :LAST_ERROR_MESSAGE\n";
    $script .= "\\set ON_ERROR_STOP 1\n\\echo \@\@ALIVE\n\\o\nSELECT 'alive';\n\\o /dev/null\n";
    $script .= "RESET ROLE;\n";
    $script .= "\\if :call_error\n\\else\n\\echo \@\@CHECK\n\\o\n$c->{check}[0];\n\\o /dev/null\n\\endif\n"
      if $c->{check};
    $script .= "RESET ALL;\nSET client_min_messages = error;\n";
    $script .= $snap->('S1');
    # After a success: disable() what the call enabled; S2 must be S0 but for the kept
    # soft-delete columns. A case with its own restore (a table that was enabled
    # before, a retention to put back) must give S0 exactly (S3).
    $script .= "\\if :call_error\n\\else\n";
    $script .= "SELECT hostile_admin.disable_new(:'enabled_before');\n" unless $c->{same};
    $script .= $snap->('S2') unless $c->{same} || $c->{restore};
    if ($c->{restore}) {
        $script .= "$c->{restore};\n";
        $script .= "SELECT hostile_admin.drop_new_columns(:'cols_before');\n" unless $c->{same};
        $script .= $snap->('S3');
    }
    elsif (!$c->{same}) {
        $script .= "SELECT hostile_admin.drop_new_columns(:'cols_before');\n";
    }
    $script .= "\\endif\n";
    $script .= "$c->{teardown};\n" if $c->{teardown};
    $script .= "\\echo \@\@END\n";

    utf8::encode($script);
    my ($out, $err) = ('', '');
    my $rc = $node->psql('postgres', $script, stdout => \$out, stderr => \$err,
        on_error_stop => 0, timeout => 120);
    utf8::decode($out);
    utf8::decode($err);
    my %sec;
    my $cur = 'PRE';
    for my $line (split /\n/, $out, -1) {
        if ($line =~ /^\@\@(\w+)(?: (.*))?$/) {
            $cur = $1;
            $sec{$cur} = defined $2 ? "$2\n" : '';
            next;
        }
        $sec{$cur} .= "$line\n";
    }
    push @problems, "psql exited with $rc" if $rc != 0;
    push @problems, 'psql did not run to the end' unless exists $sec{END};
    push @problems, 'no answer after the call' unless ($sec{ALIVE} // '') =~ /^alive$/m;
    my ($error, $state) = ($sec{RESULT} // '') =~ /^(\w+) (\w+)/;
    $error //= '?';
    $state //= '?';
    my $result = $error eq 'false' ? 'ok' : $state;
    my $msg = $sec{MSG} // '';
    $msg =~ s/\n\z//;
    my @allowed = ref $c->{expect} ? @{ $c->{expect} } : ($c->{expect});
    push @problems, "expected " . join(' or ', @allowed) . ", got $result" . ($result eq 'ok' ? '' : ": $msg")
      unless grep { $_ eq $result } @allowed;
    if ($result ne 'ok') {
        push @problems, "SQLSTATE $result is not one the contract or PostgreSQL's argument parsing allows"
          unless $KNOWN_SQLSTATE{$result};
        for my $name (@{ $c->{names} // [] }) {
            push @problems, "message does not name \"$name\": $msg" if index($msg, $name) < 0;
        }
        push @problems, "a failed call changed something:\n" . diff_text($sec{S0}, $sec{S1})
          if defined $sec{S1} && ($sec{S0} // '') ne $sec{S1};
    }
    elsif (exists $sec{END}) {
        if ($c->{check}) {
            my $got = $sec{CHECK} // '';
            $got =~ s/\n\z//;
            push @problems, "check: expected '$c->{check}[1]', got '$got'" if $got ne $c->{check}[1];
        }
        if ($c->{same}) {
            push @problems, "the call should change nothing:\n" . diff_text($sec{S0}, $sec{S1})
              if ($sec{S0} // '') ne ($sec{S1} // '');
        }
        elsif (!$c->{restore}) {
            # S2 = S0 plus, at most, the soft-delete (and audit) columns enable() added
            my %s0 = map { $_ => 1 } split /\n/, ($sec{S0} // '');
            my $s2 = join '', map {"$_\n"} grep { $s0{$_} || !/^column / } split /\n/, ($sec{S2} // '');
            push @problems, "disable() left something behind:\n" . diff_text($sec{S0}, $s2)
              if ($sec{S0} // '') ne $s2;
        }
        push @problems, "not restored:\n" . diff_text($sec{S0}, $sec{S3})
          if $c->{restore} && ($sec{S0} // '') ne ($sec{S3} // '');
    }
    push @problems, "stderr: $err" if @problems && $err ne '';
    return (!@problems, \@problems, $result);
}

sub diff_text {
    my ($a, $b) = @_;
    my %a = map { $_ => 1 } split /\n/, $a // '';
    my %b = map { $_ => 1 } split /\n/, $b // '';
    my @out = ((map {"  - $_"} grep { !$b{$_} } split /\n/, $a // ''),
               (map {"  + $_"} grep { !$a{$_} } split /\n/, $b // ''));
    return join("\n", @out[ 0 .. ($#out > 40 ? 40 : $#out) ]);
}

1;
