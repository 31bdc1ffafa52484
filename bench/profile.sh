#!/usr/bin/env bash
# bench/profile.sh -- perf profiles of softdelete's bulk DELETE, single-row DELETE and
# point-lookup-through-the-view paths.
# Run as root from the repo top after `make install` (bench/run.sh does that), on an
# idle machine. Needs perf (apt-get install linux-perf). Writes bench/results/profile-*.txt.
#   N=2000000 BULK=200000 T=10 bench/profile.sh
#   PROFILES="reads" bench/profile.sh      only some of: bulk single reads
#   PG_CONFIG=/path/to/pg_config ...       another PostgreSQL install
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd); cd "$REPO"
N=${N:-2000000}; BULK=${BULK:-200000}; T=${T:-10}; BENCH_USER=${BENCH_USER:-sdtest}
PROFILES=${PROFILES:-"bulk single reads"}
want() { [[ " $PROFILES " == *" $1 "* ]]; }
PG_CONFIG=${PG_CONFIG:-pg_config}
export PATH="$("$PG_CONFIG" --bindir):$PATH"
WORK=$(mktemp -d /tmp/sdprof.XXXXXX); chown "$BENCH_USER" "$WORK"
as_user() { runuser -u "$BENCH_USER" -- "$@"; }
trap 'as_user pg_ctl -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
as_user initdb -D "$WORK/data" -U "$BENCH_USER" -A trust --no-locale -E UTF8 >/dev/null
printf "listen_addresses=''\nunix_socket_directories='%s'\nshared_preload_libraries='softdelete'\nshared_buffers=2GB\nsynchronous_commit=off\nmax_wal_size=8GB\ncheckpoint_timeout=30min\nautovacuum=off\njit=off\n" "$WORK" >>"$WORK/data/postgresql.conf"
as_user pg_ctl -D "$WORK/data" -l "$WORK/log" -w start >/dev/null
export PGHOST=$WORK PGUSER=$BENCH_USER PGDATABASE=bench
createdb bench
P=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${P[@]}" -f bench/sql/setup.sql
STAMP=$(date +%Y-%m-%d_%H%M)
report() {  # self time, then inclusive time (children), no call graphs
  echo "### self"; perf report -i "$1" --stdio --no-children -g none --percent-limit 1 --sort symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | head -30 || true
  echo "### inclusive"; perf report -i "$1" --stdio --children -g none --percent-limit 0.5 --sort symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v ' 0x0000' | head -120 || true
}

want bulk && for m in limit softdelete; do
  "${P[@]}" -c "CALL build_oltp('t_$m', '$m', $N)" -c "VACUUM ANALYZE t_$m" -c CHECKPOINT
  if [ $m = limit ]; then sql="UPDATE t_limit SET deleted_at = now() WHERE id <= $BULK AND deleted_at IS NULL"
  else sql="DELETE FROM t_softdelete WHERE id <= $BULK"; fi
  # one session: print its pid, wait for perf to attach, run the statement
  ( "${P[@]}" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(2)" -c "\\timing on" -c "$sql" >"$WORK/out_$m" ) &
  sleep 0.5; pid=$(head -1 "$WORK/out_$m")
  perf record -F 2000 -g -p "$pid" -o "$WORK/bulk_$m.data" 2>/dev/null &
  perf_pid=$!; wait %1 2>/dev/null || true; sleep 0.2; kill -INT $perf_pid; wait $perf_pid || true
  { echo "## bulk: $sql"; grep Time "$WORK/out_$m"; report "$WORK/bulk_$m.data"; } >"bench/results/profile-${STAMP}-bulk-$m.txt"
done
pgb_profile() {  # pgb_profile <script> <perf data file> <pgbench output file> [pgbench options]
  local script=$1 data=$2 out=$3 pid; shift 3
  pgbench -n "$@" -f "$script" -T "$T" -c 1 >"$out" 2>&1 &
  sleep 1; pid=$("${P[@]}" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'")
  perf record -F 2000 -g -p "$pid" -o "$data" -- sleep $((T - 2)) 2>/dev/null || true
  wait
}
if want single; then
  "${P[@]}" -c "CALL build_oltp('t_one', 'softdelete', $N)" -c "VACUUM ANALYZE t_one" -c CHECKPOINT
  printf '\\set id random(1, %s)\nDELETE FROM t_one WHERE id = :id;\n' "$N" >"$WORK/one.sql"
  pgb_profile "$WORK/one.sql" "$WORK/one.data" "$WORK/pgb.out"
  { echo "## single-row DELETE, pgbench 1 client"; grep '^tps' "$WORK/pgb.out"; report "$WORK/one.data"; } >"bench/results/profile-${STAMP}-single-softdelete.txt"
fi
# Point lookups (workload 5a), simple protocol: the base table with WHERE deleted_at IS
# NULL (limit) against the active view (softdelete); the difference is where parse,
# rewrite (view expansion) and planning spend their time.
if want reads; then
  "${P[@]}" -c "CALL build_oltp('reads', 'softdelete', $N)" -c "DELETE FROM reads WHERE id % 10 = 0" \
    -c "VACUUM ANALYZE reads" -c CHECKPOINT -c "SELECT count(*) FROM reads" >/dev/null
  declare -A SRC=([limit]="reads WHERE deleted_at IS NULL AND" [softdelete]="reads_active WHERE")
  for m in limit softdelete; do
    printf '\\set id random(1, %s)\nSELECT * FROM %s id = :id;\n' "$N" "${SRC[$m]}" >"$WORK/reads_$m.sql"
    pgb_profile "$WORK/reads_$m.sql" "$WORK/reads_$m.data" "$WORK/reads_$m.out"
    { echo "## point lookup, pgbench 1 client, simple protocol: SELECT * FROM ${SRC[$m]} id = :id"
      grep '^tps' "$WORK/reads_$m.out"; report "$WORK/reads_$m.data"
      echo "### inclusive, by stage"
      perf report -i "$WORK/reads_$m.data" --stdio --children -g none --sort symbol 2>/dev/null |
        grep -E '\] (exec_simple_query|pg_parse_query|parse_analyze_fixedparams|pg_analyze_and_rewrite_fixedparams|pg_rewrite_query|QueryRewrite|fireRIRrules|ApplyRetrieveRule|pg_plan_queries|standard_planner|PortalRun|standard_ExecutorStart|ExecCheckRTPerms|standard_ExecutorRun) ' | sed -E 's/ +- +- *$//' || true
    } >"bench/results/profile-${STAMP}-reads-$m.txt"
  done
fi
ls bench/results/profile-${STAMP}-*
