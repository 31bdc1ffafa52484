# 010_dump_restore.pl -- pg_dump / pg_restore (README, Behaviour choices, issue 6 item 2) and a physical
# standby (item 4): a database with enabled users -> orders -> order_items (ON DELETE
# CASCADE), a custom view_name, retention, audit and soft-deleted rows is dumped in plain
# and custom formats and restored into fresh databases, where the catalog, the views, the
# partial unique indexes, soft delete, cascade, restore, the TRUNCATE guard, the event
# triggers, the purge and DROP TABLE without CASCADE must all still work. A streaming
# standby serves the active views read-only.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('primary');
$node->init(allows_streaming => 1);
# test/softdelete.conf is only read by pg_regress/isolation (--temp-config): TAP nodes
# get their settings here. The worker stays paused: the test runs purge() itself.
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_enabled = off
timezone = 'UTC'
lc_messages = 'C'
});
$node->start;

# Runs a client program against the node; returns (exit code, stdout, stderr).
sub run_client {
    my @cmd = (@_, '-h', $node->host, '-p', $node->port);
    my ($out, $err) = ('', '');
    IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
    return ($? >> 8, $out, $err);
}

# Returns (exit code, stdout, stderr) of SQL that may fail.
sub try_sql {
    my ($db, $sql) = @_;
    my ($out, $err);
    my $rc = $node->psql($db, $sql, stdout => \$out, stderr => \$err);
    return ($rc, $out, $err);
}

$node->safe_psql('postgres', q{
CREATE ROLE app_reader;
CREATE ROLE app_writer;
CREATE DATABASE src;
});
$node->safe_psql('src', q{
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO app_reader, app_writer;
SET search_path = app;
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE orders (id int PRIMARY KEY,
                     user_id int NOT NULL REFERENCES users ON DELETE CASCADE,
                     ref text, UNIQUE (user_id, ref));
CREATE TABLE order_items (id int PRIMARY KEY,
                          order_id int NOT NULL REFERENCES orders ON DELETE CASCADE,
                          sku text);
GRANT SELECT ON users, orders, order_items TO app_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO app_writer;
SELECT softdelete.enable('users', view_name => 'live_users', retention => '30 days',
                         audit => true);
INSERT INTO users VALUES (1, 'a@x', 'A'), (2, 'b@x', 'B'), (3, 'c@x', 'C');
INSERT INTO orders VALUES (10, 1, 'r1'), (20, 2, 'r1'), (30, 3, 'r1'), (31, 3, 'r2');
INSERT INTO order_items VALUES (100, 10, 's'), (200, 20, 's'), (300, 30, 's'), (310, 31, 's');
});
# User 2 and its order and item are soft-deleted in one event by 'alice'; order 31 and
# its item later, on their own.
$node->safe_psql('src', q{
SET softdelete.actor = 'alice';
SET softdelete.reason = 'gdpr';
DELETE FROM app.users WHERE id = 2;
});
$node->safe_psql('src', 'DELETE FROM app.orders WHERE id = 31');

# A partitioned table (its partitions carry the TRUNCATE guard enable() made:
# a strict restore must not meet them twice), a table that hides its soft-deleted
# rows, and a view trigger left over from 0.2.0 (made with the event triggers off,
# as a 0.2.0 database has it): a restore drops it.
$node->safe_psql('src', q{
SET client_min_messages = warning;
CREATE SCHEMA extra;
CREATE TABLE extra.events (id int, k int) PARTITION BY LIST (k);
CREATE TABLE extra.events_1 PARTITION OF extra.events FOR VALUES IN (1);
CREATE TABLE extra.events_2 PARTITION OF extra.events FOR VALUES IN (2);
SELECT softdelete.enable('extra.events');
INSERT INTO extra.events VALUES (1, 1), (2, 2), (3, 2);
DELETE FROM extra.events WHERE id = 3;
CREATE TABLE extra.notes (id int PRIMARY KEY, body text);
SELECT softdelete.enable('extra.notes', hide_deleted => true);
INSERT INTO extra.notes SELECT g, 'n' || g FROM generate_series(1, 5) g;
DELETE FROM extra.notes WHERE id IN (2, 4);
SET session_replication_role = replica;
CREATE TRIGGER softdelete_view_delete INSTEAD OF DELETE ON extra.notes_active
    FOR EACH ROW EXECUTE FUNCTION softdelete.on_view_delete('deleted_at', 'false');
RESET session_replication_role;
});
is($node->safe_psql('src', 'SELECT count(*) FROM extra.notes'), '3',
    'source: hide_deleted hides the soft-deleted notes');

my %q = (
    catalog => q{SELECT relation::text, column_name, active_view::text, view_name,
                        deleted_index::text, "cascade", retention, audit
                   FROM softdelete.tables ORDER BY 1},
    uniques => q{SELECT index::text, relation::text, was_constraint, original_definition
                   FROM softdelete.unique_indexes ORDER BY 1},
    indexes => q{SELECT tablename, indexname, indexdef FROM pg_indexes
                  WHERE schemaname = 'app' ORDER BY 1, 2},
    views => q{SELECT c.relname, pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
                      (SELECT string_agg(t.tgname, ',' ORDER BY t.tgname) FROM pg_trigger t
                        WHERE t.tgrelid = c.oid)
                 FROM pg_class c WHERE c.relkind = 'v'
                  AND c.relnamespace = 'app'::regnamespace ORDER BY 1},
    # (the 0.2.0 view trigger made in the source is dropped by the restore)
    triggers => q{SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger
                   WHERE NOT tgisinternal AND tgname <> 'softdelete_view_delete' ORDER BY 1, 2},
    data => q{SELECT 'u', id, deleted_at, deleted_by, deleted_reason FROM app.users
              UNION ALL SELECT 'o', id, deleted_at, deleted_by, deleted_reason FROM app.orders
              UNION ALL SELECT 'i', id, deleted_at, deleted_by, deleted_reason FROM app.order_items
              ORDER BY 1, 2},
);
my %src = map { $_ => $node->safe_psql('src', $q{$_}) } keys %q;
like($src{catalog}, qr/^app\.users\|deleted_at\|app\.live_users\|live_users\|/m,
    'source: users enabled with a custom view name');
is(scalar(() = $src{catalog} =~ /\n/g) + 1, 5, 'source: five enabled tables');
like($src{uniques}, qr/^users_email_key\|app\.users\|t\|/m, 'source: users.email recorded as a converted constraint');

# --- dumps ----------------------------------------------------------------------------
my $dir = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err) = run_client('pg_dump', '-d', 'src', '-f', "$dir/plain.sql");
is($rc, 0, 'pg_dump plain') or diag($err);
($rc, $out, $err) = run_client('pg_dump', '-d', 'src', '-Fc', '-f', "$dir/custom.dump");
is($rc, 0, 'pg_dump custom') or diag($err);

# --- restores ---------------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE r_plain');
($rc, $out, $err) = run_client('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=0', '-d', 'r_plain',
    '-f', "$dir/plain.sql");
is($rc, 0, 'plain restore: psql exit code');
unlike($err, qr/ERROR/, 'plain restore: no errors') or diag($err);

$node->safe_psql('postgres', 'CREATE DATABASE r_custom');
($rc, $out, $err) = run_client('pg_restore', '-d', 'r_custom', "$dir/custom.dump");
is($rc, 0, 'custom restore: pg_restore exit code');
unlike($err, qr/error/i, 'custom restore: no errors') or diag($err);

# The strict modes (red-team H2): one transaction that stops at the first error.
$node->safe_psql('postgres', 'CREATE DATABASE r_strict_custom');
($rc, $out, $err) = run_client('pg_restore', '--single-transaction', '--exit-on-error',
    '-d', 'r_strict_custom', "$dir/custom.dump");
is($rc, 0, 'pg_restore --single-transaction --exit-on-error') or diag($err);
$node->safe_psql('postgres', 'CREATE DATABASE r_strict_plain');
($rc, $out, $err) = run_client('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction',
    '-d', 'r_strict_plain', '-f', "$dir/plain.sql");
is($rc, 0, 'psql -v ON_ERROR_STOP=1 --single-transaction of the plain dump') or diag($err);
for my $db (qw(r_strict_custom r_strict_plain)) {
    is($node->safe_psql($db, q{SELECT string_agg(relation::text, ',' ORDER BY relation::text)
                                 FROM softdelete.tables}),
        'app.order_items,app.orders,app.users,extra.events,extra.notes', "$db: every table enabled");
}

sub check_restored {
    my ($db) = @_;

    # The catalog, with the regclass columns naming the restored objects.
    for my $k (qw(catalog uniques indexes views triggers data)) {
        is($node->safe_psql($db, $q{$k}), $src{$k}, "$db: $k as in the source");
    }
    is($node->safe_psql($db, q{SELECT count(*) FROM softdelete.tables t JOIN pg_class c
                                  ON c.oid = t.relation::oid AND c.relname IN
                                     ('users', 'orders', 'order_items')}),
        '3', "$db: catalog rows point at the restored tables");

    # The table that hides its soft-deleted rows kept all of them.
    is($node->safe_psql($db, q{SET softdelete.visibility = 'all';
                               SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ','
                                      ORDER BY id) FROM extra.notes}),
        '1:false,2:true,3:false,4:true,5:false', "$db: every note restored, hidden ones too");
    is($node->safe_psql($db, 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM extra.notes'),
        '1,3,5', "$db: and still hidden");
    is($node->safe_psql($db, q{SELECT count(*) FROM pg_trigger
                                WHERE tgrelid = 'extra.notes_active'::regclass}),
        '0', "$db: the 0.2.0 view trigger was dropped on restore");
    is($node->safe_psql($db, 'DELETE FROM extra.notes_active WHERE id = 5 RETURNING id'), '5',
        "$db: DELETE through the view soft-deletes");
    is($node->safe_psql($db, q{SELECT string_agg(tgrelid::regclass::text, ',' ORDER BY 1)
                                 FROM pg_trigger WHERE tgname = 'softdelete_truncate'
                                  AND tgrelid::regclass::text LIKE 'extra.events%'}),
        'extra.events,extra.events_1,extra.events_2', "$db: every partition guarded");
    # The rest of the checks are about schema app.
    $node->safe_psql($db, 'SET client_min_messages = warning; DROP SCHEMA extra CASCADE');
    like($node->safe_psql($db, q{SELECT indexdef FROM pg_indexes
                                  WHERE indexname = 'users_email_key'}),
        qr/^CREATE UNIQUE INDEX users_email_key .* WHERE \(deleted_at IS NULL\)$/,
        "$db: unique index still partial");

    # The active view hides the soft-deleted rows, as the invoker.
    is($node->safe_psql($db, 'SELECT id FROM app.live_users ORDER BY id'), "1\n3",
        "$db: live_users hides deleted users");
    is($node->safe_psql($db, q{SET ROLE app_reader;
                               SELECT string_agg(id::text, ',' ORDER BY id) FROM app.orders_active}),
        '10,30', "$db: orders_active readable with the copied grant, hides deleted rows");

    # Soft delete and cascade (one timestamp for the whole event).
    $node->safe_psql($db, q{SET softdelete.actor = 'bob'; DELETE FROM app.users WHERE id = 1});
    is($node->safe_psql($db, q{
        SELECT count(*), count(DISTINCT deleted_at), min(deleted_by), max(deleted_by)
          FROM (SELECT deleted_at, deleted_by FROM app.users WHERE id = 1
                UNION ALL SELECT deleted_at, deleted_by FROM app.orders WHERE id = 10
                UNION ALL SELECT deleted_at, deleted_by FROM app.order_items WHERE id = 100) s
         WHERE deleted_at IS NOT NULL}),
        '3|1|bob|bob', "$db: DELETE soft-deletes and cascades");
    is($node->safe_psql($db, 'SELECT count(*) FROM app.users'), '3', "$db: no row removed");

    # DELETE through the view reports the row (as app_writer, through the copied grant).
    is($node->safe_psql($db, q{SET ROLE app_writer;
                               DELETE FROM app.live_users WHERE id = 3
                               RETURNING id, deleted_at IS NOT NULL}),
        '3|t', "$db: DELETE through the active view returns the row");
    is($node->safe_psql($db, q{SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ','
                                   ORDER BY id) FROM app.orders WHERE user_id = 3}),
        '30:true,31:true', "$db: view delete cascades");

    # Restore: the children of the same event (deleted before the dump) come back, the
    # order deleted on its own stays deleted.
    $node->safe_psql($db, 'UPDATE app.users SET deleted_at = NULL WHERE id IN (1, 2)');
    is($node->safe_psql($db, q{
        SELECT string_agg(t || id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY t, id)
          FROM (SELECT 'u' t, id, deleted_at FROM app.users
                UNION ALL SELECT 'o', id, deleted_at FROM app.orders
                UNION ALL SELECT 'i', id, deleted_at FROM app.order_items) s}),
        'i100:false,i200:false,i300:true,i310:true,'
          . 'o10:false,o20:false,o30:true,o31:true,'
          . 'u1:false,u2:false,u3:true',
        "$db: restore cascades to the same event only");
    is($node->safe_psql($db, 'SELECT count(*) FROM app.users WHERE deleted_by IS NOT NULL'),
        '1', "$db: restore clears deleted_by");

    # The partial unique index lets a new row reuse a soft-deleted row's key.
    ($rc, $out, $err) = try_sql($db, q{INSERT INTO app.users VALUES (4, 'c@x', 'C2')});
    is($rc, 0, "$db: soft-deleted key reusable") or diag($err);
    ($rc, $out, $err) = try_sql($db, q{INSERT INTO app.users VALUES (5, 'a@x', 'A2')});
    like($err, qr/duplicate key value violates unique constraint "users_email_key"/,
        "$db: active key still unique");

    # TRUNCATE blocked.
    ($rc, $out, $err) = try_sql($db, 'TRUNCATE app.order_items');
    like($err, qr/cannot truncate table "order_items" because soft delete is enabled/,
        "$db: TRUNCATE blocked");

    # Event triggers: ADD COLUMN rebuilds the view under its custom name with its grants.
    $node->safe_psql($db, 'ALTER TABLE app.users ADD COLUMN note text');
    is($node->safe_psql($db, q{SET ROLE app_reader;
                               SELECT string_agg(id || ':' || coalesce(note, '-'), ','
                                      ORDER BY id) FROM app.live_users}),
        '1:-,2:-,4:-', "$db: live_users follows ADD COLUMN, keeps its grants");
    is($node->safe_psql($db, q{SELECT active_view::text, view_name FROM softdelete.tables
                                WHERE relation = 'app.users'::regclass}),
        'app.live_users|live_users', "$db: catalog names the rebuilt view");

    # Purge: children before parents; the rows deleted before the dump are not 30 days
    # old, so an explicit older_than is used.
    is($node->safe_psql($db, q{SELECT softdelete.purge(older_than => '0 s')}), '5',
        "$db: purge removes user 3, orders 30/31, items 300/310");
    is($node->safe_psql($db, q{
        SELECT (SELECT count(*) FROM app.users) || ',' || (SELECT count(*) FROM app.orders)
               || ',' || (SELECT count(*) FROM app.order_items)}),
        '3,2,2', "$db: active rows kept");
    is($node->safe_psql($db, q{SELECT count(*) FROM softdelete.purge_log
                                WHERE error IS NULL AND rows_purged > 0}),
        '3', "$db: purge_log records the run");

    # DROP TABLE without CASCADE takes the view and the catalog row with it.
    ($rc, $out, $err) = try_sql($db, 'DROP TABLE app.order_items');
    is($rc, 0, "$db: DROP TABLE order_items without CASCADE") or diag($err);
    is($node->safe_psql($db, q{SELECT to_regclass('app.order_items_active') IS NULL,
                                      (SELECT count(*) FROM softdelete.tables)}),
        't|2', "$db: view and catalog row gone");
    # An unqualified name resolves through the caller's search_path, as for DROP itself.
    ($rc, $out, $err) = try_sql($db, 'SET search_path = app, public; DROP TABLE orders');
    is($rc, 0, "$db: DROP TABLE orders (unqualified) without CASCADE") or diag($err);
    is($node->safe_psql($db, q{SELECT relation::text FROM softdelete.tables}), 'app.users',
        "$db: only users left in the catalog");
    return;
}

# A failing safe_psql dies: report it and go on with the other checks.
for my $db (qw(r_plain r_custom)) {
    eval { check_restored($db); 1 } or fail("$db: checks stopped: $@");
}

# A dump of a restored database restores too (nothing dangling was left behind).
($rc, $out, $err) = run_client('pg_dump', '-d', 'r_custom', '-Fc', '-f', "$dir/again.dump");
is($rc, 0, 'pg_dump of a restored database') or diag($err);
$node->safe_psql('postgres', 'CREATE DATABASE r_again');
($rc, $out, $err) = run_client('pg_restore', '-d', 'r_again', "$dir/again.dump");
is($rc, 0, 'second restore') or diag($err);
is($node->safe_psql('r_again', q{SELECT relation::text, active_view::text FROM softdelete.tables}),
    'app.users|app.live_users', 'second restore: catalog');

# --- physical standby -------------------------------------------------------------------
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->start;
$node->safe_psql('src', 'DELETE FROM app.users WHERE id = 3');
$node->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('src', 'SELECT pg_is_in_recovery()'), 't', 'standby in recovery');
is($standby->safe_psql('src', 'SELECT id FROM app.live_users ORDER BY id'), '1',
    'standby: active view hides rows soft-deleted on the primary');
is($standby->safe_psql('src', q{SET ROLE app_reader;
                                SELECT string_agg(id::text, ',' ORDER BY id) FROM app.orders_active}),
    '10', 'standby: cascade replicated, view readable with the copied grant');
is($standby->safe_psql('src', q{SELECT relation::text || ':' || deleted_rows
                                  FROM softdelete.status ORDER BY relation::text}),
    "app.order_items:3\napp.orders:3\napp.users:2\nextra.events:1\nextra.notes:2",
    'standby: softdelete.status works');
is($standby->safe_psql('src', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM extra.notes'),
    '1,3,5', 'standby: hide_deleted hides there too (read-only)');
my ($srv_rc, $s_out, $s_err);
$srv_rc = $standby->psql('src', 'DELETE FROM app.live_users WHERE id = 1',
    stdout => \$s_out, stderr => \$s_err);
like($s_err, qr/read-only transaction/, 'standby: DELETE through the view refused');
is($standby->safe_psql('src', 'SELECT count(*) FROM app.users WHERE deleted_at IS NULL'), '1',
    'standby: nothing changed');

$standby->stop;
$node->stop;
done_testing();
