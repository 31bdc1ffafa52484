#!/usr/bin/env bash
# examples/run.sh -- runs every client example against a throwaway cluster.
#
# Run it as an unprivileged user (PostgreSQL refuses to run as root) from a copy of the
# tree that user may write (the Node example gets its node_modules by `npm ci`), after
# `make install` of the extension. test/run_all.sh runs it as its "examples" stage:
#
#   runuser -u sdtest -- bash /tmp/copy-of-the-tree/examples/run.sh
#
# It starts a cluster with initdb in a fresh directory (unix socket only, no TCP,
# shared_preload_libraries = 'softdelete': transparent mode plans a DELETE on an
# enabled table as the soft delete, and hides rows, only once the library is loaded;
# the purge worker's launcher starts with it), creates a login role "app" (not a
# superuser) and one database per example owned by it, with CREATE EXTENSION
# softdelete run by the superuser. Each example then connects as "app" through
# PGHOST / PGPORT / PGUSER / PGDATABASE, creates its tables, calls softdelete.enable()
# and asserts the outcomes; it exits non-zero on the first wrong value.
#
# Output: one line per example, "example NAME ... ok (N s)" or
# "example NAME ... FAILED (exit N, N s)" followed by that example's log, and last
# "examples: N passed, M failed". Exits 1 if any example failed. The cluster and its
# directory are always removed.
#
# Environment: PG_CONFIG (or PG_BINDIR), SD_EXAMPLES (names to run, default all),
# SD_EXAMPLES_DIR (the cluster's directory, wiped first; default a new /tmp directory),
# SD_EXAMPLES_PORT (default 54331), SD_EXAMPLE_TIMEOUT (seconds per example, default
# 120), SD_PYTHON (default /usr/bin/python3: Debian's python3-* packages live there),
# SD_NPM_CACHE (npm cache directory, default npm's own), SD_EXAMPLES_VERBOSE=1 (print the
# log of passing examples too).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_EXAMPLES=(sqlalchemy asyncpg django sequelize
              sqlalchemy_transparent asyncpg_transparent django_transparent
              sequelize_transparent)
read -r -a EXAMPLES <<<"${SD_EXAMPLES:-${ALL_EXAMPLES[*]}}"
PORT=${SD_EXAMPLES_PORT:-54331}
EXAMPLE_TIMEOUT=${SD_EXAMPLE_TIMEOUT:-120}
PYTHON=${SD_PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)

if [ "$(id -u)" -eq 0 ]; then
    echo "examples/run.sh: run it as an unprivileged user (PostgreSQL refuses root)" >&2
    exit 2
fi
if [ -z "${PG_BINDIR:-}" ]; then
    PG_BINDIR=$("${PG_CONFIG:-pg_config}" --bindir) || {
        echo "examples/run.sh: set PG_CONFIG or PG_BINDIR" >&2
        exit 2
    }
fi

# The cluster's directory (data directory and logs) and, separately, a short socket
# directory under /tmp: a unix socket path must stay under 108 bytes.
if [ -n "${SD_EXAMPLES_DIR:-}" ]; then
    CLUSTER=$SD_EXAMPLES_DIR
    rm -rf "$CLUSTER" && mkdir -p "$CLUSTER" || exit 2
else
    CLUSTER=$(mktemp -d /tmp/sd-examples.XXXXXX) || exit 2
fi
SOCKDIR=$(mktemp -d /tmp/sd-ex-sock.XXXXXX) || exit 2
LOGDIR=$CLUSTER/logs
mkdir -p "$LOGDIR"

stop_cluster() {
    if [ -f "$CLUSTER/data/postmaster.pid" ]; then
        "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m immediate stop >/dev/null 2>&1
    fi
    rm -rf "$CLUSTER" "$SOCKDIR"
}
trap stop_cluster EXIT
trap 'exit 143' TERM INT HUP

passed=0
failed=0

# fail_all REASON: the cluster could not be set up; every example fails.
fail_all() {
    local name
    for name in "${EXAMPLES[@]}"; do
        printf 'example %s ... FAILED (%s)\n' "$name" "$1"
        failed=$((failed + 1))
    done
    printf 'examples: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
}

# psql_super DB SQL: run SQL as the superuser.
psql_super() {
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKDIR" -p "$PORT" -U postgres \
        -d "$1" -c "$2"
}

# --- the cluster ------------------------------------------------------------------
start=$SECONDS
if ! "$PG_BINDIR/initdb" -D "$CLUSTER/data" -U postgres -A trust --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$LOGDIR/initdb.log" 2>&1; then
    cat "$LOGDIR/initdb.log"
    fail_all "initdb failed"
fi
cat >>"$CLUSTER/data/postgresql.conf" <<EOF
# examples/run.sh
port = $PORT
listen_addresses = ''
unix_socket_directories = '$SOCKDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
max_connections = 40
shared_preload_libraries = 'softdelete'
EOF
if ! "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -l "$LOGDIR/server.log" -w -t 60 start \
        >/dev/null; then
    cat "$LOGDIR/server.log"
    fail_all "the cluster did not start"
fi
psql_super postgres "CREATE ROLE app LOGIN" || fail_all "CREATE ROLE failed"
printf '==> cluster up in %s s (%s, socket %s, port %s)\n' "$((SECONDS - start))" \
    "$("$PG_BINDIR/postgres" --version)" "$SOCKDIR" "$PORT"

export PGHOST=$SOCKDIR PGPORT=$PORT PGUSER=app

# prepare_sequelize: node_modules from package-lock.json (npm ci), once for both
# Sequelize examples.
sequelize_ready=0
prepare_sequelize() {
    local dir=$HERE/sequelize
    [ "$sequelize_ready" = 1 ] && return 0
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "node and npm are needed (test/lib/deps.sh installs them)"
        return 1
    fi
    printf '==> npm ci in %s (node %s, npm %s)\n' "$dir" "$(node --version)" "$(npm --version)"
    (cd "$dir" && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error \
        ${SD_NPM_CACHE:+--cache "$SD_NPM_CACHE"}) && sequelize_ready=1
}

# command_for NAME: the command that runs one example (from its stack's directory,
# dir_for NAME: NAME without the _transparent suffix).
command_for() {
    case $1 in
        sqlalchemy) echo "$PYTHON shop.py" ;;
        asyncpg) echo "$PYTHON finance.py" ;;
        django) echo "$PYTHON example.py" ;;
        sequelize) echo "node blog.js" ;;
        sqlalchemy_transparent) echo "$PYTHON shop_transparent.py" ;;
        asyncpg_transparent) echo "$PYTHON finance_transparent.py" ;;
        django_transparent) echo "$PYTHON example_transparent.py" ;;
        sequelize_transparent) echo "node blog_transparent.js" ;;
        *) return 1 ;;
    esac
}
dir_for() {
    echo "${1%_transparent}"
}

# --- one database per example -----------------------------------------------------
for name in "${EXAMPLES[@]}"; do
    log=$LOGDIR/$name.log
    t0=$SECONDS
    db=example_$name
    rc=0
    if ! cmd=$(command_for "$name"); then
        echo "unknown example $name" >"$log"
        rc=2
    elif ! psql_super postgres "CREATE DATABASE $db OWNER app" >"$log" 2>&1 ||
        ! psql_super "$db" "CREATE EXTENSION softdelete" >>"$log" 2>&1; then
        rc=3
    elif [ "$(dir_for "$name")" = sequelize ] && ! prepare_sequelize >>"$log" 2>&1; then
        rc=4
    else
        # shellcheck disable=SC2086  # $cmd is "interpreter script"
        (cd "$HERE/$(dir_for "$name")" && PGDATABASE=$db timeout -k 10 "$EXAMPLE_TIMEOUT" $cmd) \
            >>"$log" 2>&1 </dev/null
        rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        printf 'example %s ... ok (%s s)\n' "$name" "$((SECONDS - t0))"
        passed=$((passed + 1))
        [ "${SD_EXAMPLES_VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
    else
        printf 'example %s ... FAILED (exit %s, %s s)\n' "$name" "$rc" "$((SECONDS - t0))"
        failed=$((failed + 1))
        printf -- '----- log of example %s -----\n' "$name"
        cat "$log"
        printf -- '----- end of log of example %s -----\n' "$name"
    fi
done

if [ "$failed" -gt 0 ]; then
    printf -- '----- last 40 lines of the server log -----\n'
    tail -n 40 "$LOGDIR/server.log"
fi
printf 'examples: %d passed, %d failed (%s s)\n' "$passed" "$failed" "$((SECONDS - start))"
[ "$failed" -eq 0 ]
