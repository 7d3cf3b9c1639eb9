# shellcheck shell=bash
# DevStack's helper functions, stubbed for tests/devstack: each one that
# acts records its call in $CALLS (one line, arguments joined by '|'); iniset
# really writes the file, with Python's configparser, so the tests can read
# the zaqar.conf the plugin writes. The stubs do what DevStack's functions
# do to the files the plugin relies on, no more.
#
# The test sets: CALLS, PYTHON, STUB_BIN, DATABASE_URL_BASE, ENABLED_SERVICES
# and the DevStack variables the plugin reads (DEST, SERVICE_HOST, ...).

record() {
    local IFS='|'
    echo "$*" >>"$CALLS"
}

iniset() {
    record iniset "$@"
    "$PYTHON" - "$@" <<'PY'
import configparser, sys
path, section, option, value = sys.argv[1:5]
# [DEFAULT] as a section like the others: no inheritance into the rest.
parser = configparser.RawConfigParser(strict=False, default_section='\0')
parser.optionxform = str
parser.read(path)
if not parser.has_section(section):
    parser.add_section(section)
parser.set(section, option, value)
with open(path, 'w') as stream:
    parser.write(stream)
PY
}

is_service_enabled() {
    local service
    for service in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$service,"* ]] && return 0
    done
    return 1
}

enable_service() { ENABLED_SERVICES+=",$1"; }
is_fedora() { [[ "${DISTRO_FAMILY:-debian}" == fedora ]]; }
get_python_exec_prefix() { echo "$STUB_BIN"; }
generate_hex_string() { printf '%0*d' $(($1 * 2)) 0; }
echo_summary() { :; }
sudo() { "$@"; }

die() {
    record die "$@"
    echo "die: $*" >&2
    exit 1
}

setup_develop() { record setup_develop "$@"; }
pip_install() { record pip_install "$@"; }
install_package() { record install_package "$@"; }
restart_service() { record restart_service "$@"; }
git_clone() { record git_clone "$@"; }
recreate_database() { record recreate_database "$@"; }
database_connection_url() { echo "$DATABASE_URL_BASE/$1"; }
create_service_user() { record create_service_user "$@"; }
run_process() { record run_process "$@"; }
stop_process() { record stop_process "$@"; }
wait_for_service() { record wait_for_service "$@"; }
remove_uwsgi_config() { record remove_uwsgi_config "$@"; }

get_or_create_service() {
    record get_or_create_service "$@"
    echo 5e2b4c7d9a1f4e3b8c6d0a9f8e7d6c5b
}

get_or_create_endpoint() {
    record get_or_create_endpoint "$@"
    echo 0f1e2d3c4b5a69788796a5b4c3d2e1f0
}

# lib/keystone: the service credentials that validate tokens.
configure_keystone_authtoken_middleware() {
    record configure_keystone_authtoken_middleware "$@"
    local conf=$1 user=$2 section=${3:-keystone_authtoken}
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}

# lib/apache: a fresh uWSGI ini serving a module, on HTTP when asked.
write_uwsgi_config() {
    record write_uwsgi_config "$@"
    local conf=$1 wsgi=$2 http=$4
    rm -f "$conf"
    iniset "$conf" uwsgi module "$wsgi"
    iniset "$conf" uwsgi processes "$API_WORKERS"
    iniset "$conf" uwsgi master true
    iniset "$conf" uwsgi die-on-term true
    iniset "$conf" uwsgi enable-threads true
    iniset "$conf" uwsgi lazy-apps true
    if [[ -n "$http" ]]; then
        iniset "$conf" uwsgi http "$http"
    fi
}
