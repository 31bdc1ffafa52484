# 020_hostile_input_bugs.pl -- the cases of test/t/020_hostile_input.pl that are known
# bugs (marked "bug" in test/perl/SoftdeleteHostile.pm): each states what the contract
# expects and fails today. Not run by the suite; run it with
#   make installcheck-tap PROVE_TESTS=test/pending/020_hostile_input_bugs.pl
# Once a bug is fixed, drop its "bug" mark so the case runs in the normal suite.
use strict;
use warnings;
use FindBin;
# loaded here, at compile time: their INIT blocks set up the test directories
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

$ENV{HOSTILE_PENDING} = 1;
my $main = "$FindBin::RealBin/../t/020_hostile_input.pl";
do $main;
die $@ if $@;
