# 051_preload_order_nesting.pl -- with softdelete listed AFTER pg_stat_statements and
# auto_explain in shared_preload_libraries (the usual order when softdelete is added to
# an existing list), the UPDATE statements of a cascade (softdelete's own, through SPI)
# are nested statements for them, as they are when softdelete is listed first
# (test/t/050_coexistence.pl checks both orders with pg_stat_statements.track = all):
# with the defaults (track = top, log_nested_statements = off) pg_stat_statements does
# not count them and auto_explain does not log them.
#
# softdelete applies cascades in its ExecutorFinish hook, after those libraries' hooks
# (beneath it in this order) have returned; it runs that work inside their
# ExecutorRun hooks (src/nested_run.hpp). Before that, they counted the cascade's
# UPDATE as a top-level statement.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('order');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,auto_explain,softdelete'
softdelete.purge_enabled = off
lc_messages = 'C'
});
$node->start;
$node->safe_psql('postgres', q{
SET client_min_messages = warning;
CREATE EXTENSION softdelete;
CREATE EXTENSION pg_stat_statements;
CREATE TABLE u (id int PRIMARY KEY);
CREATE TABLE o (id int PRIMARY KEY, u_id int REFERENCES u ON DELETE CASCADE);
SELECT softdelete.enable('u');
INSERT INTO u SELECT generate_series(1, 3);
INSERT INTO o SELECT g, g FROM generate_series(1, 3) g;
SELECT pg_stat_statements_reset();
});
my $offset = -s $node->logfile;
$node->safe_psql('postgres', q{
SET auto_explain.log_min_duration = 0;
DELETE FROM u WHERE id = 1;
});
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_statements
    WHERE query LIKE 'UPDATE ONLY "public"."o" %'}),
    '0', 'pg_stat_statements.track = top: the cascade UPDATE is not a top-level statement');
my $log = slurp_file($node->logfile, $offset);
like($log, qr/Query Text: DELETE FROM u WHERE id = 1;\n\tUpdate on u /,
    'auto_explain logs the DELETE');
unlike($log, qr/Query Text: UPDATE ONLY "public"\."o" /,
    'auto_explain (log_nested_statements = off) does not log the nested cascade UPDATE');
is($node->safe_psql('postgres', 'SELECT count(deleted_at) FROM o'), '1', 'the cascade ran');
$node->stop('fast');
done_testing();
