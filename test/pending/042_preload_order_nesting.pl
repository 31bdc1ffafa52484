# 042_preload_order_nesting.pl -- PENDING (not run by the suite): with softdelete listed
# AFTER pg_stat_statements and auto_explain in shared_preload_libraries, the UPDATE
# statements of a cascade (softdelete's own, run through SPI) must still be nested
# statements for them, as they are when softdelete is listed first
# (test/t/050_coexistence.pl asserts toplevel = false in that order).
#
# Today they are not: softdelete runs the cascade in its ExecutorFinish hook after
# the previous hook (pg_stat_statements', auto_explain's) has returned, i.e. outside
# their nesting level. So pg_stat_statements counts the cascade's
#   UPDATE ONLY "public"."o" c SET "deleted_at" = $1 WHERE ...
# as a top-level statement (also with the default pg_stat_statements.track = top),
# and auto_explain logs its plan with log_nested_statements = off. Soft delete
# itself is unaffected. Listing softdelete first avoids it (README, Running beside
# other extensions).
#
# Run: make installcheck-tap PROVE_TESTS=test/pending/042_preload_order_nesting.pl
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
