#!/usr/bin/env bash
# bench/lent-machine.sh -- run bench/run.sh on a lent quiet machine (no PostgreSQL, no
# network; ../shared/device/README.md). Prepare here with `bash ../shared/device/bundle.sh`
# (PostgreSQL 15 with the extension installed, in .devbundle/), then on the lent machine,
# as root from the repository top, with the workload settings of bench/run.sh:
#
#   WORKLOADS=1 SCALE=2 REPS=2 BENCH_COMMIT=abc1234 bash bench/lent-machine.sh
#
# The run's log, report (.md) and raw numbers (.tsv) go to $OUT (the device tool brings
# that folder back), with the machine's CPU and memory.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/bench-out}
mkdir -p "$OUT"
# shellcheck disable=SC1091
. .devbundle/env.sh >"$OUT/machine.txt" 2>&1
{ nproc; grep -m1 'model name' /proc/cpuinfo; grep MemTotal /proc/meminfo; uptime; } >>"$OUT/machine.txt"
started=$(date +%s)
# results straight into $OUT: a run cut short by the time limit still leaves its
# .partial.tsv there
SKIP_BUILD=1 RESULTS_DIR=$OUT bash bench/run.sh >"$OUT/run.log" 2>&1
rc=$?
echo "bench/run.sh exit $rc after $(( $(date +%s) - started )) s" >>"$OUT/machine.txt"
exit "$rc"
