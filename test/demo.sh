#!/usr/bin/env bash
# test/demo.sh -- the project's demo command: `bash test/demo.sh` from the repo top, as
# root on Debian 12 (or as a user with sudo and the packages installed).
#
# Installs missing packages (test/lib/deps.sh), builds and installs the extension, starts
# a throwaway cluster as the unprivileged user $SD_USER (default sdtest) on a unix socket
# in a fresh /tmp directory (port $SD_DEMO_PORT, default 54329, no TCP), runs
# test/demo.sql with psql echoing every statement, then always stops and removes the
# cluster and the build copy.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
# shellcheck source=test/lib/deps.sh
. "$REPO/test/lib/deps.sh"

PORT=${SD_DEMO_PORT:-54329}
DEMO_SQL=${SD_DEMO_SQL:-$REPO/test/demo.sql}

sd_install_deps
sd_setup_env
sd_ensure_user

BUILD=$(mktemp -d /tmp/softdelete-demo-build.XXXXXX)
CLUSTER=$(mktemp -d /tmp/softdelete-demo.XXXXXX)
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [ -f "$CLUSTER/data/postmaster.pid" ]; then
        sd_as_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null 2>&1 ||
            sd_as_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$CLUSTER" "$BUILD"
}
trap cleanup EXIT

# Build in a copy owned by the unprivileged user (keeps the checkout clean), install
# as root. Output goes to a log that is shown only if something fails.
sd_log "building and installing softdelete ($("$PG_CONFIG" --version))"
sd_copy_tree "$REPO" "$BUILD"
if ! sd_as_user make -C "$BUILD" -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$PG_CONFIG" \
        >"$BUILD/build.log" 2>&1 ||
    ! sd_as_root make -C "$BUILD" install PG_CONFIG="$PG_CONFIG" >>"$BUILD/build.log" 2>&1; then
    cat "$BUILD/build.log"
    echo "build failed" >&2
    exit 1
fi

sd_log "starting a throwaway cluster in $CLUSTER (port $PORT, unix socket only)"
[ "$(id -u)" -ne 0 ] || chown "$SD_USER": "$CLUSTER"
sd_as_user "$PG_BINDIR/initdb" -D "$CLUSTER/data" -U postgres -A trust --no-sync \
    -E UTF8 --locale=C.UTF-8 >"$CLUSTER/initdb.log" 2>&1 || {
    cat "$CLUSTER/initdb.log"
    exit 1
}
cat >>"$CLUSTER/data/postgresql.conf" <<EOF
# test/demo.sh
port = $PORT
listen_addresses = ''
unix_socket_directories = '$CLUSTER'
shared_preload_libraries = 'softdelete'
timezone = 'UTC'
datestyle = 'ISO, YMD'
lc_messages = 'C'
fsync = off
EOF
if ! sd_as_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w \
        -t 60 start >/dev/null; then
    cat "$CLUSTER/server.log"
    exit 1
fi

sd_log "running $(basename "$DEMO_SQL")"
echo
# psql runs as the invoking user (root can read a checkout under /root; the cluster
# runs as $SD_USER) and connects over the socket as the superuser "postgres".
status=0
"$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -e -h "$CLUSTER" -p "$PORT" -U postgres \
    -d postgres -f "$DEMO_SQL" || status=$?
if [ "$status" -ne 0 ]; then
    printf '\n==> demo failed (psql exit %s); last lines of the server log:\n' "$status"
    tail -n 30 "$CLUSTER/server.log"
fi
echo
sd_log "stopping and removing the cluster"
exit "$status"
