#!/usr/bin/env bash
# Shared shell library for run.sh, test.sh and scripts/prereqs.sh. See docs/operations.md.
#
# Source it from bash, not from an interactive shell you want to keep (it turns on `set -euo pipefail`):
#   bash -c 'source scripts/lib.sh; ensure_prereqs; start_db; db_status'
#
# Public functions: ensure_prereqs [--test], start_db, stop_db, db_status, ensure_database NAME,
# recreate_database NAME, connection_string [DB], publish_app, run_app, validate_compose,
# collect_trx, trx_summarize FILE..., and the log/timing helpers.

set -euo pipefail

SAMBUNG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SAMBUNG_DATA="$SAMBUNG_ROOT/.data"
SAMBUNG_LOGS="$SAMBUNG_ROOT/.logs"
SAMBUNG_BUILD="$SAMBUNG_ROOT/.build"
SAMBUNG_PASSWORD_FILE="$SAMBUNG_DATA/db-password"
SAMBUNG_PG_PORT="${SAMBUNG_PG_PORT:-55432}"
SAMBUNG_DB_USER="sambung"
SAMBUNG_DB_NAME="sambung"
# Databases the test projects use; each appends `Database=<name>` to SAMBUNG_TEST_PG.
# shellcheck disable=SC2034 # used by test.sh
SAMBUNG_TEST_DATABASES=(sambung_test_integration sambung_test_accounts sambung_test_browser sambung_test_bench)

export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# MSBuild worker nodes would otherwise linger for minutes after each build.
export MSBUILDDISABLENODEREUSE=1

# ---------------------------------------------------------------------------------------------------------------
# Logging and timing
# ---------------------------------------------------------------------------------------------------------------

log() { printf '[sambung] %s\n' "$*" >&2; }
warn() { printf '[sambung] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[sambung] ERROR: %s\n' "$*" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# Seconds with one decimal between two now_ms values.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

SAMBUNG_TIMINGS=()
# record_phase NAME START_MS: remembers how long a phase took (print_timings shows them).
record_phase() {
  local secs
  secs="$(elapsed "$2" "$(now_ms)")"
  SAMBUNG_TIMINGS+=("$1 ${secs}s")
  log "phase $1 took ${secs}s"
}

print_timings() {
  ((${#SAMBUNG_TIMINGS[@]})) || return 0
  local line="" t
  for t in "${SAMBUNG_TIMINGS[@]}"; do line+="${line:+, }$t"; done
  log "timings: $line"
}

# ---------------------------------------------------------------------------------------------------------------
# Privileges
# ---------------------------------------------------------------------------------------------------------------

is_root() { [[ $EUID -eq 0 ]]; }

runuser_bin() {
  local p
  for p in "$(command -v runuser || true)" /usr/sbin/runuser /sbin/runuser; do
    [[ -n $p && -x $p ]] && { printf '%s\n' "$p"; return 0; }
  done
  die "runuser (util-linux) is needed to run PostgreSQL as the 'postgres' user"
}

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root, and sudo is not installed"
  fi
}

can_become_root() { is_root || command -v sudo >/dev/null 2>&1; }

# When root works in a checkout owned by someone else (scripts/prereqs.sh run by an admin), hand build output back.
give_back_to_repo_owner() {
  is_root || return 0
  local owner
  owner="$(stat -c %u:%g "$SAMBUNG_ROOT")"
  [[ $owner == 0:* ]] && return 0
  chown -R "$owner" "$@"
}

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites (apt)
# ---------------------------------------------------------------------------------------------------------------

pkg_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]; }

have_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

# shellcheck disable=SC1091 # a system file
os_codename() { (. /etc/os-release 2>/dev/null && printf '%s\n' "${VERSION_CODENAME:-}") || true; }

SAMBUNG_APT_UPDATED=0
apt_update() {
  ((SAMBUNG_APT_UPDATED)) && return 0
  log "apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  SAMBUNG_APT_UPDATED=1
}

apt_install() {
  (($#)) || return 0
  apt_update
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# The apt candidate version of a package, empty when apt knows no installable version.
apt_candidate() {
  local c
  c="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
  [[ $c == "(none)" ]] && c=""
  printf '%s\n' "$c"
}

# Highest installed PostgreSQL server major version (Debian layout /usr/lib/postgresql/N/bin/postgres), or empty.
pg_installed_major() {
  local d v best=""
  for d in /usr/lib/postgresql/*/bin/postgres; do
    [[ -x $d ]] || continue
    v="${d#/usr/lib/postgresql/}"
    v="${v%%/*}"
    [[ $v =~ ^[0-9]+$ ]] || continue
    if [[ -z $best ]] || ((v > best)); then best="$v"; fi
  done
  printf '%s\n' "$best"
}

# Sets PG_MAJOR, PG_BIN, PG_SHAREDIR. The version of an existing cluster wins over the newest installed server,
# because a data directory only works with the major version that created it.
pg_select_version() {
  PG_MAJOR=""
  if [[ -n ${PGDATA_DIR:-} && -r $PGDATA_DIR/PG_VERSION ]]; then
    PG_MAJOR="$(<"$PGDATA_DIR/PG_VERSION")"
    [[ -x /usr/lib/postgresql/$PG_MAJOR/bin/postgres ]] ||
      die "the cluster in $PGDATA_DIR is PostgreSQL $PG_MAJOR, whose server is not installed (apt-get install postgresql-$PG_MAJOR)"
  else
    PG_MAJOR="$(pg_installed_major)"
  fi
  if [[ -z $PG_MAJOR ]]; then
    PG_BIN="" PG_SHAREDIR=""
    return 1
  fi
  PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
  if [[ -x $PG_BIN/pg_config ]]; then
    PG_SHAREDIR="$("$PG_BIN/pg_config" --sharedir)"
  else
    PG_SHAREDIR="/usr/share/postgresql/$PG_MAJOR"
  fi
}

pgvector_installed() { [[ -n ${PG_SHAREDIR:-} && -f $PG_SHAREDIR/extension/vector.control ]]; }

chromium_path() { printf '%s\n' "${SAMBUNG_CHROMIUM:-/usr/bin/chromium}"; }

check_dotnet() {
  local hint="Install the .NET 10 SDK, e.g. on Debian 12: add Microsoft's package feed and 'apt-get install dotnet-sdk-10.0', or run Microsoft's dotnet-install.sh with '--channel 10.0' and put ~/.dotnet on PATH (https://learn.microsoft.com/dotnet/core/install/linux-debian)."
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK ('dotnet') is not on PATH. $hint"
  local sdks major ok=0
  sdks="$(dotnet --list-sdks 2>/dev/null || true)"
  while read -r major _; do
    major="${major%%.*}"
    [[ $major =~ ^[0-9]+$ ]] && ((major >= 10)) && ok=1
  done <<<"$sdks"
  ((ok)) || die "no .NET SDK 10 or newer found (dotnet --list-sdks: ${sdks:-none}). $hint"
}

# deb822 source of Debian trixie's *source* packages: bookworm has no pgvector binary package, trixie has its source.
TRIXIE_SRC_FILE=/etc/apt/sources.list.d/trixie-src.sources
ensure_trixie_sources() {
  local signed_by="" f expected tmp
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    grep -qE '^Suites:.*\bbookworm\b' "$f" || continue
    signed_by="$(sed -n '/^Signed-By:/{s/^Signed-By:[[:space:]]*//p;q}' "$f")"
    [[ -n $signed_by ]] && break
  done
  if [[ -z $signed_by && -f /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
    signed_by=/usr/share/keyrings/debian-archive-keyring.gpg
  fi
  expected="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main"
  [[ -n $signed_by ]] && expected+=$'\n'"Signed-By: $signed_by"
  if [[ -f $TRIXIE_SRC_FILE && "$(<"$TRIXIE_SRC_FILE")" == "$expected" ]]; then
    return 0
  fi
  log "adding $TRIXIE_SRC_FILE (Debian trixie source packages, for pgvector)"
  tmp="$(mktemp)"
  printf '%s\n' "$expected" >"$tmp"
  as_root install -m 644 "$tmp" "$TRIXIE_SRC_FILE"
  rm -f "$tmp"
  SAMBUNG_APT_UPDATED=0
}

# Builds pgvector from Debian's source package into .build/pgvector and installs it (make install needs root).
build_pgvector() {
  local dir="$SAMBUNG_BUILD/pgvector" src="" d t0 pg_config="$PG_BIN/pg_config" build_log="$SAMBUNG_LOGS/pgvector-build.log"
  t0="$(now_ms)"
  local deps=() p
  for p in "postgresql-server-dev-$PG_MAJOR" dpkg-dev build-essential; do
    pkg_installed "$p" || deps+=("$p")
  done
  apt_install "${deps[@]}"
  mkdir -p "$dir" "$SAMBUNG_LOGS"
  for d in "$dir"/pgvector-*/; do
    [[ -f $d/Makefile ]] && src="${d%/}"
  done
  if [[ -z $src ]]; then
    log "apt-get source pgvector (into ${dir#"$SAMBUNG_ROOT"/})"
    (cd "$dir" && apt-get source -q pgvector) || die "apt-get source pgvector failed (is $TRIXIE_SRC_FILE there and apt-get update done?)"
    for d in "$dir"/pgvector-*/; do
      [[ -f $d/Makefile ]] && src="${d%/}"
    done
    [[ -n $src ]] || die "apt-get source pgvector left no pgvector-*/Makefile in $dir"
  fi
  log "building $(basename "$src") for PostgreSQL $PG_MAJOR (log: ${build_log#"$SAMBUNG_ROOT"/})"
  # OPTFLAGS="" as in Debian's own package: no -march=native, so the library does not depend on this CPU.
  if ! make -C "$src" -j"$(nproc)" PG_CONFIG="$pg_config" OPTFLAGS="" >"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    die "building pgvector failed (see $build_log)"
  fi
  if ! as_root make -C "$src" install PG_CONFIG="$pg_config" OPTFLAGS="" >>"$build_log" 2>&1; then
    tail -n 30 "$build_log" >&2
    die "installing pgvector failed (see $build_log)"
  fi
  give_back_to_repo_owner "$SAMBUNG_BUILD" "$SAMBUNG_LOGS"
  pgvector_installed || die "pgvector was installed but $PG_SHAREDIR/extension/vector.control is still missing"
  log "pgvector built and installed in $(elapsed "$t0" "$(now_ms)")s"
}

# Installs what run.sh (and with --test, test.sh) needs. Does nothing, and never calls apt-get update,
# when everything is already there.
# shellcheck disable=SC2120 # the argument is optional
ensure_prereqs() {
  local for_tests=0
  [[ ${1:-} == --test ]] && for_tests=1
  check_dotnet

  local pkgs=() need_pg=0 need_vector=0
  pg_locate
  pg_select_version || need_pg=1
  ((need_pg)) && pkgs+=(postgresql postgresql-contrib)
  pgvector_installed || need_vector=1
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
  if ((for_tests)) && [[ ! -x "$(chromium_path)" ]]; then
    pkgs+=(chromium fonts-liberation)
  fi

  if ((${#pkgs[@]} == 0 && need_vector == 0)); then
    log "prerequisites present: dotnet, PostgreSQL $PG_MAJOR with pgvector, npm$( ((for_tests)) && printf ', chromium')"
    return 0
  fi

  local missing="${pkgs[*]}"
  ((need_vector)) && missing+="${missing:+ }pgvector (built from Debian's source package)"
  if ! have_apt; then
    die "missing: $missing. This script installs them with apt-get only (Debian/Ubuntu); install them by hand."
  fi
  if ! can_become_root; then
    log "missing: $missing"
    log "Installing these needs root, and this user is not root and has no sudo. Ask an administrator to run, as root:"
    log "    bash $SAMBUNG_ROOT/scripts/prereqs.sh$( ((for_tests)) && printf ' --test')"
    log "(it runs apt-get install for the packages above and, when pgvector is missing, builds it from Debian's"
    log " source package as docs/operations.md describes), or to install sudo for you. Then run this again."
    die "prerequisites missing"
  fi

  if ((need_vector)) && [[ "$(os_codename)" == bookworm ]]; then
    ensure_trixie_sources
  fi
  apt_install "${pkgs[@]}"

  if ((need_pg)); then
    pg_select_version || die "PostgreSQL was installed but no server binary is in /usr/lib/postgresql/*/bin"
    pgvector_installed && need_vector=0
  fi
  if ((need_vector)); then
    apt_update
    local binary="postgresql-$PG_MAJOR-pgvector"
    if [[ -n "$(apt_candidate "$binary")" ]]; then
      apt_install "$binary"
    else
      build_pgvector
    fi
    pgvector_installed || die "pgvector is still not installed for PostgreSQL $PG_MAJOR"
  fi
  log "prerequisites ready"
}

# ---------------------------------------------------------------------------------------------------------------
# The private PostgreSQL cluster
# ---------------------------------------------------------------------------------------------------------------

path_hash() { printf '%s' "$SAMBUNG_ROOT" | md5sum | cut -c1-8; }

# Sets PG_OWNER, PG_HOME (folder holding pg/ and the socket folder), PGDATA_DIR, PG_SOCKET_DIR, PG_LOG.
# No side effects: stop/status use it too.
pg_locate() {
  if is_root; then PG_OWNER=postgres; else PG_OWNER="$(id -un)"; fi
  PG_FALLBACK_HOME="/var/tmp/sambung-$(path_hash)"
  if is_root && [[ -f $PG_FALLBACK_HOME/pg/PG_VERSION ]]; then
    pg_use_home "$PG_FALLBACK_HOME" "$PG_FALLBACK_HOME/postgres.log"
  else
    pg_use_home "$SAMBUNG_DATA" "$SAMBUNG_LOGS/postgres.log"
  fi
}

pg_use_home() {
  PG_HOME="$1"
  PG_LOG="$2"
  PGDATA_DIR="$PG_HOME/pg"
  PG_SOCKET_DIR="$PG_HOME/run"
  # A unix socket path must fit in 107 bytes (".s.PGSQL.NNNNN" included).
  if ((${#PG_SOCKET_DIR} + 16 > 107)); then
    PG_SOCKET_DIR="/tmp/sambung-$(path_hash)-$(id -u)"
  fi
}

# Runs a command as the cluster's OS owner ('postgres' when we are root), from / so a private cwd does not matter.
as_pg_owner() {
  if is_root; then
    (cd / && "$(runuser_bin)" -u "$PG_OWNER" -- "$@")
  else
    "$@"
  fi
}

# The first folder on the way to $1 that $PG_OWNER cannot enter, or empty.
first_untraversable() {
  local path="" part parts
  IFS=/ read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    [[ -z $part ]] && continue
    path+="/$part"
    if ! as_pg_owner test -x "$path"; then
      printf '%s\n' "$path"
      return 0
    fi
  done
}

# Creates the folders PostgreSQL writes to, owned by the cluster owner. When root and 'postgres' cannot reach the
# repository's .data (e.g. a checkout under /root, mode 700), falls back to /var/tmp/sambung-<hash>.
pg_prepare_dirs() {
  mkdir -p "$SAMBUNG_DATA" "$SAMBUNG_LOGS"
  if is_root && [[ $PG_HOME == "$SAMBUNG_DATA" ]]; then
    id postgres >/dev/null 2>&1 || die "there is no 'postgres' OS user: is the postgresql package installed?"
    chmod 711 "$SAMBUNG_DATA"
    local blocked
    blocked="$(first_untraversable "$SAMBUNG_DATA")"
    if [[ -z $blocked ]]; then blocked="$(first_untraversable "$SAMBUNG_LOGS")"; fi
    if [[ -n $blocked ]]; then
      warn "the 'postgres' OS user cannot enter $blocked, so the cluster cannot live in $SAMBUNG_DATA;"
      warn "using $PG_FALLBACK_HOME instead (data in pg/, log in postgres.log). The password stays in $SAMBUNG_PASSWORD_FILE."
      pg_use_home "$PG_FALLBACK_HOME" "$PG_FALLBACK_HOME/postgres.log"
      mkdir -p "$PG_HOME"
      chmod 700 "$PG_HOME"
      chown postgres: "$PG_HOME"
    else
      chown postgres: "$SAMBUNG_LOGS"
    fi
  fi
  is_root || chmod 700 "$SAMBUNG_DATA"
  local d
  for d in "$PGDATA_DIR" "$PG_SOCKET_DIR"; do
    mkdir -p "$d"
    if is_root; then chown postgres: "$d"; fi
    if [[ "$(stat -c %U "$d")" != "$PG_OWNER" ]]; then
      die "$d belongs to $(stat -c %U "$d"), but the cluster must run as $PG_OWNER. A checkout is used either by root or by one ordinary user; see docs/operations.md"
    fi
  done
  chmod 700 "$PGDATA_DIR"
  chmod 755 "$PG_SOCKET_DIR"
  if [[ ! -e $PG_LOG ]]; then
    : >"$PG_LOG"
  fi
  if is_root; then chown postgres: "$PG_LOG"; fi
}

# Creates .data/db-password once (32 random letters and digits, mode 600) and sets DB_PASSWORD.
ensure_password() {
  mkdir -p "$SAMBUNG_DATA"
  if [[ ! -s $SAMBUNG_PASSWORD_FILE ]]; then
    local raw
    raw="$(head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')"
    (umask 077 && printf '%s\n' "${raw:0:32}" >"$SAMBUNG_PASSWORD_FILE")
    log "generated the database password in ${SAMBUNG_PASSWORD_FILE#"$SAMBUNG_ROOT"/}"
  fi
  chmod 600 "$SAMBUNG_PASSWORD_FILE"
  read_password
}

read_password() {
  [[ -r $SAMBUNG_PASSWORD_FILE ]] || die "cannot read $SAMBUNG_PASSWORD_FILE (created by another user? see docs/operations.md)"
  DB_PASSWORD="$(tr -d '[:space:]' <"$SAMBUNG_PASSWORD_FILE")"
  [[ $DB_PASSWORD =~ ^[A-Za-z0-9._~-]+$ ]] ||
    die "$SAMBUNG_PASSWORD_FILE must hold letters, digits or ._~- only (it goes into a connection string)"
}

db_running() { [[ -f $PGDATA_DIR/postmaster.pid ]] && as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

# The port the running cluster actually listens on (line 4 of postmaster.pid).
running_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid"; }

port_in_use() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

init_cluster() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] && return 0
  if [[ -n "$(ls -A "$PGDATA_DIR" 2>/dev/null)" ]]; then
    die "$PGDATA_DIR is not empty but holds no cluster; move it away and run again"
  fi
  local t0 locale_args=(--no-locale) out
  t0="$(now_ms)"
  if grep -qix 'c\.utf-\?8' <<<"$(locale -a 2>/dev/null)"; then locale_args=(--locale=C.UTF-8); fi
  log "initialising a PostgreSQL $PG_MAJOR cluster in $PGDATA_DIR (owner $PG_OWNER)"
  if ! out="$(as_pg_owner "$PG_BIN/initdb" -D "$PGDATA_DIR" -E UTF8 "${locale_args[@]}" \
    --auth-local=peer --auth-host=scram-sha-256 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "initdb failed"
  fi
  # Settings that follow the checkout (port, socket folder) are rewritten into sambung.conf at every start.
  printf "\n# run.sh / test.sh write this file at every start\ninclude_if_exists = 'sambung.conf'\n" >>"$PGDATA_DIR/postgresql.conf"
  log "cluster initialised in $(elapsed "$t0" "$(now_ms)")s"
}

conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_cluster_conf() {
  local f="$PGDATA_DIR/sambung.conf"
  cat >"$f" <<EOF
# Written by scripts/lib.sh at every start; edit scripts/lib.sh instead.
listen_addresses = '127.0.0.1'
port = $SAMBUNG_PG_PORT
unix_socket_directories = $(conf_quote "$PG_SOCKET_DIR")
# Test projects run in parallel, each with its own connection pools.
max_connections = 200
# A local development cluster: a crash may lose the last few hundred milliseconds of commits, never corrupts.
synchronous_commit = off
EOF
  if is_root; then chown postgres: "$f"; fi
  chmod 600 "$f"
}

# psql as the cluster owner over the unix socket (peer authentication): used to manage the sambung role.
psql_owner() {
  as_pg_owner env PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_OWNER" "$@"
}

# psql as sambung over TCP with the password: exactly what the app does. Usage: psql_sambung DB [psql args...]
psql_sambung() {
  local db="$1"
  shift
  PGPASSWORD="$DB_PASSWORD" PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PG_PORT" -U "$SAMBUNG_DB_USER" -d "$db" "$@"
}

ensure_role() {
  # The password is checked to be [A-Za-z0-9._~-] (read_password), so it needs no escaping; it goes through
  # stdin, never the command line.
  psql_owner -d postgres -f - <<EOF
do \$\$ begin
  if not exists (select from pg_roles where rolname = '$SAMBUNG_DB_USER') then
    create role $SAMBUNG_DB_USER;
  end if;
end \$\$;
alter role $SAMBUNG_DB_USER with login superuser password '$DB_PASSWORD';
EOF
}

check_db_name() { [[ $1 =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name '$1'"; }

# Creates database NAME (owned by sambung) if it does not exist, with the vector extension.
ensure_database() {
  check_db_name "$1"
  local exists
  exists="$(psql_sambung postgres -tAc "select 1 from pg_database where datname = '$1'")"
  if [[ $exists != 1 ]]; then
    psql_sambung postgres -c "create database $1"
    log "created database $1"
  fi
  psql_sambung "$1" -c "create extension if not exists vector"
}

# Drops database NAME (disconnecting any session) and creates it afresh with the vector extension.
recreate_database() {
  check_db_name "$1"
  psql_sambung postgres -c "drop database if exists $1 with (force)"
  psql_sambung postgres -c "create database $1"
  psql_sambung "$1" -c "create extension vector"
}

vector_version() { psql_sambung "$1" -tAc "select extversion from pg_extension where extname = 'vector'"; }

# Initialises (once) and starts (unless running) the private cluster, then makes sure the sambung role and
# database exist. Sets PG_PORT and DB_PASSWORD for the caller.
start_db() {
  local t0
  t0="$(now_ms)"
  pg_locate
  pg_select_version || die "PostgreSQL is not installed; run ensure_prereqs (./run.sh does) first"
  pgvector_installed || die "pgvector is not installed for PostgreSQL $PG_MAJOR; run ensure_prereqs (./run.sh does) first"
  ensure_password
  pg_prepare_dirs
  init_cluster
  if db_running; then
    PG_PORT="$(running_port)"
    if [[ $PG_PORT != "$SAMBUNG_PG_PORT" ]]; then
      warn "the cluster is already running on port $PG_PORT, not $SAMBUNG_PG_PORT; using $PG_PORT (./run.sh stop, then start again to change it)"
    fi
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    PG_PORT="$SAMBUNG_PG_PORT"
    if port_in_use "$PG_PORT"; then
      die "port $PG_PORT on 127.0.0.1 is taken by another program; set SAMBUNG_PG_PORT to a free port"
    fi
    write_cluster_conf
    log "starting PostgreSQL $PG_MAJOR on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    # setsid: the server gets its own session, so Ctrl+C in the terminal (sent to the whole foreground process
    # group) stops the app but not the database.
    if ! as_pg_owner setsid -w "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 -s start; then
      tail -n 20 "$PG_LOG" >&2 || true
      die "PostgreSQL did not start (see $PG_LOG)"
    fi
  fi
  ensure_role
  ensure_database "$SAMBUNG_DB_NAME"
  log "database $SAMBUNG_DB_NAME ready (pgvector $(vector_version "$SAMBUNG_DB_NAME")) in $(elapsed "$t0" "$(now_ms)")s"
}

stop_db() {
  pg_locate
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    log "no cluster in $PGDATA_DIR: nothing to stop"
    return 0
  fi
  pg_select_version || die "PostgreSQL binaries not found"
  if db_running; then
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 -s stop
    log "PostgreSQL stopped"
  else
    log "PostgreSQL is not running"
  fi
}

# Prints the state of the cluster. Returns 0 when it runs, 3 when it does not (like pg_ctl status).
db_status() {
  pg_locate
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    log "PostgreSQL cluster: not initialised (./run.sh creates it in $PGDATA_DIR)"
    return 3
  fi
  pg_select_version || die "PostgreSQL binaries not found"
  local state=stopped rc=3
  if db_running; then
    state="running (pid $(head -n1 "$PGDATA_DIR/postmaster.pid"))"
    rc=0
  fi
  log "PostgreSQL $PG_MAJOR cluster: $state"
  log "  data:      $PGDATA_DIR (owner $PG_OWNER)"
  log "  log:       $PG_LOG"
  log "  password:  $SAMBUNG_PASSWORD_FILE"
  log "  pgvector:  $(pgvector_installed && echo installed || echo 'NOT installed')"
  if ((rc == 0)); then
    PG_PORT="$(running_port)"
    log "  listening: 127.0.0.1:$PG_PORT, socket folder $(sed -n 5p "$PGDATA_DIR/postmaster.pid")"
    log "  connect:   Host=127.0.0.1;Port=$PG_PORT;Database=$SAMBUNG_DB_NAME;Username=$SAMBUNG_DB_USER;Password=<in the password file>"
    if [[ -r $SAMBUNG_PASSWORD_FILE ]]; then
      read_password
      log "  databases: $(psql_sambung postgres -tAc "select string_agg(datname, ', ' order by datname) from pg_database where not datistemplate")"
    fi
  fi
  return "$rc"
}

# Npgsql connection string for the private cluster (without Database= when no argument is given).
connection_string() {
  local cs="Host=127.0.0.1;Port=$PG_PORT;"
  [[ -n ${1:-} ]] && cs+="Database=$1;"
  printf '%s\n' "${cs}Username=$SAMBUNG_DB_USER;Password=$DB_PASSWORD"
}

# ---------------------------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------------------------

SAMBUNG_APP_DIR="$SAMBUNG_BUILD/app"

publish_app() {
  local t0
  t0="$(now_ms)"
  log "publishing src/Sambung.Web (Release) to ${SAMBUNG_APP_DIR#"$SAMBUNG_ROOT"/}"
  rm -rf "$SAMBUNG_APP_DIR"
  dotnet publish "$SAMBUNG_ROOT/src/Sambung.Web/Sambung.Web.csproj" -c Release -o "$SAMBUNG_APP_DIR" --nologo ||
    die "dotnet publish failed"
  log "published in $(elapsed "$t0" "$(now_ms)")s"
}

# Replaces the shell with the app (so Ctrl+C reaches it directly). Needs start_db first (PG_PORT, DB_PASSWORD).
run_app() {
  local port="${PORT:-5080}" url
  url="http://127.0.0.1:$port"
  [[ -f $SAMBUNG_APP_DIR/Sambung.Web.dll ]] || die "$SAMBUNG_APP_DIR/Sambung.Web.dll is missing; publish_app first"
  port_in_use "$port" && die "port $port on 127.0.0.1 is taken; set PORT to a free port"
  ConnectionStrings__Sambung="$(connection_string "$SAMBUNG_DB_NAME")"
  ASPNETCORE_URLS="$url"
  ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
  ASPNETCORE_CONTENTROOT="$SAMBUNG_APP_DIR"
  # The app is served over plain HTTP on loopback here, where Secure cookies cannot work; behind HTTPS (a reverse
  # proxy) leave this unset so cookies are Secure.
  Sambung__SecureCookies="${Sambung__SecureCookies:-false}"
  export ConnectionStrings__Sambung ASPNETCORE_URLS ASPNETCORE_ENVIRONMENT ASPNETCORE_CONTENTROOT Sambung__SecureCookies
  log "starting Sambung ($ASPNETCORE_ENVIRONMENT) on $url; Ctrl+C stops it, the database keeps running (./run.sh stop)"
  # Announce the address once the app really accepts connections; gives up when the app ($$ after exec) exits.
  (
    local i
    for ((i = 0; i < 600; i++)); do
      kill -0 "$$" 2>/dev/null || exit 0
      if port_in_use "$port"; then
        log "Sambung is listening on $url"
        exit 0
      fi
      sleep 0.5
    done
  ) &
  cd "$SAMBUNG_APP_DIR"
  exec dotnet Sambung.Web.dll
}

# ---------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------

validate_compose() {
  local file="$SAMBUNG_ROOT/docker-compose.yml"
  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    docker compose -f "$file" config -q || die "docker compose config rejected docker-compose.yml"
    log "docker-compose.yml is valid (docker compose config)"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose -f "$file" config -q || die "docker-compose config rejected docker-compose.yml"
    log "docker-compose.yml is valid (docker-compose config)"
  else
    log "docker-compose.yml validation skipped: neither the docker compose plugin nor docker-compose is installed"
  fi
}

SAMBUNG_TEST_RESULTS="$SAMBUNG_BUILD/test-results"

# Every */TestResults/*.trx in the checkout (VSTest writes each test project's TRX into <project>/TestResults).
find_project_trx() {
  find "$SAMBUNG_ROOT" \( -path "$SAMBUNG_ROOT/.git" -o -path "$SAMBUNG_BUILD" -o -path "$SAMBUNG_DATA" \
    -o -name node_modules \) -prune -o -type f -path '*/TestResults/*.trx' -print
}

clear_test_results() {
  rm -rf "$SAMBUNG_TEST_RESULTS"
  mkdir -p "$SAMBUNG_TEST_RESULTS"
  find_project_trx | while IFS= read -r f; do rm -f "$f"; done
}

# The test project a TRX file belongs to: the assembly named by its first codeBase, else its folder's project.
trx_project_name() {
  local cb
  cb="$(grep -m1 -o 'codeBase="[^"]*"' "$1" || true)"
  cb="${cb%%$'\n'*}"
  if [[ -n $cb ]]; then
    cb="${cb#codeBase=\"}"
    cb="${cb%\"}"
    cb="${cb##*/}"
    printf '%s\n' "${cb%.dll}"
  else
    local d
    d="$(dirname "$(dirname "$1")")"
    printf '%s\n' "${d##*/}"
  fi
}

# Moves each project's TRX into .build/test-results/<Project>.trx. Each project writes into its own folder, so
# parallel projects can never overwrite each other's file (one shared --results-directory can race).
collect_trx() {
  local f name dest n
  while IFS= read -r f; do
    name="$(trx_project_name "$f")"
    dest="$SAMBUNG_TEST_RESULTS/$name.trx"
    n=2
    while [[ -e $dest ]]; do
      dest="$SAMBUNG_TEST_RESULTS/$name-$n.trx"
      n=$((n + 1))
    done
    mv "$f" "$dest"
  done < <(find_project_trx)
}

trx_attr() {
  local re=" $2=\"([0-9]+)\""
  if [[ $1 =~ $re ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; else printf '0\n'; fi
}

# trx_summarize FILE...: prints one line per TRX file and sets TRX_PASSED, TRX_FAILED, TRX_SKIPPED, TRX_FILES.
# From <Counters>: failed = failed + error + timeout + aborted; skipped = total - passed - failed (xUnit's skipped
# tests are not "executed", and VSTest does not count them in notExecuted). A run that did not complete
# (ResultSummary outcome Failed/Error/Aborted/Timeout, or no Counters) counts one failure even with no failed test.
# trx_text TAG NAME: a text attribute of a TRX tag (empty when absent).
trx_text() {
  local re=" $2=\"([^\"]*)\""
  if [[ $1 =~ $re ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; fi
}

# trx_failed_names FILE: the failed tests of one TRX file in the order they started, so the first failure (often the
# cause of the rest) is the first line even when only the tail of a CI log is kept.
trx_failed_names() {
  local line start test
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$1" | while IFS= read -r line; do
    start="$(trx_text "$line" startTime)"
    test="$(trx_text "$line" testName)"
    printf '%s\t%s\n' "$start" "$test"
  done | sort | head -n 40 | while IFS=$'\t' read -r start test; do
    printf '[sambung]     failed (started %s): %s\n' "${start:11:8}" "$test" >&2
  done
}

trx_summarize() {
  TRX_PASSED=0 TRX_FAILED=0 TRX_SKIPPED=0 TRX_FILES=0
  local f counters outcome name total passed failed skipped note
  for f in "$@"; do
    [[ -f $f ]] || continue
    TRX_FILES=$((TRX_FILES + 1))
    name="$(basename "$f" .trx)"
    counters="$(grep -m1 -o '<Counters [^>]*>' "$f" || true)"
    outcome="$(grep -m1 -o '<ResultSummary outcome="[A-Za-z]*"' "$f" || true)"
    outcome="${outcome##*outcome=\"}"
    outcome="${outcome%\"}"
    note=""
    if [[ -z $counters ]]; then
      total=0 passed=0 failed=1 skipped=0 note=" (no counters: the run did not finish)"
    else
      total="$(trx_attr "$counters" total)"
      passed="$(trx_attr "$counters" passed)"
      failed=$(($(trx_attr "$counters" failed) + $(trx_attr "$counters" error) + $(trx_attr "$counters" timeout) + $(trx_attr "$counters" aborted)))
      skipped=$((total - passed - failed))
      ((skipped < 0)) && skipped=0
      if ((failed == 0)) && [[ $outcome =~ ^(Failed|Error|Aborted|Timeout)$ ]]; then
        failed=1 note=" (run outcome $outcome)"
      fi
    fi
    printf '[sambung]   %-34s %d passed, %d failed, %d skipped%s\n' "$name" "$passed" "$failed" "$skipped" "$note" >&2
    if ((failed > 0)); then trx_failed_names "$f"; fi
    TRX_PASSED=$((TRX_PASSED + passed))
    TRX_FAILED=$((TRX_FAILED + failed))
    TRX_SKIPPED=$((TRX_SKIPPED + skipped))
  done
}
