# 003_replication.pl -- replication (README, Retention purge; PITFALLS 12).
# (a) A streaming standby serves the active views and the status view, and its purge
#     worker (shared_preload_libraries, 1 s interval, due rows) never purges there;
#     the primary's purge reaches it. (001 covers: no launcher on the standby, and
#     purging after promotion.) softdelete.purge() there, dry run or not, fails with
#     25006 and a hint to run it on the primary.
# (b) Logical replication to a subscriber with the extension enabled on the same
#     tables, and to one without it: a soft delete arrives as an UPDATE, a cascade and
#     a restore arrive, a purge arrives as DELETEs, and the subscriber's own
#     soft-delete triggers do not fire for replicated changes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 'logical');
$primary->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_interval = '1s'
# The primary purges only when the test calls softdelete.purge().
softdelete.purge_enabled = off
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE DATABASE app');

# --- (a) physical standby ---------------------------------------------------------------
$primary->safe_psql('app', q{
CREATE EXTENSION softdelete;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
CREATE TABLE orders (id int PRIMARY KEY,
                     user_id int NOT NULL REFERENCES users ON DELETE CASCADE);
CREATE TABLE items (id int PRIMARY KEY,
                    order_id int NOT NULL REFERENCES orders ON DELETE CASCADE);
SELECT softdelete.enable('users');
INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 10) g;
INSERT INTO orders SELECT g, g % 10 + 1 FROM generate_series(1, 50) g;
INSERT INTO items SELECT g, g % 50 + 1 FROM generate_series(1, 200) g;
});
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_interval = '1s'
softdelete.purge_enabled = on
});
$standby->start;

# Rows of each table as "id:deleted?" lists, through the base tables and the views.
my $contents_sql = q{
SELECT (SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM users)
    || ' | ' || (SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM orders)
    || ' | ' || (SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM items)};
my $views_sql = q{
SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM users_active)
    || ' | ' || (SELECT string_agg(id::text, ',' ORDER BY id) FROM orders_active)
    || ' | ' || (SELECT string_agg(id::text, ',' ORDER BY id) FROM items_active)};
my $log_sql = q{
SELECT coalesce(string_agg(format('%s %s %s %s', id, relation, rows_purged, finished_at IS NOT NULL),
                           ',' ORDER BY id), 'empty') FROM softdelete.purge_log};
my $status_sql = q{
SELECT string_agg(format('%s %s %s', relation, deleted_rows, purge_due_rows), ',' ORDER BY relation::text)
  FROM softdelete.status};

$primary->safe_psql('app', 'DELETE FROM users WHERE id = 1');
$primary->wait_for_catchup($standby);
my $views = $standby->safe_psql('app', $views_sql);
is($views, $primary->safe_psql('app', $views_sql), '(a) standby active views match the primary');
unlike($views, qr/^1,/, '(a) the soft-deleted user is not in users_active on the standby');
is($standby->safe_psql('app', 'SELECT count(*) FROM orders_active WHERE user_id = 1'), '0',
    "(a) nor are its cascaded orders");
is($standby->safe_psql('app', $contents_sql), $primary->safe_psql('app', $contents_sql),
    '(a) standby tables match the primary');

# Due rows (2 days old, retention 1 day) that a purge on the standby would remove.
$primary->safe_psql('app', q{
SELECT softdelete.set_retention(t, '1 day') FROM unnest('{users,orders,items}'::regclass[]) t;
UPDATE users SET deleted_at = now() - interval '2 days' WHERE id = 2;
});
$primary->wait_for_catchup($standby);
my $status = $standby->safe_psql('app', $status_sql);
is($status, $primary->safe_psql('app', $status_sql), '(a) softdelete.status works on the standby');
like($status, qr/^items 40 20,orders 10 5,users 2 1$/, '(a) with rows due for purge');

# Several purge intervals pass on the standby (a poll on its clock, not a sleep).
my $t0 = $standby->safe_psql('app', 'SELECT now()');
$standby->poll_query_until('app', "SELECT now() > '$t0'::timestamptz + interval '4 s'");
is($standby->safe_psql('app', $status_sql), $status, '(a) the standby purged nothing');
is($standby->safe_psql('app', $log_sql), $primary->safe_psql('app', $log_sql),
    "(a) the standby's purge_log is the primary's");
my @worker_errors = grep { /(ERROR|FATAL|PANIC):/ || /softdelete.*exited with exit code/ }
    split /\n/, slurp_file($standby->logfile);
is(scalar(@worker_errors), 0, '(a) no errors in the standby log') or diag(join("\n", @worker_errors));

# The primary's purge reaches the standby.
is($primary->safe_psql('app', 'SELECT softdelete.purge()'), '26', '(a) the primary purges');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('app', $contents_sql), $primary->safe_psql('app', $contents_sql),
    '(a) the purge reached the standby');
is($standby->safe_psql('app', 'SELECT count(*) FROM users WHERE id = 2'), '0',
    '(a) purged user gone on the standby');
is($standby->safe_psql('app', $log_sql), $primary->safe_psql('app', $log_sql),
    "(a) and the primary's purge_log with it");
like($standby->safe_psql('app', $log_sql), qr/users 1 t/, '(a) purge_log shows the run');

# Writes on the standby fail cleanly.
my ($ret, $out, $err) = $standby->psql('app', 'DELETE FROM users WHERE id = 3');
like($err, qr/read-only transaction/, '(a) DELETE on the standby: read-only error');
# softdelete.purge(), dry run or not, fails at once with 25006 and says where to run it
# (a dry run counts by purging in a subtransaction it rolls back).
for my $dry ('false', 'true') {
    ($ret, $out, $err) = $standby->psql('app',
        "SELECT softdelete.purge(older_than => interval '0', dry_run => $dry)",
        extra_params => [ '-v', 'VERBOSITY=verbose' ]);
    my $what = $dry eq 'true' ? 'softdelete\.purge\(dry_run => true\)' : 'softdelete\.purge\(\)';
    isnt($ret, 0, "(a) purge dry_run => $dry on the standby fails");
    like($err, qr/ERROR:  25006: $what needs a read-write transaction/,
        "(a) purge dry_run => $dry on the standby: 25006, names what needs a read-write transaction");
    like($err, qr/HINT:  This server is a standby: run it on the primary\./,
        "(a) purge dry_run => $dry on the standby: hint to run it on the primary");
}
is($standby->safe_psql('app', $contents_sql), $primary->safe_psql('app', $contents_sql),
    '(a) standby unchanged');
$standby->stop('fast');

# --- (b) logical replication ------------------------------------------------------------
# Three levels, the last one a self-referencing comment tree.
my $ddl = q{
CREATE TABLE authors (id int PRIMARY KEY, email text);
CREATE TABLE posts (id int PRIMARY KEY,
                    author_id int NOT NULL REFERENCES authors ON DELETE CASCADE);
CREATE TABLE comments (id int PRIMARY KEY,
                       post_id int NOT NULL REFERENCES posts ON DELETE CASCADE,
                       parent_id int REFERENCES comments ON DELETE CASCADE);
CREATE UNIQUE INDEX authors_email ON authors (email);
};
$primary->safe_psql('app', $ddl . q{
SELECT softdelete.enable('authors');
INSERT INTO authors SELECT g, 'a' || g FROM generate_series(1, 5) g;
INSERT INTO posts SELECT g, g % 5 + 1 FROM generate_series(1, 20) g;
-- comment c answers c - 20 (same post): trees five deep.
INSERT INTO comments SELECT g, g % 20 + 1, CASE WHEN g > 20 THEN g - 20 END
  FROM generate_series(1, 100) g;
-- Soft-deleted before the subscription: the initial copy carries it.
DELETE FROM authors WHERE id = 5;
CREATE PUBLICATION pub FOR TABLE authors, posts, comments;
});

my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
# Two apply workers and their table-sync workers at once.
$sub->append_conf('postgresql.conf', q{
max_logical_replication_workers = 8
max_worker_processes = 16
});
$sub->start;
$sub->safe_psql('postgres', 'CREATE DATABASE ext');
$sub->safe_psql('postgres', 'CREATE DATABASE plain');
# ext: the extension enabled on the same tables, and a table of its own that cascades
# from authors (its rows are not replicated).
$sub->safe_psql('ext', $ddl . q{
CREATE EXTENSION softdelete;
CREATE TABLE author_notes (id int PRIMARY KEY,
                           author_id int NOT NULL REFERENCES authors ON DELETE CASCADE);
SELECT softdelete.enable('authors');
});
# plain: no extension, the same columns (and the partial unique index by hand).
$sub->safe_psql('plain', q{
CREATE TABLE authors (id int PRIMARY KEY, email text, deleted_at timestamptz);
CREATE TABLE posts (id int PRIMARY KEY,
                    author_id int NOT NULL REFERENCES authors ON DELETE CASCADE,
                    deleted_at timestamptz);
CREATE TABLE comments (id int PRIMARY KEY,
                       post_id int NOT NULL REFERENCES posts ON DELETE CASCADE,
                       parent_id int REFERENCES comments ON DELETE CASCADE,
                       deleted_at timestamptz);
CREATE UNIQUE INDEX authors_email ON authors (email) WHERE deleted_at IS NULL;
});
# 4 tables x 4 triggers (the active views have none since 0.3.0).
is($sub->safe_psql('ext', q{
    SELECT count(*) FILTER (WHERE tgenabled = 'O') || '/' || count(*) FROM pg_trigger
     WHERE NOT tgisinternal AND tgfoid::regproc::text LIKE 'softdelete.%'}), '16/16',
    '(b) every soft-delete trigger on the subscriber fires in origin mode only (not ALWAYS)');

my $connstr = $primary->connstr . ' dbname=app';
$sub->safe_psql('ext', "CREATE SUBSCRIPTION sub_ext CONNECTION '$connstr' PUBLICATION pub");
$sub->safe_psql('plain', "CREATE SUBSCRIPTION sub_plain CONNECTION '$connstr' PUBLICATION pub");
$sub->wait_for_subscription_sync($primary, 'sub_ext', 'ext');
$sub->wait_for_subscription_sync($primary, 'sub_plain', 'plain');

# Every row with its exact timestamp.
my $rows_sql = q{
SELECT (SELECT string_agg(id || ':' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM authors)
    || E'\n' || (SELECT string_agg(id || ':' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM posts)
    || E'\n' || (SELECT string_agg(id || ':' || coalesce(deleted_at::text, '-'), ',' ORDER BY id) FROM comments)};
my $deleted_sql = q{
SELECT (SELECT count(*) FROM authors WHERE deleted_at IS NOT NULL) || '/'
    || (SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL) || '/'
    || (SELECT count(*) FROM comments WHERE deleted_at IS NOT NULL)};

sub replicated {
    my ($what) = @_;
    $primary->wait_for_catchup('sub_ext');
    $primary->wait_for_catchup('sub_plain');
    my $want = $primary->safe_psql('app', $rows_sql);
    is($sub->safe_psql('ext', $rows_sql), $want, "(b) $what: subscriber with the extension");
    is($sub->safe_psql('plain', $rows_sql), $want, "(b) $what: subscriber without it");
}

replicated('initial copy, soft-deleted rows included');
is($sub->safe_psql('ext', $deleted_sql), '1/4/20', '(b) the copy has the cascaded deletion');

# Local notes on the subscriber for authors 1 and 3.
$sub->safe_psql('ext', 'INSERT INTO author_notes VALUES (1, 1), (2, 1), (3, 3)');

# A soft delete with its cascade (posts 5, 10, 15, 20 and their comment trees).
$primary->safe_psql('app', 'DELETE FROM authors WHERE id = 1');
is($primary->safe_psql('app', $deleted_sql), '2/8/40', '(b) publisher: author 1 and its cascade');
replicated('soft delete and cascade arrive as updates');
is($sub->safe_psql('ext', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM authors_active'),
    '2,3,4', "(b) the subscriber's active view follows");
is($sub->safe_psql('ext', 'SELECT count(*) FROM author_notes_active'), '3',
    "(b) the subscriber's cascade trigger did not fire: its own notes of author 1 stay active");

# A delete through the publisher's active view.
$primary->safe_psql('app', 'DELETE FROM posts_active WHERE id = 1');
replicated('delete through the active view');
is($sub->safe_psql('ext', 'SELECT count(*) FROM comments_active WHERE post_id = 1'), '0',
    '(b) with its comment tree');

# A restore with its cascade.
$primary->safe_psql('app', 'UPDATE authors SET deleted_at = NULL WHERE id = 1');
is($primary->safe_psql('app', $deleted_sql), '1/5/25', '(b) publisher: author 1 restored');
replicated('restore arrives');

# A purge: the soft-deleted rows go for real, children first.
$primary->safe_psql('app', 'DELETE FROM authors WHERE id = 2');
# (Table by table, children first: users, orders, items of part (a) are not touched.)
is($primary->safe_psql('app', q{
    SELECT softdelete.purge('comments', interval '0');
    SELECT softdelete.purge('posts', interval '0');
    SELECT softdelete.purge('authors', interval '0');}),
    "40\n8\n2", '(b) publisher purges authors 2 and 5, post 1, and everything under them');
is($primary->safe_psql('app', $deleted_sql), '0/0/0', '(b) nothing soft-deleted left');
replicated('purge arrives as deletes');
is($sub->safe_psql('ext', q{SELECT count(*) FROM authors WHERE id IN (2, 5)}), '0',
    "(b) purged rows gone on the subscriber: its delete trigger did not turn them into soft deletes");
is($sub->safe_psql('ext', $deleted_sql), '0/0/0', '(b) nothing left soft-deleted there');

# The extension still works for the subscriber's own sessions.
$sub->safe_psql('ext', 'DELETE FROM author_notes WHERE id = 3');
is($sub->safe_psql('ext', 'SELECT count(*) FROM author_notes WHERE deleted_at IS NOT NULL'), '1',
    '(b) a local DELETE on the subscriber is a soft delete');

# --- (c) a table that hides its soft-deleted rows -------------------------------------
# The initial copy of a subscription runs on the publisher's walsender: it gets
# every row (also with a publication row filter, whose copy is a query there).
$primary->safe_psql('app', q{
CREATE TABLE hidden_notes (id int PRIMARY KEY, body text);
SELECT softdelete.enable('hidden_notes', hide_deleted => true);
INSERT INTO hidden_notes SELECT g, 'n' || g FROM generate_series(1, 6) g;
DELETE FROM hidden_notes WHERE id IN (2, 5);
CREATE PUBLICATION pub_hidden FOR TABLE hidden_notes;
CREATE PUBLICATION pub_hidden_filtered FOR TABLE hidden_notes WHERE (id > 1);
});
is($primary->safe_psql('app', 'SELECT count(*) FROM hidden_notes'), '4',
    '(c) publisher hides two of six rows');
$sub->safe_psql('postgres', 'CREATE DATABASE hide1');
$sub->safe_psql('postgres', 'CREATE DATABASE hide2');
for my $db (qw(hide1 hide2)) {
    $sub->safe_psql($db, 'CREATE TABLE hidden_notes (id int PRIMARY KEY, body text, deleted_at timestamptz)');
}
$sub->safe_psql('hide1', "CREATE SUBSCRIPTION sub_hide1 CONNECTION '$connstr' PUBLICATION pub_hidden");
$sub->safe_psql('hide2',
    "CREATE SUBSCRIPTION sub_hide2 CONNECTION '$connstr' PUBLICATION pub_hidden_filtered");
$sub->wait_for_subscription_sync($primary, 'sub_hide1', 'hide1');
$sub->wait_for_subscription_sync($primary, 'sub_hide2', 'hide2');
is($sub->safe_psql('hide1', q{SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ','
                                ORDER BY id) FROM hidden_notes}),
    '1:false,2:true,3:false,4:false,5:true,6:false', '(c) initial copy: every row');
is($sub->safe_psql('hide2', q{SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ','
                                ORDER BY id) FROM hidden_notes}),
    '2:true,3:false,4:false,5:true,6:false', '(c) initial copy with a row filter: every row it passes');
$primary->safe_psql('app', 'DELETE FROM hidden_notes WHERE id = 3');
$primary->wait_for_catchup('sub_hide1');
is($sub->safe_psql('hide1', 'SELECT deleted_at IS NOT NULL FROM hidden_notes WHERE id = 3'), 't',
    '(c) a soft delete arrives as an update');

my @apply_errors = grep { /(ERROR|FATAL|PANIC):/ } split /\n/, slurp_file($sub->logfile);
is(scalar(@apply_errors), 0, '(b, c) no errors on the subscriber') or diag(join("\n", @apply_errors));

done_testing();
