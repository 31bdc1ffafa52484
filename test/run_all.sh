#!/usr/bin/env bash
# test/run_all.sh -- the project's test command: `bash test/run_all.sh` from the repo top,
# as root on a fresh Debian 12 machine (CI runs it through .ci/run).
#
#  1. installs missing Debian packages (test/lib/deps.sh)
#  2. copies the tree to $SD_TEST_DIR (default /tmp/softdelete-test, wiped first), owned
#     by the unprivileged user $SD_USER (default sdtest): PostgreSQL refuses to run as root
#  3. builds there with PGXS as that user (a compiler warning fails the build stage),
#     then `make install` as root; `make format-check` (clang-format; one test)
#  4. as that user: pg_regress, isolation and TAP layers (make installcheck-regress,
#     installcheck-isolation, installcheck-tap: the three halves of `make installcheck`,
#     run separately so one failing layer does not hide the others), and pg_regress
#     again with softdelete preloaded after pg_stat_statements and auto_explain
#     (TEST_CONFIG=test/softdelete_beside_others.conf)
#  5. client examples (examples/run.sh): installs their packages (python3-sqlalchemy,
#     python3-asyncpg, python3-django, python3-psycopg2, node and npm) when missing,
#     then, as that user, runs each example against a throwaway cluster
#  6. CMake build (module + unit tests) and ctest
#
# Prints why anything failed (diffs, server, TAP and example logs) and, as its very
# last line, "N passed, M failed": one count per pg_regress test, isolation spec, TAP
# test file, client example and ctest test, one for the format check, plus one failure per stage that could not
# run. Exits 1 if M > 0.
#
# PostgreSQL versions: by default the suite runs once, against PG_CONFIG (default:
# pg_config on the PATH, else Debian 12's PostgreSQL 15). SD_PG_VERSIONS="15 17 18"
# runs steps 2-6 once per major version listed instead: 15 is Debian 12's own, other
# majors come from test/lib/pg_versions.sh (Debian's packages of a newer suite unpacked
# into a private root under /var/cache/softdelete-pg; nothing installed system-wide,
# /etc/apt untouched; the extension is installed into that root). Each version gets
# its own scratch tree $SD_TEST_DIR-pgNN; the format check runs once; a line
# "==> PostgreSQL NN: N passed, M failed" follows each version, and the last line
# counts all of them. .ci/run sets SD_PG_VERSIONS="15 17 18".
#
# Environment: PG_CONFIG, SD_PG_VERSIONS, SD_USER, SD_TEST_DIR, SD_STAGE_TIMEOUT
# (seconds per stage, default 600), SD_ALLOW_WARNINGS=1 (don't fail on compiler
# warnings), MAKE_JOBS.
# Not run as root: no package install, tests run as the caller, `sudo make install`.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
# shellcheck source=test/lib/deps.sh
. "$REPO/test/lib/deps.sh"

BASE=${SD_TEST_DIR:-/tmp/softdelete-test}
WORK=$BASE
LOGS="$WORK-logs"
read -r -a VERSIONS <<<"${SD_PG_VERSIONS:-}"
TAG=""         # "pgNN " in stage names when several versions run
FORMAT_DONE=0
STAGE_TIMEOUT=${SD_STAGE_TIMEOUT:-600}
JOBS=${MAKE_JOBS:-$(nproc 2>/dev/null || echo 2)}

PASSED=0
FAILED=0
BROKEN=()      # stages that failed to run (each counts as one failure)

note_broken() {
    BROKEN+=("$TAG$1")
    FAILED=$((FAILED + 1))
    printf '!!! stage failed: %s%s\n' "$TAG" "$1"
}

# show FILE [MAXLINES]: print a file into the log, if it exists.
show() {
    local f=$1 max=${2:-1000}
    [ -s "$f" ] || return 0
    printf '\n----- %s (first %s lines) -----\n' "$f" "$max"
    head -n "$max" "$f"
    printf -- '----- end of %s -----\n' "$f"
}

# tail_log FILE [LINES]
tail_log() {
    local f=$1 n=${2:-80}
    [ -s "$f" ] || return 0
    printf '\n----- last %s lines of %s -----\n' "$n" "$f"
    tail -n "$n" "$f"
    printf -- '----- end of %s -----\n' "$f"
}

# run_logged NAME CMD...: run CMD (a command or function), output to stdout and
# $LOGS/NAME.log; returns CMD's exit status.
run_logged() {
    local name=$1 start=$SECONDS
    shift
    printf '\n==> [%s%s] %s\n' "$TAG" "$name" "$*"
    "$@" </dev/null 2>&1 | tee "$LOGS/$name.log"
    local rc=${PIPESTATUS[0]}
    [ "$rc" -eq 124 ] && printf '!!! [%s%s] timed out after %ss\n' "$TAG" "$name" "$STAGE_TIMEOUT"
    printf '==> [%s%s] took %d s\n' "$TAG" "$name" "$((SECONDS - start))"
    return "$rc"
}

# as_user_t CMD...: CMD as the unprivileged user, killed after $STAGE_TIMEOUT seconds
# (timeout runs CMD in its own process group, so make's children go too).
# shellcheck disable=SC2317  # called through run_logged
as_user_t() {
    sd_as_user timeout -k 20 "$STAGE_TIMEOUT" "$@"
}

# warnings_in LOG: number of compiler warnings in a build log.
warnings_in() {
    grep -cE '(^|[^A-Za-z])warning:' "$1" || true
}

# stop_servers: stop any server a killed test run left behind under $WORK.
stop_servers() {
    local pidfile
    [ -n "${PG_BINDIR:-}" ] && [ -d "$WORK" ] || return 0
    while IFS= read -r pidfile; do
        sd_as_user "$PG_BINDIR/pg_ctl" -D "$(dirname "$pidfile")" stop -m immediate \
            >/dev/null 2>&1 || true
    done < <(find "$WORK" -name postmaster.pid 2>/dev/null)
}

finish() {
    stop_servers
    if [ ${#BROKEN[@]} -gt 0 ]; then
        printf '\nstages that failed: %s\n' "${BROKEN[*]}"
    fi
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    [ "$FAILED" -eq 0 ]
    exit $?
}

# count_pg_regress NAME LOG RC DIFFS SERVERLOG: add one pg_regress/isolation run's
# results. PG 15 prints one line per test: "test name ... ok  12 ms", or with a
# schedule "     name ... FAILED  12 ms"; PG 16 and later print TAP-style lines,
# "ok 1         - name   12 ms" / "not ok 8     - name   12 ms" ("+" instead of
# "-" inside a parallel group).
count_pg_regress() {
    local name=$1 log=$2 rc=$3 diffs=$4 serverlog=$5 ok bad
    ok=$(grep -cE '^((test |     )?[[:space:]]*[^[:space:]]+[[:space:]]+\.\.\. ok([[:space:]]|$)|ok [0-9]+[[:space:]]+[-+] )' "$log" || true)
    # "... diff: <expected file>: No such file" = missing expected output (run aborts)
    bad=$(grep -cE '^((test |     )?[[:space:]]*[^[:space:]]+[[:space:]]+\.\.\. (FAILED|failed|diff:)|not ok [0-9]+[[:space:]]+[-+] )' "$log" || true)
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + bad))
    printf '==> [%s%s] %d passed, %d failed\n' "$TAG" "$name" "$ok" "$bad"
    if [ "$bad" -gt 0 ] || [ "$rc" -ne 0 ]; then
        show "$diffs" 2000
        tail_log "$serverlog" 100
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        note_broken "$name (exit $rc)"
    fi
}

# count_prove LOG RC: add one prove run's results (one count per test file; a file that
# skips itself, "path .. skipped: why", counts neither way and is listed).
# prove prints "Files=N, Tests=M, ..." and, when something failed, a
# "Test Summary Report" listing each failed file as "path (Wstat: ...)".
count_prove() {
    local log=$1 rc=$2 files bad f skipped
    files=$(sed -nE 's/^Files=([0-9]+), Tests=.*/\1/p' "$log" | tail -n 1)
    if [ -z "$files" ]; then
        if [ "$rc" -ne 0 ]; then
            note_broken "tap (exit $rc, no prove summary)"
            for f in "$WORK"/tmp_check/log/regress_log_*; do
                tail_log "$f" 60
            done
        fi
        return
    fi
    mapfile -t failed_files < <(sed -nE 's/^([^[:space:]]+\.pl)[[:space:]]+\(Wstat: .*/\1/p' "$log" | sort -u)
    bad=${#failed_files[@]}
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        note_broken "tap (exit $rc)"
    fi
    skipped=$(grep -cE '^[^[:space:]]+\.pl \.+ skipped:' "$log" || true)
    PASSED=$((PASSED + files - bad - skipped))
    FAILED=$((FAILED + bad))
    printf '==> [%stap] %d passed, %d failed (test files)\n' "$TAG" "$((files - bad - skipped))" "$bad"
    if [ "$skipped" -gt 0 ]; then
        printf '==> [%stap] skipped, not counted:\n' "$TAG"
        grep -E '^[^[:space:]]+\.pl \.+ skipped:' "$log"
    fi
    for f in "${failed_files[@]}"; do
        f=$(basename "$f" .pl)
        tail_log "$WORK/tmp_check/log/regress_log_$f" 150
        for nodelog in "$WORK"/tmp_check/log/"${f}"_*.log; do
            tail_log "$nodelog" 60
        done
    done
}

# count_ctest LOG RC: "100% tests passed, 0 tests failed out of 7".
count_ctest() {
    local log=$1 rc=$2 line total bad
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        # no test/unit/*.cpp: ctest finds nothing and exits 0
        if [ "$rc" -eq 0 ]; then
            printf '==> [%sctest] no unit tests\n' "$TAG"
        else
            note_broken "ctest (exit $rc, no summary)"
        fi
        return
    fi
    bad=$(sed -nE 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' <<<"$line")
    total=$(sed -nE 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/p' <<<"$line")
    PASSED=$((PASSED + total - bad))
    FAILED=$((FAILED + bad))
    printf '==> [%sctest] %d passed, %d failed\n' "$TAG" "$((total - bad))" "$bad"
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        note_broken "ctest (exit $rc)"
    fi
}

# count_examples LOG RC: examples/run.sh prints "example NAME ... ok (N s)" or
# "example NAME ... FAILED (...)" per example (a failure's log follows it).
count_examples() {
    local log=$1 rc=$2 ok bad
    ok=$(grep -cE '^example [^ ]+ \.\.\. ok' "$log" || true)
    bad=$(grep -cE '^example [^ ]+ \.\.\. FAILED' "$log" || true)
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + bad))
    printf '==> [%sexamples] %d passed, %d failed\n' "$TAG" "$ok" "$bad"
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        note_broken "examples (exit $rc)"
    fi
}

# check_build NAME RC LOG: a failed or warning-emitting build is a broken stage.
check_build() {
    local name=$1 rc=$2 log=$3 warnings
    if [ "$rc" -ne 0 ]; then
        note_broken "$name (exit $rc)"
        return 1
    fi
    warnings=$(warnings_in "$log")
    if [ "$warnings" -gt 0 ] && [ "${SD_ALLOW_WARNINGS:-0}" != 1 ]; then
        printf '\n----- compiler warnings in %s -----\n' "$name"
        grep -E -A3 '(^|[^A-Za-z])warning:' "$log" | head -n 200
        note_broken "$name ($warnings compiler warnings; SD_ALLOW_WARNINGS=1 to allow)"
        return 0    # the build is usable: run the tests anyway
    fi
    return 0
}

# ---------------------------------------------------------------------------------
# run_suite: steps 2-6 for the PostgreSQL of PG_CONFIG, in the scratch tree $WORK, logs
# in $LOGS (all set by the caller).
run_suite() {
    local built=0
    mkdir -p "$LOGS" 2>/dev/null || { LOGS=$(mktemp -d); }
    rm -f "$LOGS"/*.log
    sd_log "PostgreSQL: $("$PG_CONFIG" --version), pg_config $PG_CONFIG, user $SD_USER"
    sd_log "scratch tree: $WORK, logs: $LOGS"

    # 2. scratch copy owned by the unprivileged user
    stop_servers
    sd_copy_tree "$REPO" "$WORK" || { note_broken "copy to $WORK"; return; }

    # 3. PGXS build as the user, install as root
    run_logged make as_user_t make -C "$WORK" -j"$JOBS" PG_CONFIG="$PG_CONFIG"
    if check_build make $? "$LOGS/make.log"; then
        if run_logged make-install sd_as_root make -C "$WORK" install PG_CONFIG="$PG_CONFIG"; then
            built=1
        else
            note_broken make-install
        fi
    fi

    # 3b. the C++ sources are formatted as .clang-format says (one test, whatever the
    #     number of versions)
    if [ "$FORMAT_DONE" -eq 0 ]; then
        FORMAT_DONE=1
        if run_logged format as_user_t make -C "$WORK" format-check; then
            PASSED=$((PASSED + 1))
        else
            FAILED=$((FAILED + 1))
        fi
    fi

    # 4. the three installcheck layers
    if [ "$built" -eq 1 ]; then
        run_logged regress as_user_t make -C "$WORK" installcheck-regress PG_CONFIG="$PG_CONFIG"
        count_pg_regress regress "$LOGS/regress.log" $? "$WORK/regression.diffs" \
            "$WORK/log/postmaster.log"

        # the same with softdelete preloaded after pg_stat_statements and auto_explain:
        # cascades run inside their executor hooks (src/nested_run.hpp)
        run_logged regress-beside-others as_user_t make -C "$WORK" installcheck-regress \
            PG_CONFIG="$PG_CONFIG" TEST_CONFIG=test/softdelete_beside_others.conf
        count_pg_regress regress-beside-others "$LOGS/regress-beside-others.log" $? \
            "$WORK/regression.diffs" "$WORK/log/postmaster.log"

        run_logged isolation as_user_t make -C "$WORK" installcheck-isolation PG_CONFIG="$PG_CONFIG"
        count_pg_regress isolation "$LOGS/isolation.log" $? "$WORK/output_iso/regression.diffs" \
            "$WORK/output_iso/log/postmaster.log"

        run_logged tap as_user_t make -C "$WORK" installcheck-tap PG_CONFIG="$PG_CONFIG"
        count_prove "$LOGS/tap.log" $?
        stop_servers
    else
        printf '!!! skipping pg_regress, isolation and TAP: the module was not built and installed\n'
    fi

    # 5. client examples (SQLAlchemy, asyncpg, Django, Sequelize) on a throwaway cluster
    #    whose data directory is under $WORK (so stop_servers finds it after a timeout)
    if [ "$built" -eq 1 ]; then
        if run_logged examples-deps sd_install_example_deps; then
            run_logged examples as_user_t env SD_EXAMPLES_DIR="$WORK/examples-cluster" \
                bash "$WORK/examples/run.sh"
            count_examples "$LOGS/examples.log" $?
            stop_servers
        else
            note_broken examples-deps
        fi
    else
        printf '!!! skipping the client examples: the module was not built and installed\n'
    fi

    # 6. CMake build and unit tests
    if ! run_logged cmake-configure as_user_t cmake -S "$WORK" -B "$WORK/build" \
        -DPG_CONFIG="$PG_CONFIG" -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
        note_broken cmake-configure
    else
        run_logged cmake-build as_user_t cmake --build "$WORK/build" -j "$JOBS"
        if check_build cmake-build $? "$LOGS/cmake-build.log"; then
            run_logged ctest as_user_t ctest --test-dir "$WORK/build" --output-on-failure \
                --timeout 120
            count_ctest "$LOGS/ctest.log" $?
        fi
    fi
}

# 1. dependencies and environment
mkdir -p "$LOGS" 2>/dev/null || { LOGS=$(mktemp -d); }
rm -f "$LOGS"/*.log
if ! run_logged deps sd_install_deps; then
    note_broken deps
    finish
fi
if ! sd_setup_env; then
    note_broken environment
    finish
fi
sd_ensure_user || { note_broken "user $SD_USER"; finish; }
trap 'stop_servers' EXIT

if [ ${#VERSIONS[@]} -eq 0 ]; then
    run_suite
    finish
fi

# Several versions: each one's server, scratch tree and logs.
SETUP_LOGS=$LOGS
for v in "${VERSIONS[@]}"; do
    before_passed=$PASSED before_failed=$FAILED version_start=$SECONDS
    TAG=""
    LOGS=$SETUP_LOGS
    run_logged "setup-pg$v" bash "$REPO/test/lib/pg_versions.sh" setup "$v"
    cfg=$(tail -n 1 "$LOGS/setup-pg$v.log")
    TAG="pg$v "
    WORK=$BASE-pg$v
    LOGS=$WORK-logs
    if [ -z "$cfg" ] || [ ! -x "$cfg" ] || ! "$cfg" --version | grep -q " $v\."; then
        note_broken "PostgreSQL $v set-up (see $SETUP_LOGS/setup-pg$v.log)"
    else
        PG_CONFIG=$cfg
        PG_BINDIR=$("$PG_CONFIG" --bindir)
        export PG_CONFIG PG_BINDIR
        run_suite
    fi
    printf '==> PostgreSQL %s: %d passed, %d failed (%d s)\n' "$v" "$((PASSED - before_passed))" \
        "$((FAILED - before_failed))" "$((SECONDS - version_start))"
done
TAG=""
finish
