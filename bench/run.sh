#!/usr/bin/env bash
# bench/run.sh -- softdelete benchmark suite (see bench/README.md).
#
#   sudo bench/run.sh                 full run (default sizes, ~20 min on 2 cores)
#   sudo QUICK=1 bench/run.sh         smoke test at 1/20 size, short pgbench runs
#   sudo SCALE=10 bench/run.sh        every size x10 (SCALE may be fractional)
#   WORKLOADS="1 3" REPS=3 ...        run a subset; repetitions per (workload, mode)
#   PG_CONFIG=/path/to/pg_config ...  another PostgreSQL install (default: pg_config)
#   SKIP_BUILD=1 ...                  use the extension already installed there
#
# Run as root from the repository top. Builds and installs the extension, starts a
# throwaway cluster as user sdtest on a unix socket under /tmp, runs every workload in
# the modes limit / peer / softdelete (interleaved, REPS times each), and writes the
# medians to bench/results/<date>.md.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (it installs the extension)" >&2; exit 1; }

QUICK=${QUICK:-0}
SCALE=${SCALE:-1}
REPS=${REPS:-3}
WORKLOADS=${WORKLOADS:-"1 2 3 4 5 7"}   # 6 (scaling, ~35 min) only when asked for
MODES="limit peer softdelete"
BENCH_USER=${BENCH_USER:-sdtest}
if [ "$QUICK" = 1 ]; then FACTOR=$(awk -v s="$SCALE" 'BEGIN{print s/20}'); PGB_T=${PGB_T:-3}; READ_T=${READ_T:-2}
else FACTOR=$SCALE; PGB_T=${PGB_T:-20}; READ_T=${READ_T:-10}; fi
sz() { awk -v n="$1" -v f="$FACTOR" 'BEGIN{v=int(n*f+0.5); if (v<1) v=1; print v}'; }
N_OLTP=$(sz 2000000)      # workloads 1, 2, 5, 7
N_BULK=$(sz 200000)       # workload 2
N_PARENTS=$(sz 20000)     # workload 3 (x10 children, x50 grandchildren)
N_DELPARENTS=$(sz 2000)
N_PURGE=$(sz 1000000)     # workload 4 (due rows; as many active rows)
PURGE_BATCH=10000
W1_CLIENTS=${W1_CLIENTS:-"1 16"}   # workload 1: pgbench clients (rows >= TPS x PGB_T, or the check fails)
W1_PROTOCOL=${W1_PROTOCOL:-prepared}   # as ORMs and drivers with prepared statements
W4_T=${W4_T:-5}            # seconds of concurrent UPDATEs per purge (and baseline)

PG_CONFIG=${PG_CONFIG:-pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
export PATH="$PGBIN:$PATH"
STAMP=$(date +%Y-%m-%d_%H%M)
RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results}
OUT="$RESULTS_DIR/$STAMP.md"
[ "$QUICK" = 1 ] && OUT="$RESULTS_DIR/${STAMP}_quick.md"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------ build, cluster ---
if [ "${SKIP_BUILD:-0}" = 1 ]; then   # e.g. on a lent machine: the PostgreSQL tree holds it
  log "using the installed extension ($("$PG_CONFIG" --pkglibdir)/softdelete.so)"
else
  log "building and installing the extension"
  make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null && make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
fi

id "$BENCH_USER" >/dev/null 2>&1 || useradd -m "$BENCH_USER"
WORK=$(mktemp -d /tmp/sdbench.XXXXXX)
chown "$BENCH_USER" "$WORK"; chmod 755 "$WORK"
DATA=$WORK/data
as_user() { runuser -u "$BENCH_USER" -- "$@"; }
cleanup() {
  as_user pg_ctl -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

log "initdb in $WORK"
as_user initdb -D "$DATA" -U "$BENCH_USER" -A trust --no-locale -E UTF8 >/dev/null
cat >>"$DATA/postgresql.conf" <<CONF
# --- bench/run.sh ---
listen_addresses = ''
unix_socket_directories = '$WORK'
shared_preload_libraries = 'softdelete'
shared_buffers = 2GB
fsync = on
synchronous_commit = off
max_wal_size = 8GB
checkpoint_timeout = 30min
maintenance_work_mem = 1GB
autovacuum = off            # the script VACUUM ANALYZEs explicitly after each build
jit = off                   # JIT compile time would add noise to the bulk statements
timezone = 'UTC'
lc_messages = 'C'
CONF
as_user pg_ctl -D "$DATA" -l "$WORK/server.log" -w start >/dev/null
export PGHOST=$WORK PGUSER=$BENCH_USER PGDATABASE=bench
psql -X -q -d postgres -c "CREATE DATABASE bench"   # (createdb is not in every bundle)
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${PSQL[@]}" -f bench/sql/setup.sql
q() { "${PSQL[@]}" -c "$1"; }

RES=$WORK/results.tsv   # workload  metric  mode  rep  value
PARTIAL="${OUT%.md}.partial.tsv"   # kept if the run dies half-way
: >"$RES"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES"; cp "$RES" "$PARTIAL";
  [ "$5" = error ] && echo "$1 / $3: statement failed (see the log above)" >>"$WORK/failures"; log "  $1 | $2 | $3 #$4 = $5"; }
prep() { q "VACUUM ANALYZE $1" ; q "CHECKPOINT"; }   # after every build
# timed SQL: checkpoint first, then wall time (ms) from just before to just after $1.
timed() {  # prints "error" (and the run goes on) if the SQL fails
  { "${PSQL[@]}" <<SQL || echo error; } | tail -n 1
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
$1
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 1);
SQL
}
check() {  # check <label> <sql> <expected>
  local got; got=$(q "$2")
  [ "$got" = "$3" ] || { log "CHECK FAILED ($1): $2 -> $got, expected $3"; echo "check failed: $1" >>"$WORK/failures"; }
}
p99() {  # p99 <pgbench -l log files...> -> 99th percentile latency in ms
  cat "$@" 2>/dev/null | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END{if (NR==0) {print "error"; exit} i=int(NR*0.99); if (i<1) i=1; printf "%.2f", a[i]/1000}'
}
pgb() {  # pgb <script> <clients> <seconds> [pgbench options...] -> tps
  pgb_tx "$@" | awk '{print $1}'
}
pgb_tx() {  # pgb_tx <script> <clients> <seconds> [pgbench options...] -> "tps transactions"
  local f=$1 c=$2 t=$3; shift 3
  pgbench -n "$@" -f "$f" -c "$c" -j "$c" -T "$t" 2>&1 |
    awk '/^number of transactions actually processed: /{split($6, a, "/"); n=a[1]}
         /^tps = /{tps=$3} END{print (tps == "" ? "error" : tps), (n == "" ? "error" : n)}'
}
per_row() {  # per_row <ms> <rows> -> microseconds per row
  awk -v ms="$1" -v n="$2" 'BEGIN{if (ms !~ /^[0-9.]+$/ || n <= 0) print "error"; else printf "%.3f", ms * 1000 / n}'
}

has_purge=$(q "SELECT to_regprocedure('softdelete.purge(regclass,interval,integer,boolean)') IS NOT NULL")
log "sizes: oltp=$N_OLTP bulk=$N_BULK parents=$N_PARENTS del_parents=$N_DELPARENTS purge=$N_PURGE; pgbench ${PGB_T}s; reps=$REPS; purge() present: $has_purge"

want() { [[ " $WORKLOADS " == *" $1 "* ]]; }

# ------------------------------------------------- 1. OLTP single-row DELETE (pgbench) ---
if want 1; then
  # Every transaction deletes a distinct live row: client c (of C) owns the slots
  # c * N/C .. (c + 1) * N/C - 1 and its transaction n takes row 1 + permute(slot, N), a
  # pseudo-random order over the whole table, no row twice. The check compares the rows
  # soft-deleted with the transactions pgbench counted: a mismatch (a client ran past
  # its N/C slots: make the table bigger) voids the figure.
  log "workload 1: OLTP single-row delete, clients: $W1_CLIENTS, pgbench -M $W1_PROTOCOL"
  w1_pick='\\set n :n + 1\n\\set id 1 + permute(:client_id * (%s / :nc) + :n - 1, %s)\n'
  printf "$w1_pick"'UPDATE oltp_limit SET deleted_at = now() WHERE id = :id AND deleted_at IS NULL;\n' "$N_OLTP" "$N_OLTP" >"$WORK/w1_limit.sql"
  printf "$w1_pick"'DELETE FROM oltp_peer WHERE id = :id;\n' "$N_OLTP" "$N_OLTP" >"$WORK/w1_peer.sql"
  printf "$w1_pick"'DELETE FROM oltp_softdelete WHERE id = :id;\n' "$N_OLTP" "$N_OLTP" >"$WORK/w1_softdelete.sql"
  for rep in $(seq "$REPS"); do
    for c in $W1_CLIENTS; do
      for m in $MODES; do
        q "CALL build_oltp('oltp_$m', '$m', $N_OLTP)"; prep "oltp_$m"
        read -r tps done_tx < <(pgb_tx "$WORK/w1_$m.sql" "$c" "$PGB_T" -M "$W1_PROTOCOL" -D n=0 -D nc="$c")
        record "1. OLTP single-row DELETE, $c client(s)" "TPS" "$m" "$rep" "$tps"
        check "w1 $m rows kept" "SELECT count(*) FROM oltp_$m" "$N_OLTP"
        check "w1 $m one distinct live row per transaction" "SELECT count(*) FROM oltp_$m WHERE deleted_at IS NOT NULL" "$done_tx"
        q "DROP TABLE oltp_$m CASCADE"
      done
    done
  done
fi

# ------------------------------------------------------------------ 2. bulk DELETE ---
# bulk_delete <label> <table rows> <rows deleted> <reps>: one DELETE ... WHERE id <= n on
# a fresh table per run; records ms and us/row.
bulk_delete() {
  local label=$1 ntab=$2 ndel=$3 reps=$4 rep m sql ms
  for rep in $(seq "$reps"); do
    for m in $MODES; do
      q "CALL build_oltp('bulk_$m', '$m', $ntab)"; prep "bulk_$m"
      if [ "$m" = limit ]; then sql="UPDATE bulk_limit SET deleted_at = now() WHERE id <= $ndel AND deleted_at IS NULL;"
      else sql="DELETE FROM bulk_$m WHERE id <= $ndel;"; fi
      ms=$(timed "$sql")
      record "$label" "ms" "$m" "$rep" "$ms"
      record "$label" "us/row" "$m" "$rep" "$(per_row "$ms" "$ndel")"
      check "w2 $m" "SELECT count(*) FILTER (WHERE deleted_at IS NOT NULL) || '/' || count(*) FROM bulk_$m" "$ndel/$ntab"
      q "DROP TABLE bulk_$m CASCADE"
    done
  done
}
if want 2; then
  log "workload 2: bulk delete of $N_BULK rows"
  bulk_delete "2. bulk DELETE of $N_BULK rows" "$N_OLTP" "$N_BULK" "$REPS"
fi

# --------------------------------------------------------------------- 3. cascade ---
if want 3; then
  log "workload 3: cascade $N_PARENTS parents x10 x5, delete/restore $N_DELPARENTS"
  for m in $MODES; do q "CALL build_cascade('$m', '$m', $N_PARENTS)"; for t in parent child grandchild; do prep "${t}_$m"; done; done
  for rep in $(seq "$REPS"); do
    lo=$(( (rep - 1) * N_DELPARENTS + 1 )); hi=$(( rep * N_DELPARENTS ))
    for m in $MODES; do
      if [ "$m" = limit ]; then
        del="BEGIN;
UPDATE parent_limit SET deleted_at = now() WHERE id BETWEEN $lo AND $hi AND deleted_at IS NULL;
UPDATE child_limit SET deleted_at = now() WHERE parent_id BETWEEN $lo AND $hi AND deleted_at IS NULL;
UPDATE grandchild_limit g SET deleted_at = now() FROM child_limit c
 WHERE g.child_id = c.id AND c.parent_id BETWEEN $lo AND $hi AND g.deleted_at IS NULL;
COMMIT;"
        res="BEGIN;
UPDATE parent_limit SET deleted_at = NULL WHERE id BETWEEN $lo AND $hi AND deleted_at IS NOT NULL;
UPDATE child_limit SET deleted_at = NULL WHERE parent_id BETWEEN $lo AND $hi AND deleted_at IS NOT NULL;
UPDATE grandchild_limit g SET deleted_at = NULL FROM child_limit c
 WHERE g.child_id = c.id AND c.parent_id BETWEEN $lo AND $hi AND g.deleted_at IS NOT NULL;
COMMIT;"
      else
        del="DELETE FROM parent_$m WHERE id BETWEEN $lo AND $hi;"
        res="UPDATE parent_$m SET deleted_at = NULL WHERE id BETWEEN $lo AND $hi;"
      fi
      record "3a. cascade soft delete of $N_DELPARENTS parents (+$((N_DELPARENTS*60)) descendants)" "ms" "$m" "$rep" "$(timed "$del")"
      check "w3 $m delete" "SELECT (SELECT count(*) FROM child_$m WHERE deleted_at IS NOT NULL) + (SELECT count(*) FROM grandchild_$m WHERE deleted_at IS NOT NULL)" "$((N_DELPARENTS * 60))"
      record "3b. restore of those $N_DELPARENTS parents (cascading)" "ms" "$m" "$rep" "$(timed "$res")"
      check "w3 $m restore" "SELECT (SELECT count(*) FROM child_$m WHERE deleted_at IS NOT NULL) + (SELECT count(*) FROM grandchild_$m WHERE deleted_at IS NOT NULL)" "0"
      for t in parent child grandchild; do q "VACUUM ${t}_$m"; done
    done
  done
fi

# ----------------------------------------------------------------------- 4. purge ---
# purge_run <label> <due rows> <active rows> <reps> <p99: 1|0> [layout]: purge every due row in
# batches of $PURGE_BATCH on a fresh table per run; records ms, rows/s, us/row and
# (p99=1) the p99 latency of concurrent single-row UPDATEs of active rows without the
# purge (baseline) and while it runs (pgbench -l logs each transaction's latency in
# microseconds, 3rd column).
purge_run() {
  local label=$1 ndue=$2 nactive=$3 reps=$4 with_p99=$5 layout=${6:-spread} rep m sql ms pgb_pid
  for rep in $(seq "$reps"); do
    for m in $MODES; do
      q "CALL build_purge('purge_$m', '$m', $ndue, $nactive, '$layout')"; prep "purge_$m"
      case $m in
        limit) sql="DO \$\$ DECLARE n bigint; BEGIN LOOP
  DELETE FROM purge_limit WHERE ctid = ANY(ARRAY(SELECT ctid FROM purge_limit
    WHERE deleted_at < now() - interval '1 day' LIMIT $PURGE_BATCH));
  GET DIAGNOSTICS n = ROW_COUNT; EXIT WHEN n = 0; END LOOP; END \$\$;" ;;
        peer) sql="SELECT peer_purge('purge_peer', interval '1 day', $PURGE_BATCH);" ;;
        softdelete) sql="SELECT softdelete.purge('purge_softdelete', older_than => interval '1 day', batch_size => $PURGE_BATCH);" ;;
      esac
      if [ "$with_p99" = 1 ]; then
        # as many active as due rows here: the odd ids are the active ones
        printf '\\set id 2 * random(1, %s) - 1\nUPDATE purge_%s SET payload = md5(:id::text) WHERE id = :id;\n' \
          "$ndue" "$m" >"$WORK/w4_$m.sql"
        rm -rf "$WORK/w4log" && mkdir "$WORK/w4log" && chown "$BENCH_USER" "$WORK/w4log"
        (cd "$WORK/w4log" && pgbench -n -f "$WORK/w4_$m.sql" -c 1 -T "$W4_T" -l --log-prefix=base >/dev/null 2>&1)
        (cd "$WORK/w4log" && pgbench -n -f "$WORK/w4_$m.sql" -c 1 -T "$W4_T" -l --log-prefix=during >/dev/null 2>&1) &
        pgb_pid=$!
      fi
      ms=$(timed "$sql")
      [ "$with_p99" = 1 ] && { wait "$pgb_pid" || true; }
      record "$label" "ms" "$m" "$rep" "$ms"
      record "$label" "rows/s" "$m" "$rep" "$(awk -v n="$ndue" -v ms="$ms" 'BEGIN{if (ms+0 <= 0) print "error"; else printf "%.0f", n/(ms/1000)}')"
      record "$label" "us/row" "$m" "$rep" "$(per_row "$ms" "$ndue")"
      if [ "$with_p99" = 1 ]; then
        record "4b. concurrent UPDATE p99 latency, no purge (baseline)" "ms" "$m" "$rep" "$(p99 "$WORK"/w4log/base*)"
        record "4b. concurrent UPDATE p99 latency, during the purge" "ms" "$m" "$rep" "$(p99 "$WORK"/w4log/during*)"
      fi
      check "purge $m" "SELECT count(*) || '/' || count(*) FILTER (WHERE deleted_at IS NULL) FROM purge_$m" "$nactive/$nactive"
      q "DROP TABLE purge_$m CASCADE"
    done
  done
}
if want 4; then
  if [ "$has_purge" != t ]; then
    log "workload 4: n/a: softdelete.purge() not available"
    echo "4. purge: n/a: softdelete.purge() not available" >>"$WORK/notes"
  else
    log "workload 4: purge $N_PURGE due rows (+$N_PURGE active) in batches of $PURGE_BATCH"
    purge_run "4. purge $N_PURGE due rows, batches of $PURGE_BATCH" "$N_PURGE" "$N_PURGE" "$REPS" 1
  fi
fi

# ----------------------------------------------------------------------- 5. reads ---
# reads_run <table> <hide: true|false> <lookup label> <count label> <source per mode> <count
# source per mode> <visibility per mode>: builds a 2M-row table with 10 % soft-deleted
# rows and a hand-written view <table>_peer_view, then times point lookups (simple
# protocol and -M prepared) and count(*) per mode, interleaved. The last three
# arguments are "limit|peer|softdelete" triples separated by "|".
reads_run() {
  local tbl=$1 hide=$2 lookup=$3 count=$4 rep m i
  local -a modes=($MODES) src cnt vis
  IFS='|' read -r -a src <<<"$5"; IFS='|' read -r -a cnt <<<"$6"; IFS='|' read -r -a vis <<<"$7"
  q "CALL build_oltp('$tbl', 'softdelete', $N_OLTP, $hide)"
  q "DELETE FROM $tbl WHERE id % 10 = 0"
  q "CREATE VIEW ${tbl}_peer_view AS SELECT * FROM $tbl WHERE deleted_at IS NULL"
  prep "$tbl"
  for i in "${!modes[@]}"; do
    m=${modes[$i]}
    printf '\\set id random(1, %s)\nSELECT * FROM %s id = :id;\n' "$N_OLTP" "${src[$i]}" >"$WORK/w5_${tbl}_$m.sql"
    # also warms the cache
    check "$tbl $m count" "SET softdelete.visibility = '${vis[$i]}'; SELECT count(*) FROM ${cnt[$i]}" "$(( N_OLTP - N_OLTP / 10 ))"
  done
  for rep in $(seq "$REPS"); do
    for i in "${!modes[@]}"; do m=${modes[$i]}
      record "$lookup (pgbench, 1 client, simple protocol)" "TPS" "$m" "$rep" \
        "$(PGOPTIONS="-c softdelete.visibility=${vis[$i]}" pgb "$WORK/w5_${tbl}_$m.sql" 1 "$READ_T")"
    done
    for i in "${!modes[@]}"; do m=${modes[$i]}  # parsed, rewritten and planned once
      record "$lookup (pgbench, 1 client, prepared)" "TPS" "$m" "$rep" \
        "$(PGOPTIONS="-c softdelete.visibility=${vis[$i]}" pgb "$WORK/w5_${tbl}_$m.sql" 1 "$READ_T" -M prepared)"
    done
    for i in "${!modes[@]}"; do m=${modes[$i]}
      record "$count" "ms" "$m" "$rep" \
        "$(PGOPTIONS="-c softdelete.visibility=${vis[$i]}" timed "SELECT count(*) FROM ${cnt[$i]};")"
    done
  done
  q "DROP TABLE $tbl CASCADE"
}
if want 5; then
  # 5a/5b: limit = base table + WHERE, peer = hand-written view, softdelete = its active
  # view (the table shows its deleted rows: hide_deleted is off).
  log "workload 5: reads, 10% deleted (limit = base table + WHERE, peer = hand-written view, softdelete = its active view)"
  reads_run reads false "5a. point lookup by id" "5b. count(*) of active rows" \
    "reads WHERE deleted_at IS NULL AND|reads_peer_view WHERE|reads_active WHERE" \
    "reads WHERE deleted_at IS NULL|reads_peer_view|reads_active" "active|active|active"
  # 5c/5d: the same reads on a table enabled with hide_deleted => true, queried as the
  # application does once it is unchanged: the base table, no predicate (softdelete).
  # limit and peer read the same table with the predicate written by hand (the base
  # table, a hand-written view), with softdelete.visibility = all so that the extension
  # adds nothing to their plans.
  log "workload 5c/5d: reads on a hide_deleted table (softdelete = base table, no predicate)"
  reads_run hreads true "5c. hide_deleted table: point lookup by id" \
    "5d. hide_deleted table: count(*) of active rows" \
    "hreads WHERE deleted_at IS NULL AND|hreads_peer_view WHERE|hreads WHERE" \
    "hreads WHERE deleted_at IS NULL|hreads_peer_view|hreads" "all|all|active"
fi

# --------------------------------------------------------------------- 6. scaling ---
# Workloads 2 and 4 at 0.1x and 10x their size (1x is workloads 2 and 4 themselves):
# time should grow linearly with the rows deleted / purged, i.e. us/row stay flat.
# 6c: the same number of due rows purged with 1x, 10x and 50x as many active rows:
# purge time should not grow with the active rows (the deleted_at index drives it).
# Here the due rows were soft-deleted by an UPDATE after the load, as in real use, so
# their row versions sit together at the heap's end; when they are spread one per page
# over the whole heap (workload 4's layout), every mode's purge has to dirty every page
# and grows with the table whatever drives it.
# SCALE6 lists the factors, REPS6 the repetitions at 10x (one 10x run of 6a+6b is
# ~25 min on 2 cores: 20M-row tables), PARTS6 which of a b c run.
PARTS6=${PARTS6:-"a b c"}   # which of 6a, 6b, 6c
part6() { [[ " $PARTS6 " == *" $1 "* ]]; }
if want 6; then
  for f in ${SCALE6-0.1 10}; do
    reps=$REPS; awk -v f="$f" 'BEGIN{exit !(f > 1)}' && reps=${REPS6:-1}
    ntab=$(sz $(awk -v f="$f" 'BEGIN{print 2000000*f}')); ndel=$(sz $(awk -v f="$f" 'BEGIN{print 200000*f}'))
    npurge=$(sz $(awk -v f="$f" 'BEGIN{print 1000000*f}'))
    log "workload 6 at ${f}x: bulk delete of $ndel of $ntab rows; purge $npurge due rows (+$npurge active)"
    if part6 a; then bulk_delete "6a. bulk DELETE at ${f}x: $ndel of $ntab rows" "$ntab" "$ndel" "$reps"; fi
    if part6 b && [ "$has_purge" = t ]; then
      purge_run "6b. purge at ${f}x: $npurge due rows (+$npurge active)" "$npurge" "$npurge" "$reps" 0
    fi
  done
  if part6 c && [ "$has_purge" = t ]; then
    ndue=$(sz 100000)
    for k in 1 10 50; do
      log "workload 6c: purge $ndue due rows beside $((k * ndue)) active rows"
      purge_run "6c. purge $ndue due rows beside $((k * ndue)) active rows" "$ndue" "$((k * ndue))" "$REPS" 0 deleted
    done
  fi
fi

# ---------------------------------------------------------------------- 7. memory ---
# Peak memory of the backend running one big statement: a sampler reads
# /proc/<pid>/status every 20 ms. "private" = RssAnon growth (backend-local memory:
# queues, trigger event lists, SPI); VmHWM additionally counts shared_buffers pages the
# backend touched, so it grows with the table size whatever the extension does.
mem_measure() {  # mem_measure <workload> <mode> <sql>
  local app="sdbench_mem_$RANDOM" pid="" idle_anon idle_rss peak_anon=0 hwm=0 a h
  "${PSQL[@]}" >/dev/null <<SQL &
SET application_name = '$app';
SELECT pg_sleep(1);
$3
SELECT pg_sleep(0.3);
SQL
  local bg=$!
  for _ in $(seq 100); do
    pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'")
    [ -n "$pid" ] && break; sleep 0.02
  done
  idle_anon=$(awk '/^RssAnon:/{print $2}' "/proc/$pid/status"); idle_rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
  while kill -0 "$bg" 2>/dev/null && [ -r "/proc/$pid/status" ]; do
    read -r a h < <(awk '/^RssAnon:/{a=$2} /^VmHWM:/{h=$2} END{print a, h}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
    [ "${a:-0}" -gt "$peak_anon" ] && peak_anon=$a
    [ "${h:-0}" -gt "$hwm" ] && hwm=$h
    sleep 0.02
  done
  wait "$bg"
  record "$1" "MB private (RssAnon) above idle" "$2" 1 "$(awk -v p="$peak_anon" -v i="$idle_anon" 'BEGIN{printf "%.1f", (p-i)/1024}')"
  record "$1" "MB VmHWM above idle VmRSS" "$2" 1 "$(awk -v p="$hwm" -v i="$idle_rss" 'BEGIN{printf "%.1f", (p-i)/1024}')"
}
if want 7; then
  log "workload 7: memory of one DELETE of $N_OLTP rows"
  for m in $MODES; do
    q "CALL build_oltp('mem_$m', '$m', $N_OLTP)"; prep "mem_$m"
    if [ "$m" = limit ]; then sql="UPDATE mem_limit SET deleted_at = now() WHERE deleted_at IS NULL;"
    else sql="DELETE FROM mem_$m;"; fi
    mem_measure "7a. memory: one DELETE of $N_OLTP rows" "$m" "$sql"
    check "w7 $m" "SELECT count(*) FROM mem_$m WHERE deleted_at IS NOT NULL" "$N_OLTP"
    q "DROP TABLE mem_$m CASCADE"
  done
  if want 3; then
    log "workload 7b: memory of one DELETE cascading to $((N_PARENTS*60)) descendants"
    for m in $MODES; do
      if [ "$m" = limit ]; then sql="BEGIN;
UPDATE parent_limit SET deleted_at = now() WHERE deleted_at IS NULL;
UPDATE child_limit SET deleted_at = now() WHERE deleted_at IS NULL;
UPDATE grandchild_limit SET deleted_at = now() WHERE deleted_at IS NULL;
COMMIT;"
      else sql="DELETE FROM parent_$m;"; fi
      mem_measure "7b. memory: one DELETE of $N_PARENTS parents cascading to $((N_PARENTS*60)) rows" "$m" "$sql"
      check "w7b $m" "SELECT count(*) FROM grandchild_$m WHERE deleted_at IS NOT NULL" "$((N_PARENTS*50))"
    done
  fi
fi

# ---------------------------------------------------------------------- report ---
{
  echo "# softdelete benchmark, $(date '+%Y-%m-%d %H:%M')"
  echo
  echo "- commit ${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src sql softdelete--*.sql 2>/dev/null || echo ' + uncommitted changes in src/sql')}, $(postgres --version)"
  echo "- $(nproc) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
  echo "- QUICK=$QUICK SCALE=$SCALE: oltp table $N_OLTP rows, bulk $N_BULK, cascade $N_PARENTS parents (delete $N_DELPARENTS), purge $N_PURGE; pgbench ${PGB_T}s (reads ${READ_T}s); median of $REPS runs (memory: 1 run)"
  echo "- server: shared_buffers=2GB, fsync=on, synchronous_commit=off, max_wal_size=8GB, checkpoint_timeout=30min, autovacuum=off, jit=off"
  echo
  python3 "$REPO/bench/report.py" "$RES" || echo "(no python3 here: bench/report.py ${OUT%.md}.tsv makes the table)"
  [ -f "$WORK/notes" ] && { echo; cat "$WORK/notes"; }
  [ -f "$WORK/failures" ] && { echo; echo "**Correctness checks failed:**"; sed 's/^/- /' "$WORK/failures"; }
  true
} >"$OUT"
cp "$RES" "${OUT%.md}.tsv"; rm -f "$PARTIAL"
echo
cat "$OUT"
echo
log "written $OUT"
