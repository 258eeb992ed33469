#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL server for the test suite.
#
#   scripts/postgres-test-server.sh [start|stop|url] [DIR] [PORT]
#
# DIR defaults to $DAMAI_PG_DIR or /tmp/damai-pg, PORT to $DAMAI_PG_PORT or 54329 (the next free
# port is used when that one is taken by something else). `start` installs PostgreSQL with apt-get
# when it is missing (needs root), creates a cluster in DIR owned by the `postgres` user, listening
# on 127.0.0.1 only with trust auth, starts it and creates the database `damai_test`. Running it
# again while the server is up only prints the URL. Progress goes to stderr; the last line on
# stdout is the URL, so `export DAMAI_TEST_PG_URL=$(scripts/postgres-test-server.sh | tail -n 1)`.
# `stop` stops the server and keeps DIR; delete DIR to start from scratch.
set -euo pipefail

action=${1:-start}
dir=${2:-${DAMAI_PG_DIR:-/tmp/damai-pg}}
port=${3:-${DAMAI_PG_PORT:-54329}}
db=damai_test
data=$dir/data

log() { echo "postgres-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

pg_bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $found && -x $found/initdb && -x $found/pg_ctl ]]; then
        echo "$found"
    elif command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        dirname "$(command -v pg_ctl)"
    fi
}

install_postgres() {
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run this script as root or install it"
    log "installing PostgreSQL with apt-get"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
}

# Run a command as the cluster owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
    [[ -f $data/PG_VERSION ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/$db"
}

create_cluster() {
    log "creating a cluster in $data"
    mkdir -p "$dir"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "the system user 'postgres' is missing"
        chown postgres: "$dir"
    fi
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log"
    cat >>"$data/postgresql.conf" <<EOF
# damai test server: local only, fast, not durable
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

pick_port() {
    local candidate=$port
    while port_in_use "$candidate"; do
        log "port $candidate is taken; trying $((candidate + 1))"
        candidate=$((candidate + 1))
        ((candidate < port + 50)) || die "no free port between $port and $((port + 49))"
    done
    echo "$candidate" >"$dir/port"
}

start() {
    if is_running; then
        log "already running"
    else
        [[ -f $data/PG_VERSION ]] || create_cluster
        pick_port
        log "starting on 127.0.0.1:$(cat "$dir/port")"
        as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
            -o "-p $(cat "$dir/port")" start >&2 || die "could not start; see $dir/server.log"
    fi
    local p
    p=$(cat "$dir/port")
    if [[ -z $(as_owner "$bin/psql" -h 127.0.0.1 -p "$p" -U postgres -d postgres -XtAc \
            "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$p" -U postgres "$db"
    fi
    url
}

stop() {
    if is_running; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >&2
    else
        log "not running"
    fi
}

bin=$(pg_bindir)
if [[ -z $bin ]]; then
    [[ $action == stop ]] && { log "not running"; exit 0; }
    install_postgres
    bin=$(pg_bindir)
    [[ -n $bin ]] || die "initdb and pg_ctl are still missing after installing PostgreSQL"
fi

case $action in
    start) start ;;
    stop) stop ;;
    url) is_running || die "not running; run: $0 start"; url ;;
    *) die "unknown action '$action'; use start, stop or url" ;;
esac
