#!/usr/bin/env bash
# Runs Sambung locally: installs what is missing, starts a private PostgreSQL (pgvector included) in .data/,
# publishes the web app to .build/app and runs it in the foreground. See docs/operations.md.
#
#   ./run.sh            prerequisites, database, build, then the app (Ctrl+C stops the app, not the database)
#   ./run.sh db         prerequisites and database only
#   ./run.sh stop       stops the database
#   ./run.sh status     reports on the database (exit 0 running, 3 stopped)
#   ./run.sh psql [DB]  psql into the private cluster as sambung (default database: sambung)
#
# Environment: PORT (app port, default 5080), SAMBUNG_PG_PORT (default 55432), ASPNETCORE_ENVIRONMENT
# (default Production); OPENAI_*, ANTHROPIC_* and other provider variables pass through to the app.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"
cd "$SAMBUNG_ROOT"

usage() { sed -n '2,12p' "$SAMBUNG_ROOT/run.sh" | sed 's/^# \{0,1\}//'; }

command="${1:-run}"
case "$command" in
  run)
    ensure_prereqs
    start_db
    publish_app
    run_app
    ;;
  db)
    ensure_prereqs
    start_db
    log "connect with: $(connection_string "$SAMBUNG_DB_NAME" | sed 's/Password=.*/Password=<see .data\/db-password>/')"
    ;;
  stop) stop_db ;;
  status) db_status ;;
  psql)
    pg_locate
    pg_select_version || die "PostgreSQL is not installed"
    db_running || die "the database is not running (./run.sh db starts it)"
    PG_PORT="$(running_port)"
    read_password
    PGPASSWORD="$DB_PASSWORD" exec "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$SAMBUNG_DB_USER" -d "${2:-$SAMBUNG_DB_NAME}"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
