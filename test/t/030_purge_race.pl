# 030_purge_race.pl -- red-team finding C7: a purge must never remove a parent whose
# new reference committed just before the parent was locked.  Plain tables (not
# enabled) may reference due rows: r(p_id REFERENCES p ON DELETE CASCADE), with no
# index on r.p_id so that the reference check is slow.  Two clients insert r rows
# pointing at due p rows (each logs its id in the same transaction) while
# softdelete.purge() runs again and again, then while the background worker purges
# every second.  Every committed r row must still be there afterwards; the FK
# cascade of a purged parent is how 0.2.0 lost 15 of 348 of them.  The inserts
# and the purges are bounded in count and time.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('race');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_enabled = off
softdelete.purge_interval = '1s'
softdelete.purge_batch_size = 20
timezone = 'UTC'
lc_messages = 'C'
});
$node->start;
$node->safe_psql('postgres', q{
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
CREATE TABLE p (id int PRIMARY KEY, pad text);
SELECT softdelete.enable('p', retention => '1 day');
CREATE TABLE r (id bigint PRIMARY KEY, p_id int REFERENCES p ON DELETE CASCADE, pad text);
CREATE TABLE committed (id bigint PRIMARY KEY);
CREATE SEQUENCE rid;
-- one reference to parent pid, logged in the same transaction; a parent already
-- purged makes it fail (23503), which is fine: nothing is committed then
CREATE FUNCTION ins(pid int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE new_id bigint := nextval('rid');
BEGIN
    INSERT INTO r VALUES (new_id, pid, repeat('x', 200));
    INSERT INTO committed VALUES (new_id);
EXCEPTION WHEN foreign_key_violation THEN NULL;
END $$;
});

# Fills p with due rows ids [from, to] and some padding rows in r (unreferenced
# parents elsewhere), so that the reference check has work to do.
sub fill {
    my ($from, $to) = @_;
    $node->safe_psql('postgres', qq{
    INSERT INTO p SELECT g, 'x' FROM generate_series($from, $to) g;
    UPDATE p SET deleted_at = '2000-01-01' WHERE id BETWEEN $from AND $to;
    INSERT INTO r SELECT nextval('rid'), NULL, repeat('y', 200) FROM generate_series(1, 3000);
    });
}

# Two inserting clients (pgbench), each for $secs seconds.
sub start_inserters {
    my ($from, $to, $secs) = @_;
    my $script = PostgreSQL::Test::Utils::tempdir . '/ins.sql';
    open(my $fh, '>', $script) or die;
    print $fh "\\set pid random($from, $to)\nSELECT ins(:pid);\n";
    close($fh);
    my ($out, $err) = ('', '');
    my $h = IPC::Run::start(
        [ 'pgbench', '-n', '-c', '2', '-T', $secs, '-f', $script,
          '-h', $node->host, '-p', $node->port, 'postgres' ],
        '>', \$out, '2>', \$err);
    return [$h, \$out, \$err];
}

sub lost_rows {
    return $node->safe_psql('postgres', q{
        SELECT count(*) FROM committed c WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.id = c.id)});
}

# --- softdelete.purge() in a loop ---------------------------------------------------------
fill(1, 1500);
my $ins = start_inserters(1, 1500, 8);
my $purged = 0;
my $deadline = time() + 8;
while (time() < $deadline) {
    $purged += $node->safe_psql('postgres',
        q{SELECT softdelete.purge('p', batch_size => 20)});
}
ok($ins->[0]->finish, 'inserters ran') or diag(${ $ins->[2] });
my $inserted = $node->safe_psql('postgres', 'SELECT count(*) FROM committed');
ok($inserted > 50, "references were committed meanwhile ($inserted)");
ok($purged > 0, "purge() removed due parents meanwhile ($purged)");
is(lost_rows(), '0', 'softdelete.purge(): no committed reference lost');
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM r WHERE p_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM p WHERE p.id = r.p_id)}), '0', 'no orphan');

# --- the background worker ------------------------------------------------------------------
$node->safe_psql('postgres', 'TRUNCATE committed');
fill(5001, 6500);
$ins = start_inserters(5001, 6500, 8);
$node->append_conf('postgresql.conf', "softdelete.purge_enabled = on\n");
$node->reload;
my $finished = $ins->[0]->finish;
$node->append_conf('postgresql.conf', "softdelete.purge_enabled = off\n");
$node->reload;
ok($finished, 'inserters ran while the worker purged') or diag(${ $ins->[2] });
$inserted = $node->safe_psql('postgres', 'SELECT count(*) FROM committed');
ok($inserted > 50, "references were committed meanwhile ($inserted)");
ok($node->safe_psql('postgres', q{SELECT coalesce(sum(rows_purged), 0) FROM softdelete.purge_log
                                   WHERE finished_at IS NOT NULL}) > 0,
   'the worker purged due parents meanwhile');
is(lost_rows(), '0', 'worker: no committed reference lost');

$node->stop;
done_testing();
