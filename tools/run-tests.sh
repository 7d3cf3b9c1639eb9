#!/usr/bin/env bash
# Install everything, make sure every service the tests need is running,
# then run the whole test suite. Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

log() { printf '==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    log "installing $* from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
    echo "service on port $1 did not start" >&2; return 1
}

ensure_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtual environment $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    log "installing zaqar with its test extras"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e '.[test,postgresql,mysql,redis,mongodb]'
}

ensure_keystone() {
    # A real Keystone for the functional tests (tests/keystone_server.py), in a
    # venv of its own so that its pins never move ours.
    local kvenv=${ZAQAR_TEST_KEYSTONE_VENV:-.venv-keystone}
    if [ ! -x "$kvenv/bin/python" ]; then
        log "creating virtual environment $kvenv for keystone"
        "$VENV/bin/python" -m venv "$kvenv"
    fi
    "$kvenv/bin/pip" install -q keystone==30.0.0 gunicorn==27.0.1
}

ensure_zaqarclient_v1() {
    # python-zaqarclient 3.0.1, the last release with a v1.1 client, for
    # tests/functional/test_zaqarclient_v1_1.py: in a venv of its own, since
    # the test extras install the current client.
    local venv=${ZAQAR_TEST_ZAQARCLIENT_V1_VENV:-.venv-zaqarclient-v1}
    if [ ! -x "$venv/bin/python" ]; then
        log "creating virtual environment $venv for python-zaqarclient 3.0.1"
        "$VENV/bin/python" -m venv "$venv"
    fi
    "$venv/bin/pip" install -q python-zaqarclient==3.0.1
}

ensure_fuzz() {
    # schemathesis, for tests/fuzz (it drives a real zaqar-server over HTTP),
    # in a venv of its own: its many pins must not move ours.
    local fvenv=${ZAQAR_TEST_FUZZ_VENV:-.venv-fuzz}
    if [ ! -x "$fvenv/bin/python" ]; then
        log "creating virtual environment $fvenv for schemathesis"
        "$VENV/bin/python" -m venv "$fvenv"
    fi
    if ! "$fvenv/bin/python" -c 'import schemathesis' 2>/dev/null; then
        log "installing schemathesis into $fvenv"
        "$fvenv/bin/pip" install -q 'schemathesis>=4.3,<5'
    fi
}

ensure_postgresql() {
    if [ -n "${ZAQAR_TEST_POSTGRESQL_URL:-}" ]; then return; fi
    if ! port_open 5432; then
        command -v pg_ctlcluster >/dev/null || apt_install postgresql
        log "starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start
        wait_port 5432
    fi
    if ! PGCONNECT_TIMEOUT=3 psql -w -h 127.0.0.1 -U postgres -d postgres -c 'select 1' \
            >/dev/null 2>&1; then
        # A stock Debian server asks for a password over TCP: give the test role one.
        log "setting a password for the postgres role"
        as_root runuser -u postgres -- psql -qc "ALTER ROLE postgres PASSWORD 'zaqar'"
        export ZAQAR_TEST_POSTGRESQL_URL='postgresql://postgres:zaqar@127.0.0.1:5432/postgres'
    fi
}

ensure_mysql() {
    if [ -n "${ZAQAR_TEST_MYSQL_URL:-}" ]; then return; fi
    if ! port_open 3306; then
        command -v mariadbd >/dev/null || apt_install mariadb-server
        log "starting MariaDB"
        as_root mkdir -p /run/mysqld
        as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
        as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
        wait_port 3306
    fi
    if ! "$VENV/bin/python" -c 'import pymysql; pymysql.connect(host="127.0.0.1", user="root",
            connect_timeout=3)' >/dev/null 2>&1; then
        # A stock Debian server lets root in by its Unix socket only: make a
        # test user that may create databases over TCP.
        log "creating the MariaDB user zaqar for the tests"
        as_root mariadb -e "CREATE USER IF NOT EXISTS 'zaqar'@'127.0.0.1' IDENTIFIED BY 'zaqar';
            GRANT ALL PRIVILEGES ON *.* TO 'zaqar'@'127.0.0.1';"
        export ZAQAR_TEST_MYSQL_URL='mysql+pymysql://zaqar:zaqar@127.0.0.1:3306/mysql'
    fi
}

ensure_redis() {
    # tests/redis start redis-server processes of their own: the binary is
    # needed even when a server already answers.
    command -v redis-server >/dev/null || apt_install redis-server
    if [ -n "${ZAQAR_TEST_REDIS_URL:-}" ] || port_open 6379; then return; fi
    log "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
        --dir /tmp --logfile /tmp/zaqar-test-redis.log
    wait_port 6379
}

python313() {
    # A pyenv shim is on PATH even for versions it does not activate:
    # try each candidate, not just its name.
    local candidate
    for candidate in python3.13 python3.14 python3.15 \
            "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' \
                >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_mongoeco() {
    # No mongod can be installed here: the MongoDB tests run against
    # mongoeco, a MongoDB wire-protocol server that needs Python 3.13+, in
    # a virtual environment of its own (tests/mongodb/servers.py starts it).
    local venv=.venv-mongoeco python
    if [ ! -x "$venv/bin/python" ]; then
        if ! python=$(python313); then
            echo "no Python 3.13 or newer (python3.13 on PATH, or under" \
                 "${PYENV_ROOT:-$HOME/.pyenv}/versions): the MongoDB tests need one" \
                 "for mongoeco" >&2
            exit 1
        fi
        log "creating $venv with $python for mongoeco"
        "$python" -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c 'import mongoeco.wire, bson' 2>/dev/null; then
        log "installing mongoeco into $venv"
        "$venv/bin/pip" install -q 'mongoeco[wire]>=4.11,<5'
    fi
}

ensure_python
ensure_keystone
ensure_zaqarclient_v1
ensure_fuzz
ensure_postgresql
ensure_mysql
ensure_redis
ensure_mongoeco
log "running the tests"
exec "$VENV/bin/python" -m pytest -n 2 "$@"
