# 020_hostile_input.pl -- hundreds of generated calls with odd arguments (issue 6 item 7).
#
# The cases (test/perl/SoftdeleteHostile.pm, cases()) call softdelete.enable, disable,
# set_retention, purge, table_stats and the status view, and SET the softdelete.*
# settings, with NULLs, negative / zero / huge / unparsable intervals, odd batch sizes,
# 63-byte and longer names, reserved words, names needing quotes (case, spaces, dots,
# quotes, backslashes, newlines, unicode, format directives), missing / dropped /
# wrongly typed / system columns, temp, unlogged, partitioned and inheritance tables,
# foreign-key graphs, views, materialized views, sequences, foreign tables, indexes,
# TOAST tables and system catalogs, tables in other schemas and of other owners (as
# non-superuser roles), double enable, disable of a table that is not enabled, and a
# search_path full of booby-trapped operators and functions. Each case runs in its own
# psql session; what is asserted is described at the top of SoftdeleteHostile.pm.
# After every case: the server is alive and its log shows no crash.
#
# Cases marked as known bugs (bug => ...) are skipped.
# HOSTILE_ONLY=regex runs the matching cases only (by label).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use SoftdeleteHostile qw(fixture_sql cases run_case);

my $pending = $ENV{HOSTILE_PENDING} ? 1 : 0;

my $node = PostgreSQL::Test::Cluster->new('hostile');
$node->init(extra => [ '--encoding=UTF8', '--no-locale' ]);
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'softdelete'
softdelete.purge_enabled = off
lc_messages = 'C'
timezone = 'UTC'
# every psql session is a new backend: keep them cheap
log_min_messages = warning
});
$node->start;
$node->safe_psql('postgres', fixture_sql());

my $full = $ENV{HOSTILE_FULL} ? 1 : 0;
my $pgver = $node->safe_psql('postgres', 'SHOW server_version_num');
my @all_cases = cases(server_version_num => $pgver);
my @cases = grep { $pending ? $_->{bug} : !$_->{bug} && ($full || !$_->{full}) } @all_cases;
if (my $only = $ENV{HOSTILE_ONLY}) {
    @cases = grep { $_->{label} =~ /$only/ } @cases;
}
my $logfile = $node->logfile;
my $logpos = -s $logfile;
my $start = time;
my (%results, $n);
for my $c (@cases) {
    $n++;
    my ($ok, $problems, $result) = run_case($node, $c);
    $results{ $result eq 'ok' ? 'ok' : 'error' }++;
    my $label = "case $n: $c->{label}";
    $label =~ s/\n/\\n/g;
    $label .= " [known bug: $c->{bug}]" if $c->{bug};
    my $diag = join("\n", @$problems);
    utf8::encode($_) for $label, $diag;    # TAP output is bytes
    ok($ok, $label) or diag($diag);

    # the server survived: no backend was killed by a signal, nothing panicked
    my $log = slurp_file($logfile, $logpos);
    $logpos += length($log);
    if ($log =~ /(terminated by signal|PANIC:|TRAP:|server process .* was terminated)/) {
        fail("server log after case $n shows a crash: $1");
        diag($log);
        last;
    }
}
my $elapsed = time - $start;
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server answers after every case');
my $known = grep { $_->{bug} } @all_cases;
diag(sprintf('%d generated cases run (%d calls succeeded, %d raised an error) in %.0f s; %d more are '
        . 'known bugs, skipped',
        $n // 0, $results{ok} // 0, $results{error} // 0, $elapsed, $pending ? 0 : $known));
$node->stop;
done_testing();
