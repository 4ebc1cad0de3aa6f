#!/usr/bin/env bash
# Runs every test in Sambung.sln against the private PostgreSQL cluster (see docs/operations.md).
#
#   ./test.sh [dotnet test arguments...]      e.g. ./test.sh --filter "FullyQualifiedName~Branching"
#
# The last line printed is the total over all test projects: "N passed, N failed, N skipped".
# Environment: SAMBUNG_PG_PORT (default 55432), SAMBUNG_TEST_VERBOSITY (console logger, default minimal),
# SAMBUNG_KEEP_DB=1 (leave the database running even when this run started it).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"
cd "$SAMBUNG_ROOT"

SUMMARY_PRINTED=0
STARTED_DB=0
T_ALL="$(now_ms)"

finish() {
  local rc=$?
  if ((STARTED_DB)) && [[ ${SAMBUNG_KEEP_DB:-0} != 1 ]]; then
    stop_db || true
  fi
  # In CI nothing should outlive the run: stop the compiler servers a build leaves behind.
  if [[ -n ${CI:-} ]] && command -v dotnet >/dev/null 2>&1; then
    dotnet build-server shutdown >/dev/null 2>&1 || true
  fi
  if ((!SUMMARY_PRINTED)); then
    # Something failed before the tests could be counted (prerequisites, database, build): say so honestly.
    SAMBUNG_TIMINGS+=("total $(elapsed "$T_ALL" "$(now_ms)")s")
    print_timings
    printf '0 passed, 1 failed, 0 skipped\n'
    ((rc != 0)) || rc=1
  fi
  exit "$rc"
}
trap finish EXIT

# --- prerequisites --------------------------------------------------------------------------------------------
t0="$(now_ms)"
ensure_prereqs --test
validate_compose
record_phase prereqs "$t0"

# --- database -------------------------------------------------------------------------------------------------
t0="$(now_ms)"
pg_locate
pg_select_version || die "PostgreSQL is not installed"
db_running || STARTED_DB=1
start_db
for db in "${SAMBUNG_TEST_DATABASES[@]}"; do
  recreate_database "$db"
done
log "test databases (fresh, with pgvector): ${SAMBUNG_TEST_DATABASES[*]}"
SAMBUNG_TEST_PG="$(connection_string)"
SAMBUNG_CHROMIUM="$(chromium_path)"
export SAMBUNG_TEST_PG SAMBUNG_CHROMIUM
log "SAMBUNG_TEST_PG=Host=127.0.0.1;Port=$PG_PORT;Username=$SAMBUNG_DB_USER;Password=<.data/db-password>"
log "SAMBUNG_CHROMIUM=$SAMBUNG_CHROMIUM"
record_phase db "$t0"

# --- build ----------------------------------------------------------------------------------------------------
t0="$(now_ms)"
log "dotnet build Sambung.sln -c Release"
build_rc=0
dotnet build Sambung.sln -c Release --nologo || build_rc=$?
record_phase build "$t0"
((build_rc == 0)) || die "the build failed (exit $build_rc)"

# --- tests ----------------------------------------------------------------------------------------------------
t0="$(now_ms)"
clear_test_results
log "dotnet test Sambung.sln -c Release --no-build $*"
test_rc=0
# --logger trx without a results directory: each project writes <project>/TestResults/*.trx, which collect_trx
# then moves to .build/test-results/<Project>.trx.
dotnet test Sambung.sln -c Release --no-build --nologo \
  --logger trx --logger "console;verbosity=${SAMBUNG_TEST_VERBOSITY:-minimal}" "$@" || test_rc=$?
collect_trx
record_phase tests "$t0"

# --- summary --------------------------------------------------------------------------------------------------
log "results per test project (TRX files in ${SAMBUNG_TEST_RESULTS#"$SAMBUNG_ROOT"/}):"
shopt -s nullglob
trx_files=("$SAMBUNG_TEST_RESULTS"/*.trx)
shopt -u nullglob
trx_summarize "${trx_files[@]}"
passed=$TRX_PASSED failed=$TRX_FAILED skipped=$TRX_SKIPPED
if ((passed + failed + skipped == 0)); then
  log "no test ran at all: that counts as a failure"
  failed=1
fi
if ((test_rc != 0 && failed == 0)); then
  log "dotnet test exited with $test_rc although no TRX file reports a failure: counting one failure"
  failed=1
fi
SAMBUNG_TIMINGS+=("total $(elapsed "$T_ALL" "$(now_ms)")s")
if ((STARTED_DB)) && [[ ${SAMBUNG_KEEP_DB:-0} != 1 ]]; then
  stop_db
  STARTED_DB=0
fi
print_timings
SUMMARY_PRINTED=1
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))
