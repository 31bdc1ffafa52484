# 002_crash_recovery.pl -- crash (SIGKILL of the postmaster and all its children, as a
# power loss would) in the middle of (a) a 500,000-row soft delete, (b) a three-level
# cascade, (c) a purge: softdelete.purge() (one transaction) and the background worker
# (one transaction per batch). After crash recovery each is all-or-nothing (the
# worker: whole committed batches), and the catalog, active views, triggers and
# indexes are intact and work.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_interval = '1s'
# The worker only runs in part (c), switched on there with ALTER SYSTEM.
softdelete.purge_enabled = off
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION softdelete');
my $have_amcheck = $node->safe_psql('postgres',
    q{SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'}) eq '1';
$node->safe_psql('postgres', 'CREATE EXTENSION amcheck') if $have_amcheck;

# --- helpers ----------------------------------------------------------------------------

# Runs $sql in a psql started in the background, as application_name $name.
sub start_bg {
    my ($name, $sql) = @_;
    my ($out, $err) = ('', '');
    my $h = IPC::Run::start(
        [ 'psql', '-X', '-v', 'ON_ERROR_STOP=1',
          '-d', $node->connstr('postgres') . " application_name=$name", '-c', $sql ],
        '>', \$out, '2>', \$err);
    return $h;
}

# Polls $sql (which returns 'wait' until it has an answer) and returns the answer.
sub poll_state {
    my ($sql) = @_;
    for (my $i = 0; $i < 20 * $PostgreSQL::Test::Utils::timeout_default; $i++) {
        my $r = $node->safe_psql('postgres', $sql);
        return $r if $r ne 'wait';
        usleep(50_000);
    }
    die "timed out polling: $sql";
}

# 'busy' once the session $name is active, has written (an xid) and $extra holds;
# 'gone' if its statement ended first.
sub in_progress_sql {
    my ($name, $extra) = @_;
    return qq{
SELECT CASE
  WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
                    WHERE application_name = '$name' AND state = 'active') THEN 'gone'
  WHEN EXISTS (SELECT 1 FROM pg_stat_activity a
                WHERE a.application_name = '$name' AND a.state = 'active'
                  AND a.backend_xid IS NOT NULL AND ($extra)) THEN 'busy'
  ELSE 'wait' END};
}

sub state_of {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return undef;
    my $line = <$fh>;
    close $fh;
    return undef unless defined $line;
    my $rest = substr($line, rindex($line, ')') + 2);
    return [ split / /, $rest ];    # [0] state, [1] ppid
}

# A crash: SIGKILL to the postmaster and, at once, to every child of it (a backend
# busy in a long statement would otherwise only notice the postmaster's death at its
# next wait, and could still commit). Then waits until they are all gone and starts
# the node again, which runs crash recovery.
sub crash_and_restart {
    open my $pidfile, '<', $node->data_dir . '/postmaster.pid' or die "postmaster.pid: $!";
    my $pm = <$pidfile>;
    close $pidfile;
    chomp $pm;
    opendir my $dh, '/proc' or die "/proc: $!";
    my @children = grep {
        my $s = /^\d+$/ ? state_of($_) : undef;
        defined $s && $s->[1] == $pm
    } readdir $dh;
    closedir $dh;
    $node->kill9;
    kill 'KILL', @children;
    for my $pid (@children, $pm) {
        for (my $i = 0; $i < 1000; $i++) {
            my $s = state_of($pid);
            # A zombie child is dead enough. The postmaster must be gone for good: the
            # new one sees a zombie in postmaster.pid as alive (the PID 1 of some
            # containers reaps orphans only now and then).
            last if !defined $s || ($s->[0] eq 'Z' && $pid != $pm);
            usleep(10_000);
        }
    }
    # Still a zombie after 10 s: as after a reboot, no such process.
    unlink $node->data_dir . '/postmaster.pid' if defined state_of($pm);
    my $log_offset = -s $node->logfile;
    $node->start;
    ok($node->log_contains('database system was not properly shut down; automatic recovery in progress',
            $log_offset),
        'crash recovery ran');
}

# Objects the extension made, in one comparable text: catalog rows, triggers on the
# tables and views, every index with its validity, the views' definitions.
my $fingerprint_sql = q{
WITH rels AS (SELECT relation::oid AS oid FROM softdelete.tables
              UNION SELECT active_view::oid FROM softdelete.tables)
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT format('table %s %s %s %s %s', relation, column_name, active_view, retention, "cascade")
    FROM softdelete.tables
  UNION ALL SELECT format('unique %s %s %s', relation, index, was_constraint)
    FROM softdelete.unique_indexes
  UNION ALL SELECT format('trigger %s %s %s %s', tgrelid::regclass, tgname, tgenabled, tgfoid::regproc)
    FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT format('index %s valid=%s ready=%s live=%s', pg_get_indexdef(indexrelid),
                          indisvalid, indisready, indislive)
    FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT format('view %s %s %s', c.oid::regclass, c.reloptions, pg_get_viewdef(c.oid))
    FROM pg_class c WHERE c.relkind = 'v' AND c.oid IN (SELECT oid FROM rels)
  UNION ALL SELECT format('event trigger %s %s', evtname, evtenabled) FROM pg_event_trigger
) s(x)};

# Everything the extension relies on is there and valid after recovery.
sub check_objects {
    my ($what, $before) = @_;
    is($node->safe_psql('postgres', $fingerprint_sql), $before,
        "$what: catalog, triggers, indexes, views unchanged by the crash");
    is($node->safe_psql('postgres', q{
        SELECT count(*) FROM pg_index
         WHERE indrelid IN (SELECT relation FROM softdelete.tables)
           AND NOT (indisvalid AND indisready AND indislive)}), '0',
        "$what: every index valid");
    if ($have_amcheck) {
        # bt_index_check raises on a corrupt index; heapallindexed: every live row indexed.
        my ($ret, $out, $err) = $node->psql('postgres', q{
            SELECT count(bt_index_check(i.indexrelid, true)) FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
             WHERE am.amname = 'btree'
               AND i.indrelid IN (SELECT relation FROM softdelete.tables)});
        is($ret, 0, "$what: amcheck finds the btree indexes consistent with the heap")
            or diag($err);
    }
}

# --- (a) a 500,000-row soft delete ------------------------------------------------------
$node->safe_psql('postgres', q{
CREATE TABLE big (id int PRIMARY KEY, email text UNIQUE, payload text);
SELECT softdelete.enable('big');
INSERT INTO big SELECT g, 'u' || g || '@x', 'payload' FROM generate_series(1, 500000) g;
CHECKPOINT;
});
my $fp = $node->safe_psql('postgres', $fingerprint_sql);
like($fp, qr/unique big big_email_key t/, 'email constraint became partial');

my $lsn0 = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
my $h = start_bg('crash_a', 'DELETE FROM big');
# Some of the queued soft deletes have been written (a flush every 16,384 rows): 20 MB
# of WAL of the ~175 MB the statement writes.
my $state = poll_state(in_progress_sql('crash_a',
    "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn0') > 20000000"));
is($state, 'busy', '(a) killed while the DELETE was writing');
crash_and_restart();
$h->finish;

my $deleted = $node->safe_psql('postgres', 'SELECT count(*) FROM big WHERE deleted_at IS NOT NULL');
ok($deleted == 0 || $deleted == 500000, "(a) all or nothing: $deleted rows soft-deleted");
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'), '500000', '(a) no row lost');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big_active'), 500000 - $deleted,
    '(a) active view agrees');
check_objects('(a)', $fp);

# Everything works after recovery: delete, partial unique index, restore.
$node->safe_psql('postgres', 'UPDATE big SET deleted_at = NULL WHERE deleted_at IS NOT NULL');
$node->safe_psql('postgres', 'DELETE FROM big WHERE id <= 1000');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big_active'), '499000',
    '(a) DELETE soft-deletes after recovery');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big WHERE deleted_at IS NOT NULL'),
    '1000', '(a) rows stay');
$node->safe_psql('postgres', q{INSERT INTO big (id, email) VALUES (500001, 'u1@x')});
my ($ret, $out, $err) = $node->psql('postgres',
    q{INSERT INTO big (id, email) VALUES (500002, 'u2000@x')}, on_error_stop => 1);
like($err, qr/duplicate key value violates unique constraint "big_email_key"/,
    '(a) partial unique index: deleted key reusable, active key still unique');
is($node->safe_psql('postgres',
        'WITH r AS (UPDATE big SET deleted_at = NULL WHERE id BETWEEN 2 AND 1000 RETURNING 1) '
      . 'SELECT count(*) FROM r'),
    '999', '(a) restore works after recovery');
($ret, $out, $err) = $node->psql('postgres', 'UPDATE big SET deleted_at = NULL WHERE id = 1');
like($err, qr/big_email_key/, '(a) restore of a row whose key is taken fails');

# A soft delete that committed survives a crash (no checkpoint in between).
$node->safe_psql('postgres', 'CHECKPOINT');
$node->safe_psql('postgres', 'DELETE FROM big WHERE id <= 100000');
crash_and_restart();
# (id 1 stayed deleted from before: 99,999 rows in this event.)
is($node->safe_psql('postgres', q{
        SELECT count(*) FILTER (WHERE deleted_at IS NULL) || '/'
            || count(*) FILTER (WHERE deleted_at = (SELECT max(deleted_at) FROM big)) FROM big}),
    '400001/99999', '(a) a committed soft delete survives the crash whole');
$node->safe_psql('postgres', 'DROP TABLE big');

# --- (b) a deep cascade: parent -> child -> grandchild ----------------------------------
$node->safe_psql('postgres', q{
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE child (id int PRIMARY KEY,
                    parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE);
CREATE TABLE grandchild (id int PRIMARY KEY,
                         child_id int NOT NULL REFERENCES child ON DELETE CASCADE);
CREATE INDEX ON child (parent_id);
CREATE INDEX ON grandchild (child_id);
SELECT softdelete.enable('parent');   -- and, through the cascade, child and grandchild
INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 20) g;
INSERT INTO child SELECT g, g % 20 + 1 FROM generate_series(1, 50000) g;
INSERT INTO grandchild SELECT g, g % 50000 + 1 FROM generate_series(1, 200000) g;
CHECKPOINT;
});
$fp = $node->safe_psql('postgres', $fingerprint_sql);
like($fp, qr/table grandchild deleted_at grandchild_active/,
    '(b) grandchild enabled through the cascade');

# Counts of soft-deleted rows per level, and distinct timestamps over all three.
my $cascade_state_sql = q{
SELECT (SELECT count(*) FROM parent WHERE deleted_at IS NOT NULL) || '/'
    || (SELECT count(*) FROM child WHERE deleted_at IS NOT NULL) || '/'
    || (SELECT count(*) FROM grandchild WHERE deleted_at IS NOT NULL) || ' events='
    || (SELECT count(DISTINCT d) FROM (SELECT deleted_at FROM parent UNION ALL
          SELECT deleted_at FROM child UNION ALL SELECT deleted_at FROM grandchild) s(d))};
my $orphans_sql = q{
SELECT (SELECT count(*) FROM child c JOIN parent p ON p.id = c.parent_id
         WHERE p.deleted_at IS NOT NULL AND c.deleted_at IS NULL)
     + (SELECT count(*) FROM grandchild g JOIN child c ON c.id = g.child_id
         WHERE c.deleted_at IS NOT NULL AND g.deleted_at IS NULL)};

$lsn0 = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
$h = start_bg('crash_b', 'DELETE FROM parent WHERE id <= 10');
# The cascade has reached the last level: parent and child rows are soft-deleted
# (uncommitted), the grandchild UPDATE runs.
$state = poll_state(in_progress_sql('crash_b', q{EXISTS (SELECT 1 FROM pg_locks l
    WHERE l.pid = a.pid AND l.relation = 'grandchild'::regclass
      AND l.mode = 'RowExclusiveLock' AND l.granted)}
    . " AND pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn0') > 5000000"));
is($state, 'busy', '(b) killed while the cascade was soft-deleting grandchildren');
crash_and_restart();
$h->finish;

my $cs = $node->safe_psql('postgres', $cascade_state_sql);
ok($cs eq '0/0/0 events=0' || $cs eq '10/25000/100000 events=1',
    "(b) whole cascade or none: $cs");
is($node->safe_psql('postgres', $orphans_sql), '0', '(b) no active row under a deleted parent');
check_objects('(b)', $fp);

$node->safe_psql('postgres', 'UPDATE parent SET deleted_at = NULL WHERE deleted_at IS NOT NULL');
is($node->safe_psql('postgres', $cascade_state_sql), '0/0/0 events=0', '(b) restore works');
$node->safe_psql('postgres', 'DELETE FROM parent WHERE id <= 10');
is($node->safe_psql('postgres', $cascade_state_sql), '10/25000/100000 events=1',
    '(b) the cascade works after recovery');
$node->safe_psql('postgres', 'UPDATE parent SET deleted_at = NULL WHERE id = 1');
is($node->safe_psql('postgres', $cascade_state_sql), '9/22500/90000 events=1',
    '(b) restoring one parent restores its children and grandchildren');
is($node->safe_psql('postgres', $orphans_sql), '0', '(b) still no active row under a deleted parent');
$node->safe_psql('postgres', 'DROP TABLE grandchild, child, parent');

# --- (c) purge ---------------------------------------------------------------------------
# pp 1..800 due; pp 801..900 due but referenced by not-yet-due children (must stay);
# pp 901..1000 active. pc: 240,000 due children of pp 1..800, 10,000 not due (of pp
# 801..900), 10,000 active and 10,000 due children of active parents (901..1000).
# Inserted with session_replication_role = replica: the soft-delete triggers would
# refuse a row under a soft-deleted parent.
$node->safe_psql('postgres', q{
CREATE TABLE pp (id int PRIMARY KEY, name text UNIQUE);
CREATE TABLE pc (id int PRIMARY KEY,
                 pid int NOT NULL REFERENCES pp ON DELETE CASCADE, payload text);
CREATE INDEX ON pc (pid);
SELECT softdelete.enable('pp', retention => '1 day');
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO pp SELECT g, 'p' || g, CASE WHEN g <= 900 THEN now() - interval '2 days' END
  FROM generate_series(1, 1000) g;
INSERT INTO pc SELECT g, g % 800 + 1, 'x', now() - interval '2 days'
  FROM generate_series(1, 240000) g;
INSERT INTO pc SELECT g, 801 + g % 100, 'x', now() - interval '1 hour'
  FROM generate_series(240001, 250000) g;
INSERT INTO pc SELECT g, 901 + g % 100, 'x', NULL FROM generate_series(250001, 260000) g;
INSERT INTO pc SELECT g, 901 + g % 100, 'x', now() - interval '2 days'
  FROM generate_series(260001, 270000) g;
COMMIT;
VACUUM ANALYZE pp, pc;
CHECKPOINT;
});
$fp = $node->safe_psql('postgres', $fingerprint_sql);

# What a purge must never break, whatever it got through.
sub check_purge_invariants {
    my ($what) = @_;
    is($node->safe_psql('postgres', q{
        SELECT (SELECT count(*) FROM pp WHERE id > 900 AND deleted_at IS NULL) || '/'
            || (SELECT count(*) FROM pc WHERE id BETWEEN 250001 AND 260000 AND deleted_at IS NULL)}),
        '100/10000', "$what: no active row purged");
    is($node->safe_psql('postgres', q{
        SELECT (SELECT count(*) FROM pc WHERE id BETWEEN 240001 AND 250000) || '/'
            || (SELECT count(*) FROM pp WHERE id BETWEEN 801 AND 900)}),
        '10000/100', "$what: rows not due, and due rows still referenced, kept");
    is($node->safe_psql('postgres',
            'SELECT count(*) FROM pc WHERE NOT EXISTS (SELECT 1 FROM pp WHERE pp.id = pc.pid)'),
        '0', "$what: no row points at a purged parent");
}
my $counts_sql = q{SELECT (SELECT count(*) FROM pp) || '/' || (SELECT count(*) FROM pc)};

# (c1) softdelete.purge() runs in the caller's transaction: all batches or none.
$lsn0 = $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
$h = start_bg('crash_c', 'SELECT softdelete.purge(batch_size => 200)');
$state = poll_state(in_progress_sql('crash_c',
    "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn0') > 5000000"));
is($state, 'busy', '(c1) killed while softdelete.purge() was deleting');
crash_and_restart();
$h->finish;
my $counts = $node->safe_psql('postgres', $counts_sql);
my $logged = $node->safe_psql('postgres',
    q{SELECT count(*) || '/' || count(finished_at) || '/' || coalesce(sum(rows_purged), 0)
        FROM softdelete.purge_log});
ok(($counts eq '1000/270000' && $logged eq '0/0/0')
        || ($counts eq '200/20000' && $logged eq '2/2/250800'),
    "(c1) purge() is all or nothing, its log with it: rows $counts, log $logged");
check_purge_invariants('(c1)');
check_objects('(c1)', $fp);
is($node->safe_psql('postgres', 'SELECT softdelete.purge(dry_run => true)'),
    $counts eq '1000/270000' ? '250800' : '0', '(c1) purge works after recovery (dry run)');

# (c2) the background worker commits each batch: after the crash, whole batches are
# gone, the log row says how many, and nothing else was touched.
$node->safe_psql('postgres', q{
ALTER SYSTEM SET softdelete.purge_batch_size = 200;
ALTER SYSTEM SET softdelete.purge_enabled = on;
SELECT pg_reload_conf();
});
$state = poll_state(q{
SELECT CASE WHEN EXISTS (SELECT 1 FROM softdelete.purge_log WHERE relation = 'public.pc'
                          AND finished_at IS NULL AND rows_purged >= 2000) THEN 'busy'
            WHEN EXISTS (SELECT 1 FROM softdelete.purge_log WHERE relation = 'public.pc'
                          AND finished_at IS NOT NULL) THEN 'gone'
            ELSE 'wait' END});
is($state, 'busy', '(c2) killed while the worker was purging, 10 batches committed');
# Written now, read at restart (no reload before): the worker stays off after recovery
# until the state is checked.
$node->safe_psql('postgres', 'ALTER SYSTEM SET softdelete.purge_enabled = off');
crash_and_restart();

my $pc_left = $node->safe_psql('postgres', 'SELECT count(*) FROM pc');
my $purged = 270000 - $pc_left;
my $log = $node->safe_psql('postgres', q{
    SELECT count(*) || '/' || coalesce(max(rows_purged), 0) || '/' || count(error)
      FROM softdelete.purge_log WHERE relation = 'public.pc' AND finished_at IS NULL});
is($log, "1/$purged/0", "(c2) the interrupted run's log row counts the $purged rows purged");
ok($purged >= 2000 && $purged < 250000 && $purged % 200 == 0,
    "(c2) $purged rows purged: whole batches of 200, not all");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pp'), '1000',
    '(c2) parents untouched while their children were being purged');
check_purge_invariants('(c2) after the crash');
check_objects('(c2)', $fp);

$node->safe_psql('postgres', q{
ALTER SYSTEM SET softdelete.purge_enabled = on;
SELECT pg_reload_conf();
});
ok($node->poll_query_until('postgres', $counts_sql . " = '200/20000'"),
    '(c2) the worker finishes the purge after recovery');
check_purge_invariants('(c2) finished');
my $rest = 250000 - $purged;
ok($node->poll_query_until('postgres', q{
    SELECT string_agg(relation || '=' || n, ',' ORDER BY relation) FROM (
      SELECT relation, sum(rows_purged) AS n FROM softdelete.purge_log
       WHERE started_at > pg_postmaster_start_time() AND finished_at IS NOT NULL
         AND error IS NULL GROUP BY relation) s},
        "public.pc=$rest,public.pp=800"),
    '(c2) purge_log: finished runs after recovery purged the rest, then the parents');

done_testing();
