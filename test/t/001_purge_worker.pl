# 001_purge_worker.pl -- the background purge worker (README, Retention purge): automatic purge,
# reload, fast shutdown, kill -9 and restart, standby + promotion, DROP DATABASE,
# a database created after start, softdelete.purge() against a running purge, a
# batch that sleeps (purge_batch_timeout, databases side by side) and the purge
# lock no role can take.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('primary');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_interval = '1s'
max_worker_processes = 16
# The framework turns this off; the kill -9 test needs the postmaster to recover.
restart_after_crash = on
});
$node->start;

ok($node->poll_query_until('postgres',
        "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'softdelete launcher'"),
    'launcher runs with its own backend_type');

# Purge is paused while we fill a table.
sub set_conf {
    my ($name, $value) = @_;
    $node->safe_psql('postgres', "ALTER SYSTEM SET $name = '$value'; SELECT pg_reload_conf();");
}

# --- a database created after start, with the extension created later ------------------
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', q{
CREATE EXTENSION softdelete;
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);
SELECT softdelete.enable('users', retention => '1 day');
SELECT softdelete.enable('orders', retention => '1 day');
INSERT INTO users SELECT g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, g FROM generate_series(1, 50) g;
UPDATE orders SET deleted_at = now() - interval '2 days' WHERE id <= 30;
UPDATE users SET deleted_at = now() - interval '2 days' WHERE id <= 60;
});
ok($node->poll_query_until('app', 'SELECT count(*) = 60 FROM users'),
    'worker purges due rows in a database created after start');
is($node->safe_psql('app', 'SELECT count(*) FROM orders'), '20', 'due children purged too');
is($node->safe_psql('app', 'SELECT count(*) FROM users WHERE deleted_at IS NULL'),
    '40', 'active rows kept');
is($node->safe_psql('app', q{SELECT count(*) FROM users WHERE id BETWEEN 31 AND 50}),
    '20', 'parents of active children kept');
ok($node->poll_query_until('app', q{
    SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.users' AND finished_at IS NOT NULL AND rows_purged = 40}),
    'purge_log records the worker run');

# --- reload: purge_enabled = off pauses it ---------------------------------------------
set_conf('softdelete.purge_enabled', 'off');
ok($node->poll_query_until('postgres', q{SELECT current_setting('softdelete.purge_enabled') = 'off'}),
    'setting reloaded');
# Let a running pass finish: no worker left.
ok($node->poll_query_until('postgres',
        "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'softdelete purge worker'"),
    'no purge worker while paused');
$node->safe_psql('app', q{UPDATE users SET deleted_at = now() - interval '2 days' WHERE id > 90});
my $t0 = $node->safe_psql('postgres', 'SELECT now()');
# Three intervals pass (a poll on the clock, not a sleep) with nothing purged.
$node->poll_query_until('postgres', "SELECT now() > '$t0'::timestamptz + interval '3 s'");
is($node->safe_psql('app', 'SELECT count(*) FROM users'), '60', 'paused: nothing purged');
set_conf('softdelete.purge_enabled', 'on');
ok($node->poll_query_until('app', 'SELECT count(*) = 50 FROM users'), 'resumed after reload');

# --- a table whose purge fails does not stop the others --------------------------------
$node->safe_psql('app', q{
CREATE TABLE flaky (id int PRIMARY KEY);
SELECT softdelete.enable('flaky', retention => '1 day');
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'flaky refuses to be purged'; END$$;
CREATE TRIGGER refuse BEFORE DELETE ON flaky FOR EACH ROW EXECUTE FUNCTION refuse();
INSERT INTO flaky VALUES (1);
UPDATE flaky SET deleted_at = now() - interval '2 days';
CREATE TABLE zeta (id int PRIMARY KEY);
SELECT softdelete.enable('zeta', retention => '1 day');
INSERT INTO zeta SELECT generate_series(1, 10);
UPDATE zeta SET deleted_at = now() - interval '2 days';
});
ok($node->poll_query_until('app', 'SELECT count(*) = 0 FROM zeta'), 'other tables purged');
ok($node->poll_query_until('app', q{
    SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.flaky' AND error LIKE '%flaky refuses%'}),
    'error recorded in purge_log');
is($node->safe_psql('app', 'SELECT count(*) FROM flaky'), '1', 'failing table untouched');
$node->safe_psql('app', 'DROP TABLE flaky');

# --- one slow table stalls neither the pass nor the other databases (red-team M1) ----------
# An owner's BEFORE DELETE trigger sleeps for an hour: softdelete.purge_batch_timeout
# cancels that batch (recorded as the table's error), and the launcher, which runs
# databases side by side, purges another database meanwhile.  That database has
# default_transaction_read_only = on (red-team L4): the worker's own transactions
# write anyway.
set_conf('softdelete.purge_batch_timeout', '3s');
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', q{
CREATE EXTENSION softdelete;
CREATE TABLE t (id int PRIMARY KEY);
SELECT softdelete.enable('t', retention => '1 day');
});
$node->safe_psql('postgres', 'ALTER DATABASE other SET default_transaction_read_only = on');
$node->safe_psql('app', q{
CREATE TABLE slow (id int PRIMARY KEY);
SELECT softdelete.enable('slow', retention => '1 day');
CREATE FUNCTION nap() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN PERFORM pg_sleep(3600); RETURN OLD; END$$;
CREATE TRIGGER nap BEFORE DELETE ON slow FOR EACH ROW EXECUTE FUNCTION nap();
INSERT INTO slow VALUES (1);
UPDATE slow SET deleted_at = now() - interval '2 days';
});
ok($node->poll_query_until('app', q{SELECT count(*) > 0 FROM pg_stat_activity
     WHERE backend_type = 'softdelete purge worker' AND datname = 'app'
       AND wait_event = 'PgSleep'}),
    'the worker of database app sleeps in the trigger');
$node->safe_psql('other', q{
SET default_transaction_read_only = off;
INSERT INTO t SELECT generate_series(1, 10);
UPDATE t SET deleted_at = now() - interval '2 days';
});
ok($node->poll_query_until('other', 'SELECT count(*) = 0 FROM t'),
    'database other is purged meanwhile, under default_transaction_read_only = on');
ok($node->poll_query_until('app', q{SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.slow' AND error LIKE '%statement timeout%'}),
    'the sleeping batch is cancelled by softdelete.purge_batch_timeout and recorded');
is($node->safe_psql('app', 'SELECT count(*) FROM slow'), '1', 'its row stays');
$node->safe_psql('app', 'DROP TABLE slow');
$node->safe_psql('postgres', 'DROP DATABASE other');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET softdelete.purge_batch_timeout; SELECT pg_reload_conf()');

# --- softdelete.purge() while another purge holds the lock -----------------------------
my $bg = $node->background_psql('app');
$bg->query_safe('BEGIN');
$bg->query_safe('SELECT softdelete.purge()');
my ($ret, $out, $err) = $node->psql('app', 'SELECT softdelete.purge()');
is($out, '0', 'concurrent purge returns 0');
like($err, qr/another purge is running/, 'with a NOTICE');
$bg->query_safe('ROLLBACK');
# The purge lock is not an advisory lock a role can take from SQL (red-team
# M2): holding the advisory lock on the same keys no longer suspends purge().
$node->safe_psql('app', q{
CREATE TABLE m2 (id int PRIMARY KEY);
SELECT softdelete.enable('m2');
INSERT INTO m2 SELECT generate_series(1, 3);
DELETE FROM m2;
});
$bg->query_safe('SELECT pg_advisory_lock(1936680564, 1886745191)');
($ret, $out, $err) = $node->psql('app', "SELECT softdelete.purge('m2', older_than => '0')");
is($out, '3', 'the advisory lock on the purge keys does not suspend the purge');
unlike($err, qr/another purge is running/, 'no NOTICE either');
$bg->query_safe('SELECT pg_advisory_unlock_all()');
$node->safe_psql('app', 'DROP TABLE m2');
$bg->quit;

# --- big table: fast shutdown while purging, kill -9 while purging ---------------------
set_conf('softdelete.purge_batch_size', '500');
sub fill_big {
    my ($db, $rows) = @_;
    $node->safe_psql($db, qq{
    SET softdelete.hard_delete = on;
    CREATE TABLE IF NOT EXISTS big (id bigint PRIMARY KEY, payload text);
    SELECT softdelete.enable('big', retention => '1 day');
    INSERT INTO big SELECT g, 'x', now() - interval '2 days' FROM generate_series(1, $rows) g;
    });
}
set_conf('softdelete.purge_enabled', 'off');
fill_big('app', 400000);
set_conf('softdelete.purge_enabled', 'on');
ok($node->poll_query_until('app', q{
    SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.big' AND finished_at IS NULL AND rows_purged > 0}),
    'worker is purging the big table');
my $start = time();
$node->stop('fast');
my $elapsed = time() - $start;
cmp_ok($elapsed, '<', 5, "fast shutdown while purging took ${elapsed}s");
$node->start;

ok($node->poll_query_until('app', q{
    SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.big' AND finished_at IS NULL AND rows_purged > 0
       AND started_at > (SELECT pg_postmaster_start_time())}),
    'worker purges the big table again after restart');
my $pid = $node->safe_psql('app',
    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'softdelete purge worker' AND datname = 'app'");
like($pid, qr/^\d+$/, 'found the purge worker');
my $left_before = $node->safe_psql('app', 'SELECT count(*) FROM big');
kill 'KILL', $pid;
ok($node->poll_query_until('app', 'SELECT count(*) = 0 FROM big'),
    'after kill -9 the postmaster restarts it and the rest is purged');
cmp_ok($left_before, '<', 400000, 'committed batches stayed purged');
cmp_ok($node->safe_psql('app', q{SELECT count(*) FROM softdelete.purge_log
     WHERE relation = 'public.big' AND finished_at IS NULL}), '>=', 1,
    'purge_log shows the interrupted runs');
ok($node->poll_query_until('app', q{SELECT count(*) > 0 FROM softdelete.purge_log
     WHERE relation = 'public.big' AND finished_at IS NOT NULL AND error IS NULL}),
    'and a finished one');

# --- DROP DATABASE of a database being purged is not blocked --------------------------
$node->safe_psql('postgres', 'CREATE DATABASE dropme');
$node->safe_psql('dropme', 'CREATE EXTENSION softdelete');
set_conf('softdelete.purge_enabled', 'off');
fill_big('dropme', 300000);
set_conf('softdelete.purge_enabled', 'on');
ok($node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_stat_activity
     WHERE backend_type = 'softdelete purge worker' AND datname = 'dropme'}),
    'worker is purging dropme');
$start = time();
$node->safe_psql('postgres', 'DROP DATABASE dropme');
$elapsed = time() - $start;
cmp_ok($elapsed, '<', 3, "DROP DATABASE took ${elapsed}s");

# --- standby idles, purges after promotion ----------------------------------------------
$node->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'bk', has_streaming => 1);
$standby->start;
set_conf('softdelete.purge_enabled', 'off');
$node->safe_psql('app', q{
INSERT INTO users SELECT g FROM generate_series(1000, 1009) g;
UPDATE users SET deleted_at = now() - interval '2 days' WHERE id >= 1000;
});
$node->wait_for_catchup($standby);
is($standby->safe_psql('app', q{SELECT count(*) FROM pg_stat_activity
     WHERE backend_type IN ('softdelete launcher', 'softdelete purge worker')}),
    '0', 'no launcher or worker on the standby');
is($standby->safe_psql('app', 'SELECT count(*) FROM users WHERE id >= 1000'), '10',
    'standby has the due rows');
$node->stop('fast');
$standby->promote;
ok($standby->poll_query_until('app', 'SELECT count(*) = 0 FROM users WHERE id >= 1000'),
    'promoted standby purges');
$standby->stop('fast');

done_testing();
