#!/usr/bin/env bash
# test/valgrind.sh -- the pg_regress suite against a server running under valgrind
# memcheck; reports the errors whose stack passes through softdelete.so.
#
#   make install                                   (as root, or sudo)
#   make installcheck-valgrind [REGRESS='enable delete ...']      (as an unprivileged user)
#   test/valgrind.sh [test ...]                    (same thing; PG_CONFIG from the env)
#
# It initdb's a scratch cluster in $VALGRIND_DIR (default ./tmp_valgrind), starts
# postgres under `valgrind --tool=memcheck` (every backend and background worker is a
# fork of the postmaster, so all of them run under memcheck), runs pg_regress with
# the given tests (default: every sql/*.sql, as `make installcheck-regress`) against
# it, stops it, and reads valgrind's XML reports:
#
#   - errors with a frame in softdelete.so are ours: printed with their stacks;
#   - the others are PostgreSQL's or libc's (Debian's postgres is not built with
#     USE_VALGRIND, so e.g. padding bytes written to WAL or sent to the client show up
#     as "uninitialised"): counted by kind and first frame. test/valgrind.supp
#     suppresses the known ones.
#
# Exit status: 0 when pg_regress passed and no error points into softdelete.so.
#
# Leaks are not checked: backends exit without freeing on purpose.
# Limits: palloc() hands out pieces of big malloc()ed blocks, and this postgres does
# not tell memcheck where the pieces are (that needs a server built with
# USE_VALGRIND), so an overrun of a palloc chunk *within* its block, or a read of a
# pfree()d chunk, is not seen. Memory from new/malloc (the C++ side: std::string,
# std::vector ...) and uninitialised values are checked fully.
#
# Environment: PG_CONFIG (default pg_config), VALGRIND_DIR, VALGRIND_PORT (default
# 65431), VALGRIND_OPTS (extra valgrind options), VALGRIND_SHOW (how many of our
# errors to print, default 20).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir) || exit 1
PG_REGRESS="$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress"
WORK=${VALGRIND_DIR:-$REPO/tmp_valgrind}
PORT=${VALGRIND_PORT:-65431}
SHOW=${VALGRIND_SHOW:-20}
SUPP="$REPO/test/valgrind.supp"

if [ "$(id -u)" -eq 0 ]; then
    echo "valgrind.sh: PostgreSQL refuses to run as root; run it as an unprivileged user" >&2
    exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$PG_REGRESS" ] || { echo "valgrind.sh: no pg_regress at $PG_REGRESS" >&2; exit 2; }

if [ $# -gt 0 ]; then
    TESTS=("$@")
else
    mapfile -t TESTS < <(for f in sql/*.sql; do basename "$f" .sql; done | sort)
fi

start=$(date +%s)
rm -rf "$WORK"
mkdir -p "$WORK/reports" "$WORK/regress"
"$BINDIR/initdb" -D "$WORK/data" -A trust --no-locale -E UTF8 >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log"; exit 1; }
{
    cat test/softdelete.conf
    echo "port = $PORT"
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$WORK'"
    echo "jit = off                      # no LLVM under memcheck"
    echo "max_connections = 20"
    echo "log_min_messages = warning"
} >>"$WORK/data/postgresql.conf"

# The postmaster under memcheck. --trace-children also follows programs the server
# execs (COPY ... PROGRAM); forks are always followed, each into its own %p log.
# --fullpath-after= prints source paths in full, so a frame of our code is recognised
# by its path under src/ (or, without debug info, by the object softdelete.so).
# shellcheck disable=SC2086  # VALGRIND_OPTS is a list of options
valgrind --tool=memcheck --trace-children=yes --track-origins=yes --num-callers=40 \
    --error-limit=no --read-var-info=no --leak-check=no --gen-suppressions=all \
    --fullpath-after= --suppressions="$SUPP" ${VALGRIND_OPTS:-} \
    --log-file="$WORK/reports/%p.log" \
    "$BINDIR/postgres" -D "$WORK/data" >"$WORK/postmaster.log" 2>&1 &
vpid=$!

stop_server() {
    "$BINDIR/pg_ctl" -D "$WORK/data" -m fast -w -t 300 stop >/dev/null 2>&1 || kill "$vpid" 2>/dev/null
    wait "$vpid" 2>/dev/null
}
trap stop_server EXIT

ready=0
for _ in $(seq 1 300); do
    if "$BINDIR/pg_isready" -q -h "$WORK" -p "$PORT"; then ready=1; break; fi
    kill -0 "$vpid" 2>/dev/null || break
    sleep 1
done
if [ "$ready" -ne 1 ]; then
    echo "valgrind.sh: the server did not start under valgrind" >&2
    tail -n 50 "$WORK/postmaster.log" >&2
    exit 1
fi

# Same options as `make installcheck-regress` (see Makefile), on the running server.
echo "==> pg_regress under valgrind: ${TESTS[*]}"
"$PG_REGRESS" --inputdir="$REPO" --outputdir="$WORK/regress" --bindir="$BINDIR" \
    --host="$WORK" --port="$PORT" --dbname=contrib_regression --encoding=UTF8 --no-locale \
    --launcher='env PGTZ=UTC PGDATESTYLE=ISO,YMD' "${TESTS[@]}"
regress_rc=$?

stop_server
trap - EXIT
elapsed=$(($(date +%s) - start))

# Read the reports: one log per process; an error is a block of lines starting with
# "==pid== <what>" followed by "   at"/"   by" frames (an error context: valgrind prints
# each once per process, however often it occurs) -- the error's stack, then where
# the memory was allocated or the uninitialised value created); it is ours when one of
# those frames is in our sources, in softdelete.so, or a softdelete:: / softdelete_
# function.
SRC="$REPO/src/" WORK="$WORK" perl -e '
    use strict; use warnings;
    my ($show, @files) = @ARGV;
    my $src = $ENV{SRC};
    my (%other, @ours, $total, $procs, $suppressed);
    for my $f (@files) {
        open my $fh, "<", $f or next;
        my @lines = <$fh>;
        $procs++;
        my @block;
        for my $l (@lines, "==0== \n") {
            next unless $l =~ /^==\d+== ?(.*)$/;
            my $t = $1;
            $suppressed += $1 if $t =~ /^ERROR SUMMARY: \d+ errors from \d+ contexts \(suppressed: \d+ from (\d+)/;
            if ($t eq "") {
                if (@block >= 2 && $block[1] =~ /^\s+at 0x/) {
                    $total++;
                    my @frames = map { s/^\s+(?:at|by) 0x[0-9A-F]+: //r } grep { /^\s+(?:at|by) 0x/ } @block;
                    my $mine = grep { index($_, $src) >= 0 || /softdelete\.so\)|^softdelete(::|_)/ } @frames;
                    my $text = join("\n    ", "$block[0] [" . ($f =~ s{.*/}{}r) . "]", @block[1 .. $#block]);
                    if ($mine) { push @ours, $text }
                    else { $other{"$block[0] in " . ($frames[0] // "?") . (@frames > 1 ? " < $frames[1]" : "")}++ }
                }
                @block = ();
                next;
            }
            push @block, $t;
        }
    }
    $total //= 0;
    printf "valgrind: %d processes, %d errors (and %d suppressed by test/valgrind.supp), %d with a frame in softdelete\n",
        $procs // 0, $total, $suppressed // 0, scalar @ours;
    if (%other) {
        print "errors outside softdelete (what, first frames):\n";
        printf "  %4d  %s\n", $other{$_}, $_ for sort { $other{$b} <=> $other{$a} || $a cmp $b } keys %other;
    }
    if (@ours) {
        print "errors in softdelete:\n";
        print "$_\n\n" for @ours[0 .. ($#ours < $show - 1 ? $#ours : $show - 1)];
    }
    open my $out, ">", "$ENV{WORK}/summary.txt" or die;
    print $out scalar(@ours), "\n";
' "$SHOW" "$WORK"/reports/*.log
ours=$(head -n 1 "$WORK/summary.txt" 2>/dev/null || echo "?")
printf 'valgrind.sh: pg_regress %s, %s errors in softdelete.so, %ss; reports in %s/reports\n' \
    "$([ "$regress_rc" -eq 0 ] && echo passed || echo FAILED)" "$ours" "$elapsed" "$WORK"
[ "$regress_rc" -eq 0 ] && [ "$ours" = 0 ]
