# 040_pg_upgrade.pl -- pg_upgrade across major versions with the extension installed
# (README, Supported PostgreSQL versions): a PostgreSQL 15 cluster that preloads
# softdelete, with enabled tables (a CASCADE chain with audit, retention and a custom
# view name, a hide_deleted table, a partitioned table), soft-deleted rows and a purge
# run, is upgraded with the pg_upgrade of the version under test (17) into a new
# cluster that preloads the same extension. Afterwards the catalog, the partial unique
# indexes, the triggers, every row (soft-deleted ones included) are what they were, and
# soft delete, cascade, restore, hide_deleted, the purge, enable() of a new table (the
# event triggers) and the purge launcher work in the new cluster.
#
# Needs the old version's binaries with this tree's extension installed into them:
# test/run_all.sh with SD_PG_VERSIONS="15 17 18" installs it for 15 before it tests 17
# and 18. The old bindir is SD_UPGRADE_OLD_BINDIR (default Debian 12's PostgreSQL 15).
# Skipped (not counted) on 15 itself, when the old binaries are missing, when their
# installed softdelete SQL scripts are not this tree's, and when the new server rejects
# an attribute option the old one puts on every column (18.6 and pg_attver of Debian's
# 15.20: pg_upgrade then fails for any table, with or without softdelete).
use strict;
use warnings;
use File::Basename qw(basename);
use File::Compare qw(compare);
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $old_bindir = $ENV{SD_UPGRADE_OLD_BINDIR} // '/usr/lib/postgresql/15/bin';
my $tree = "$FindBin::RealBin/../..";

# The major version of a pg_config's PostgreSQL ("PostgreSQL 17.12 (Debian ...)").
sub major_of {
    my ($pg_config) = @_;
    my $v = `"$pg_config" --version`;
    return $v =~ /^PostgreSQL (\d+)/ ? $1 : undef;
}

my $new_major = major_of('pg_config');    # PGXS puts the tested bindir first on PATH
plan skip_all => "no pg_config of the old version in $old_bindir"
  unless -x "$old_bindir/pg_config";
my $old_major = major_of("$old_bindir/pg_config");
plan skip_all => "the server under test ($new_major) is not newer than $old_major: "
  . 'run the suite of a newer version (SD_PG_VERSIONS="15 17 18")'
  unless defined $new_major && defined $old_major && $new_major > $old_major;
my $old_share = `"$old_bindir/pg_config" --sharedir`;
chomp $old_share;
my $old_lib = `"$old_bindir/pg_config" --pkglibdir`;
chomp $old_lib;
my @scripts = glob("$tree/softdelete--*.sql");
my @stale = grep { compare($_, "$old_share/extension/" . basename($_)) != 0 } @scripts;
plan skip_all => "PostgreSQL $old_major has no softdelete installed from this tree "
  . "(differs: @{[map { basename($_) } @stale]}); run make install "
  . "PG_CONFIG=$old_bindir/pg_config first"
  if !@scripts || @stale || !-f "$old_lib/softdelete.so";

my $conf = q{
shared_preload_libraries = 'softdelete'
softdelete.purge_enabled = off
timezone = 'UTC'
lc_messages = 'C'
};
(my $old_install = $old_bindir) =~ s{/bin/?$}{};
my $old = PostgreSQL::Test::Cluster->new('old', install_path => $old_install);
$old->init(extra => [ '--encoding=UTF8', '--no-locale' ]);
$old->append_conf('postgresql.conf', $conf);
$old->start;

# Attribute options the old server stamps on columns (Debian's 15.20 and 17.12 set
# pg_attver on every column) must be known to the new one, or pg_upgrade fails at the
# first table whatever the extension (18.6 rejects pg_attver): then skip, saying so.
$old->safe_psql('postgres', 'CREATE TABLE attopt_probe (c int)');
my @attopts = split /\n/, $old->safe_psql('postgres', q{
    SELECT DISTINCT o.option_name FROM pg_attribute a, pg_options_to_table(a.attoptions) o
     WHERE a.attrelid = 'attopt_probe'::regclass ORDER BY 1});
$old->safe_psql('postgres', 'DROP TABLE attopt_probe');
my $new = PostgreSQL::Test::Cluster->new('new');
# 18's initdb turns data checksums on by default; the old cluster has none.
$new->init(extra => [ '--encoding=UTF8', '--no-locale',
                      ($new_major >= 18 ? '--no-data-checksums' : ()) ]);
$new->append_conf('postgresql.conf', $conf);
$new->start;
my @unknown = grep {
    my ($rc) = $new->psql('postgres', "BEGIN; CREATE TABLE attopt_probe (c int);
        ALTER TABLE attopt_probe ALTER COLUMN c SET ($_ = 1); ROLLBACK",
        on_error_stop => 1);
    $rc != 0
} @attopts;
$new->stop;
if (@unknown) {
    $old->stop;
    plan skip_all => "PostgreSQL $old_major stamps the attribute option(s) @unknown on every "
      . "column, which PostgreSQL $new_major rejects: pg_upgrade $old_major -> $new_major "
      . 'fails at the first table, with or without softdelete';
}

$old->safe_psql('postgres', q{
CREATE ROLE app_writer;
CREATE DATABASE app;
});
$old->safe_psql('app', q{
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO app_writer;
SET search_path = app;
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE orders (id int PRIMARY KEY,
                     user_id int NOT NULL REFERENCES users ON DELETE CASCADE,
                     ref text, UNIQUE (user_id, ref));
CREATE TABLE order_items (id int PRIMARY KEY,
                          order_id int NOT NULL REFERENCES orders ON DELETE CASCADE,
                          sku text);
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO app_writer;
SELECT softdelete.enable('users', view_name => 'live_users', retention => '30 days',
                         audit => true);
INSERT INTO users VALUES (1, 'a@x', 'A'), (2, 'b@x', 'B'), (3, 'c@x', 'C');
INSERT INTO orders VALUES (10, 1, 'r1'), (20, 2, 'r1'), (30, 3, 'r1'), (31, 3, 'r2');
INSERT INTO order_items VALUES (100, 10, 's'), (200, 20, 's'), (300, 30, 's'), (310, 31, 's');
SET softdelete.actor = 'alice';
DELETE FROM users WHERE id = 2;
RESET softdelete.actor;
CREATE TABLE notes (id int PRIMARY KEY, body text);
SELECT softdelete.enable('notes', hide_deleted => true);
INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 5) g;
DELETE FROM notes WHERE id IN (2, 4);
CREATE TABLE events (id int, k int) PARTITION BY LIST (k);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
CREATE TABLE events_2 PARTITION OF events FOR VALUES IN (2);
SELECT softdelete.enable('events');
INSERT INTO events VALUES (1, 1), (2, 2), (3, 2), (4, 1);
DELETE FROM events WHERE id IN (3, 4);
-- a purge run: a row soft-deleted long ago goes, and the log records it
UPDATE events SET deleted_at = '2000-01-01 00:00+00' WHERE id = 4;
SELECT softdelete.purge('events', older_than => '1 year');
});
is($old->safe_psql('app', 'SELECT count(*) FROM app.notes'), '3',
    "PostgreSQL $old_major: hide_deleted hides the soft-deleted notes");

my %q = (
    catalog => q{SELECT relation::text, column_name, active_view::text, view_name,
                        deleted_index, "cascade", retention, audit, hide_deleted
                   FROM softdelete.tables ORDER BY 1},
    uniques => q{SELECT relation::text, index, was_constraint, original_definition
                   FROM softdelete.unique_indexes ORDER BY 1, 2},
    indexes => q{SELECT tablename, indexname, indexdef FROM pg_indexes
                  WHERE schemaname = 'app' ORDER BY 1, 2},
    triggers => q{SELECT tgrelid::regclass::text, tgname, tgenabled, pg_get_triggerdef(oid)
                    FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2},
    event_triggers => q{SELECT evtname, evtevent, evtenabled, evtfoid::regproc::text
                          FROM pg_event_trigger ORDER BY 1},
    views => q{SELECT c.oid::regclass::text, c.reloptions,
                      has_table_privilege('app_writer', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
                 FROM pg_class c WHERE c.relkind = 'v' AND c.relnamespace = 'app'::regnamespace
                ORDER BY 1},
    extension => q{SELECT extname, extversion, extnamespace::regnamespace::text
                     FROM pg_extension WHERE extname = 'softdelete'},
    purge_log => q{SELECT relation, rows_purged, rows_skipped, error IS NULL
                     FROM softdelete.purge_log ORDER BY id},
    data => q{SET softdelete.visibility = 'all';
              SELECT 'u', id, email, deleted_at, deleted_by FROM app.users
              UNION ALL SELECT 'o', id, ref, deleted_at, NULL FROM app.orders
              UNION ALL SELECT 'i', id, sku, deleted_at, NULL FROM app.order_items
              UNION ALL SELECT 'n', id, body, deleted_at, NULL FROM app.notes
              UNION ALL SELECT 'e', id, k::text, deleted_at, NULL FROM app.events
              ORDER BY 1, 2},
);
my %before = map { $_ => $old->safe_psql('app', $q{$_}) } keys %q;
like($before{data}, qr/^u\|2\|b\@x\|.+\|alice$/m, 'old cluster: user 2 soft-deleted by alice');
unlike($before{data}, qr/^e\|4\|/m, 'old cluster: the purge removed event 4');
$old->stop;

my $new_bindir = `pg_config --bindir`;
chomp $new_bindir;
my $sockdir = PostgreSQL::Test::Utils::tempdir_short();
my @upgrade = (
    "$new_bindir/pg_upgrade", '--no-sync',
    '--old-datadir' => $old->data_dir, '--new-datadir' => $new->data_dir,
    '--old-bindir' => $old_bindir, '--new-bindir' => $new_bindir,
    '--old-port' => $old->port, '--new-port' => $new->port,
    '--socketdir' => $sockdir);
# pg_upgrade writes its scripts (delete_old_cluster.sh) into the current directory.
chdir(PostgreSQL::Test::Utils::tempdir()) or die "chdir: $!";
command_like([ @upgrade, '--check' ], qr/Clusters are compatible/,
    "pg_upgrade --check: $old_major -> $new_major clusters are compatible");
command_ok(\@upgrade, "pg_upgrade $old_major -> $new_major with softdelete installed");
$new->start;

for my $k (sort keys %q) {
    is($new->safe_psql('app', $q{$k}), $before{$k}, "after pg_upgrade: same $k");
}

# The extension works in the new cluster.
is($new->safe_psql('app', 'SELECT count(*) FROM app.notes'), '3',
    'new cluster: hide_deleted still hides the soft-deleted notes');
my ($rc, $out, $err) = ('', '', '');
$rc = $new->psql('app', q{DELETE FROM app.users WHERE id = 1},
    stdout => \$out, stderr => \$err, extra_params => [ '-v', 'QUIET=0' ]);
is($rc, 0, 'new cluster: DELETE of user 1 succeeds');
like($out, qr/DELETE 1/, 'new cluster: it reports DELETE 1');
is($new->safe_psql('app', q{
    SELECT u.deleted_at IS NOT NULL, u.deleted_at = o.deleted_at, o.deleted_at = i.deleted_at
      FROM app.users u JOIN app.orders o ON o.user_id = u.id
      JOIN app.order_items i ON i.order_id = o.id WHERE u.id = 1}),
    't|t|t', 'new cluster: the soft delete cascades to orders and items (one event)');
is($new->safe_psql('app', q{
    BEGIN;
    SET LOCAL softdelete.visibility = 'deleted';
    UPDATE app.users SET deleted_at = NULL WHERE id = 1;
    COMMIT;
    SELECT count(*) FILTER (WHERE deleted_at IS NULL) FROM app.orders WHERE user_id = 1}),
    '1', 'new cluster: restoring user 1 restores its order');
is($new->safe_psql('app', q{INSERT INTO app.users VALUES (4, 'b@x', 'B again') RETURNING id}),
    '4', "new cluster: the partial unique index lets a new row take a soft-deleted row's email");
($rc, $out, $err) = $new->psql('app', q{INSERT INTO app.users VALUES (5, 'a@x', 'dup')});
like($err, qr/duplicate key value violates unique constraint "users_email_key"/,
    'new cluster: but not an active one');
# user 2, its order 20 and item 200, notes 2 and 4, event 3: children before parents
is($new->safe_psql('app', q{SELECT softdelete.purge(older_than => '0')}), '6',
    'new cluster: the purge removes every soft-deleted row');
is($new->safe_psql('app', q{SET softdelete.visibility = 'all';
    SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM app.users) || ' / ' ||
           (SELECT string_agg(id::text, ',' ORDER BY id) FROM app.orders) || ' / ' ||
           (SELECT string_agg(id::text, ',' ORDER BY id) FROM app.order_items) || ' / ' ||
           (SELECT string_agg(id::text, ',' ORDER BY id) FROM app.notes) || ' / ' ||
           (SELECT string_agg(id::text, ',' ORDER BY id) FROM app.events)}),
    '1,3,4 / 10,30,31 / 100,300,310 / 1,3,5 / 1,2',
    'new cluster: what is left after the purge');
$new->safe_psql('app', q{
    SET client_min_messages = warning;
    CREATE TABLE app.fresh (id int PRIMARY KEY, code text UNIQUE);
    SELECT softdelete.enable('app.fresh', hide_deleted => true);
    INSERT INTO app.fresh VALUES (1, 'x'), (2, 'y');
    DELETE FROM app.fresh WHERE id = 1});
is($new->safe_psql('app', q{SELECT count(*) FROM app.fresh}), '1',
    'new cluster: enable() and soft delete of a new table');
is($new->safe_psql('app', q{DROP TABLE app.fresh;
    SELECT count(*) FROM softdelete.tables WHERE relation::text = 'app.fresh'}), '0',
    'new cluster: DROP TABLE of it (event triggers) leaves no catalog row');
ok($new->poll_query_until('postgres',
    q{SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'softdelete launcher'}),
    'new cluster: the purge launcher runs');
is($new->safe_psql('app', q{ALTER EXTENSION softdelete UPDATE; SELECT extversion
    FROM pg_extension WHERE extname = 'softdelete'}), '0.3.0',
    'new cluster: ALTER EXTENSION softdelete UPDATE has nothing to do');
$new->stop;

done_testing();
