"""A real Keystone for the functional tests: the session fixture ``keystone``.

Keystone (the PyPI release pinned in tools/run-tests.sh) lives in a venv of
its own, ``.venv-keystone`` at the repository root (or ZAQAR_TEST_KEYSTONE_VENV),
so its dependency pins never move ours. Without it the fixture skips, or
fails under CI=true (tests/conftest.py ``require_service``).

Each session (each xdist worker) gets its own Keystone in a tmp dir: SQLite
database, fernet tokens, ``keystone-manage db_sync`` and ``bootstrap``,
served by gunicorn (which inherits its listening socket on 127.0.0.1, so
no port race) with keystone's own cache in memory (``_write_config``: not
keystonemiddleware's, revocation still counts at once), then filled over
REST:

    persona    user       project   role (keystone adds the implied ones)
    admin      admin      admin     admin   (-> manager -> member -> reader)
    member_a   member_a   zaqar-a   member  (-> reader)
    reader_a   reader_a   zaqar-a   reader
    member_b   member_b   zaqar-b   member  (-> reader)
    (service)  zaqar      service   service

The service user needs only ``service``: keystone's default policy for
``identity:validate_token`` is admin, system reader, ``role:service`` or the
token's own subject.

Expired tokens: a second gunicorn on the same database and the same fernet
key repository, whose keystone.conf differs only in ``[token] expiration =
2``, is started on first use. A token it issues is signed with the shared
keys, so the main Keystone knows it; ``expired_token`` waits until the token's
``expires_at`` has passed, after which Keystone answers 404 to its validation.

Quirks met on the way: keystone parses ``sys.argv`` with oslo.config when its
WSGI app is built, so gunicorn's own arguments make the worker exit; the app
is therefore loaded from a three-line shim that clears ``sys.argv``. The
auth receipts key repository defaults to /etc/keystone/fernet-keys, which
``fernet_setup`` creates too: it is pointed at the tmp dir. The app's
worker exits at start while the fernet key repository is missing or empty,
so gunicorn starts once ``fernet_setup`` is done. gunicorn >= 27 opens a
control socket in ~/.gunicorn unless told ``--no-control-socket``. The
keystone-manage commands run in children forked from one python that
imported keystone once: each keystone-manage process spends over a second
of CPU on imports alone.
"""

import dataclasses
import datetime
import grp
import json
import os
import pathlib
import pwd
import secrets
import signal
import socket
import subprocess
import time

import pytest
import requests

from tests.conftest import require_service

REPO = pathlib.Path(__file__).resolve().parents[1]
VENV = pathlib.Path(os.environ.get('ZAQAR_TEST_KEYSTONE_VENV', REPO / '.venv-keystone'))
DOMAIN = 'default'
REGION = 'RegionOne'
EXPIRING_TOKEN_SECONDS = 2
SERVICE_USER, SERVICE_PROJECT, SERVICE_ROLE = 'zaqar', 'service', 'service'


@dataclasses.dataclass(frozen=True)
class Persona:
    user: str
    project: str
    role: str


PERSONAS = {
    'admin': Persona('admin', 'admin', 'admin'),
    'member_a': Persona('member_a', 'zaqar-a', 'member'),
    'reader_a': Persona('reader_a', 'zaqar-a', 'reader'),
    'member_b': Persona('member_b', 'zaqar-b', 'member'),
}

_WSGI_SHIM = '''\
import sys

sys.argv = sys.argv[:1]  # keystone's oslo.config would parse gunicorn's argv

from keystone.server.wsgi import initialize_public_application  # noqa: E402

application = initialize_public_application()
'''


# keystone-manage, imported once: argv[1] is JSON [[[log, name, args], ...], ...],
# stages of commands run at once; prints 'done N' after the Nth stage.
_MANAGE = '''\
import json, os, sys, traceback

from keystone.cmd import cli


def spawn(log, args):
    pid = os.fork()
    if pid:
        return pid
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        code = cli.main(argv=['keystone-manage', *args]) or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


done = 0
for stage in json.loads(sys.argv[1]):
    pids = {spawn(log, args): name for log, name, args in stage}
    failed = [name for pid, name in pids.items()
              if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])]
    if failed:
        sys.exit('failed: ' + ', '.join(failed))
    done += 1
    print('done', done, flush=True)
'''


def _listener():
    """A socket listening on a free port, for gunicorn to inherit: no other
    process can take the port between our choosing it and gunicorn's start."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(128)
    return sock


def _tail(path, lines=60):
    try:
        return '\n'.join(pathlib.Path(path).read_text().splitlines()[-lines:])
    except OSError:
        return ''


def _parse_time(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


class _Gunicorn:
    """One gunicorn serving keystone with one config file of the state dir."""

    def __init__(self, state, config_name, sock):
        self.url = f'http://127.0.0.1:{sock.getsockname()[1]}'
        self.log_path = state / f'{config_name}.log'
        env = dict(os.environ, OS_KEYSTONE_CONFIG_DIR=str(state),
                   OS_KEYSTONE_CONFIG_FILES=config_name)
        self._log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [str(VENV / 'bin' / 'gunicorn'), '--no-control-socket',
             '--pythonpath', str(state), '--bind', f'fd://{sock.fileno()}',
             '--workers', '1', '--threads', '4', '--timeout', '120',
             'keystone_wsgi:application'],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=state,
            pass_fds=(sock.fileno(),))
        sock.close()

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'keystone exited:\n{_tail(self.log_path)}')
            try:
                if requests.get(self.url + '/v3', timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f'keystone did not answer in {timeout}s:\n{_tail(self.log_path)}')

    def signal_stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown

    def stop(self):
        self.signal_stop()
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class KeystoneServer:
    """A running keystone, its projects, users and tokens."""

    def __init__(self, state):
        self.state = state
        self._sock = _listener()
        self.port = self._sock.getsockname()[1]
        self.url = f'http://127.0.0.1:{self.port}'
        self.auth_url = self.url + '/v3'
        self.region = REGION
        self._passwords = {p.user: secrets.token_urlsafe(16) for p in PERSONAS.values()}
        self._passwords[SERVICE_USER] = secrets.token_urlsafe(16)
        self._projects = {}
        self._users = {}
        self._roles = {}
        self._server = None
        self._expiring = None
        self._cached = {}  # user -> (token, issued at monotonic)
        self.startup_seconds = None

    # -- setup -------------------------------------------------------------

    def start(self):
        began = time.monotonic()
        self._write_config()
        owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                 '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
        endpoints = [arg for interface in ('public', 'internal', 'admin')
                     for arg in (f'--bootstrap-{interface}-url', self.url)]
        # Keystone's app exits at start without fernet keys; once they and
        # the tables exist, gunicorn loads it (a second or two of imports)
        # while bootstrap fills the database.
        self._manage(
            [['fernet_setup', *owner], ['credential_setup', *owner], ['db_sync']],
            self._launch,
            [['bootstrap', '--bootstrap-username', 'admin',
              # One argument: a password may start with '-', which
              # keystone-manage's parser would take for an option.
              f"--bootstrap-password={self._passwords['admin']}",
              '--bootstrap-project-name', 'admin', '--bootstrap-role-name', 'admin',
              '--bootstrap-service-name', 'keystone', '--bootstrap-region-id', REGION,
              *endpoints]])
        self._server.wait_until_up()
        self._populate()
        self.startup_seconds = time.monotonic() - began

    def _launch(self):
        self._server = _Gunicorn(self.state, 'keystone.conf', self._sock)

    def stop(self):
        servers = [server for server in (self._expiring, self._server) if server]
        for server in servers:  # both shut down at once: a second each
            server.signal_stop()
        for server in servers:
            server.stop()
        self._sock.close()  # closed already, unless start failed before gunicorn

    def _write_config(self, name='keystone.conf', expiration=3600, cache=True):
        """keystone.conf, or the expiring keystone's variant of it.

        Keystone's own cache (in memory, of the one worker process that
        takes every write, so its invalidations cover every change made over
        the API, revocations included) takes a validation from 300 ms of
        SQL to 3 ms and a token from 100 ms to 10 ms. It is not
        keystonemiddleware's cache: a revoked token is refused at once.
        """
        s = self.state
        (s / name).write_text(
            '[DEFAULT]\n'
            'debug = false\n'
            '[database]\n'
            f'connection = sqlite:///{s / "keystone.sqlite"}\n'
            '[token]\n'
            'provider = fernet\n'
            f'expiration = {expiration}\n'
            '[fernet_tokens]\n'
            f'key_repository = {s / "fernet-keys"}\n'
            '[fernet_receipts]\n'
            f'key_repository = {s / "fernet-keys"}\n'
            '[credential]\n'
            f'key_repository = {s / "credential-keys"}\n'
            '[cache]\n'
            f'enabled = {str(cache).lower()}\n'
            'backend = dogpile.cache.memory\n'
            '[identity]\n'
            '# bcrypt at its cheapest: every token request checks a password\n'
            'password_hash_rounds = 4\n')
        (s / 'keystone_wsgi.py').write_text(_WSGI_SHIM)

    def _manage(self, *plan):
        """keystone-manage commands: a stage's at once, the stages in turn.

        ``plan`` holds stages (lists of commands) and callables, called once
        the stages before them are done. One python imports keystone once
        and forks a child per command that calls what keystone-manage calls
        (``keystone.cmd.cli.main``): a keystone-manage process per command
        would spend over a second of CPU on the same imports each time.
        """
        config = ['--config-file', str(self.state / 'keystone.conf')]
        stages = [[[str(self.state / f'keystone-manage-{cmd[0]}.log'), cmd[0], [*config, *cmd]]
                   for cmd in step] for step in plan if not callable(step)]
        after, count = {}, 0  # stages done -> callables to call then
        for step in plan:
            if callable(step):
                after.setdefault(count, []).append(step)
            else:
                count += 1
        log = self.state / 'keystone-manage.log'
        with open(log, 'w') as err:
            proc = subprocess.Popen(
                [str(VENV / 'bin' / 'python'), '-c', _MANAGE, json.dumps(stages)],
                cwd=self.state, stdout=subprocess.PIPE, stderr=err, text=True)
            try:
                for line in proc.stdout:  # 'done N' after each stage
                    for call in after.get(int(line.split()[1]), ()):
                        call()
            except BaseException:
                proc.kill()
                raise
            finally:
                proc.stdout.close()
                proc.wait()
        if proc.returncode:
            logs = ''.join(f'\n--- {path}\n{_tail(path)}'
                           for step in stages for path, _, _ in step)
            raise RuntimeError(f'keystone-manage failed:\n{_tail(log)}{logs}')

    def _api(self, method, path, expect, **kwargs):
        headers = {'X-Auth-Token': self._cached_token('admin')}
        resp = requests.request(method, self.auth_url + path, headers=headers,
                                timeout=30, **kwargs)
        if resp.status_code not in expect:
            raise RuntimeError(f'{method} {path}: {resp.status_code} {resp.text}')
        return resp.json() if resp.content else None

    def _populate(self):
        for role in self._api('GET', '/roles', (200,))['roles']:
            self._roles[role['name']] = role['id']
        for name in ('member', 'reader', 'service'):
            if name not in self._roles:
                body = {'role': {'name': name}}
                self._roles[name] = self._api('POST', '/roles', (201,), json=body)['role']['id']
        for project in self._api('GET', '/projects', (200,))['projects']:
            self._projects[project['name']] = project['id']
        for name in ('zaqar-a', 'zaqar-b', SERVICE_PROJECT):
            if name not in self._projects:
                body = {'project': {'name': name, 'domain_id': DOMAIN}}
                self._projects[name] = self._api(
                    'POST', '/projects', (201,), json=body)['project']['id']
        self._users['admin'] = self._api(
            'GET', '/users', (200,), params={'name': 'admin'})['users'][0]['id']
        grants = [(p.user, p.project, p.role) for p in PERSONAS.values() if p.user != 'admin']
        grants.append((SERVICE_USER, SERVICE_PROJECT, SERVICE_ROLE))
        for user, project, role in grants:
            body = {'user': {'name': user, 'domain_id': DOMAIN,
                             'password': self._passwords[user]}}
            self._users[user] = self._api('POST', '/users', (201,), json=body)['user']['id']
            self._api('PUT', f'/projects/{self._projects[project]}/users/'
                      f'{self._users[user]}/roles/{self._roles[role]}', (204,))

    # -- tokens ------------------------------------------------------------

    def _issue(self, url, user, project):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'id': DOMAIN},
                'password': self._passwords[user]}}},
            'scope': {'project': {'name': project, 'domain': {'id': DOMAIN}}}}}
        resp = requests.post(url + '/v3/auth/tokens', json=body, timeout=30)
        if resp.status_code != 201:
            raise RuntimeError(f'token for {user}: {resp.status_code} {resp.text}')
        return resp.headers['X-Subject-Token'], resp.json()['token']

    def _cached_token(self, user):
        """A token of the admin or service user for the harness's own calls."""
        token, issued = self._cached.get(user, (None, 0))
        if token is None or time.monotonic() - issued > 600:
            project = 'admin' if user == 'admin' else SERVICE_PROJECT
            token, _ = self._issue(self.url, user, project)
            self._cached[user] = (token, time.monotonic())
        return token

    def token(self, persona):
        """A fresh token of the persona, scoped to the persona's project."""
        p = PERSONAS[persona]
        return self._issue(self.url, p.user, p.project)[0]

    def validate(self, token):
        """GET /v3/auth/tokens as the service user: keystonemiddleware's call."""
        return requests.get(self.auth_url + '/auth/tokens', timeout=30, headers={
            'X-Auth-Token': self._cached_token(SERVICE_USER), 'X-Subject-Token': token})

    def revoke(self, token):
        """DELETE /v3/auth/tokens: the token is refused from now on."""
        resp = requests.delete(self.auth_url + '/auth/tokens', timeout=30, headers={
            'X-Auth-Token': self._cached_token('admin'), 'X-Subject-Token': token})
        if resp.status_code != 204:
            raise RuntimeError(f'revoke: {resp.status_code} {resp.text}')

    def expired_token(self, persona):
        """A token this keystone signed whose expiry has already passed.

        Issued by a second keystone on the same database and keys whose
        tokens live EXPIRING_TOKEN_SECONDS; returns once it has expired.
        """
        if self._expiring is None:
            # No cache: it takes no writes, so would miss their invalidations.
            self._write_config('keystone-expiring.conf', EXPIRING_TOKEN_SECONDS, cache=False)
            self._expiring = _Gunicorn(self.state, 'keystone-expiring.conf', _listener())
            self._expiring.wait_until_up()
        p = PERSONAS[persona]
        token, body = self._issue(self._expiring.url, p.user, p.project)
        expires_at = _parse_time(body['expires_at'])
        while (wait := (expires_at - datetime.datetime.now(datetime.UTC)).total_seconds()) > -0.2:
            time.sleep(wait + 0.25)
        return token

    # -- for the service under test ----------------------------------------

    def project_id(self, name):
        return self._projects[name]

    def user_id(self, name):
        return self._users[name]

    def credentials(self, persona):
        """Password credentials of the persona (for clients that log in)."""
        p = PERSONAS[persona]
        return {'auth_url': self.auth_url, 'username': p.user,
                'password': self._passwords[p.user], 'project_name': p.project,
                'user_domain_id': DOMAIN, 'project_domain_id': DOMAIN}

    def authtoken_options(self):
        """The ``[keystone_authtoken]`` options for keystonemiddleware 13."""
        return {
            'www_authenticate_uri': self.auth_url,
            'auth_url': self.auth_url,
            'auth_type': 'password',
            'username': SERVICE_USER,
            'password': self._passwords[SERVICE_USER],
            'project_name': SERVICE_PROJECT,
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
            'region_name': REGION,
            # No memcached_servers: the in-process cache, whose entries put
            # there with -1 are already expired when next read. So every
            # request validates with keystone and a revocation counts at once.
            'token_cache_time': '-1',
        }


@pytest.fixture(scope='session')
def keystone(tmp_path_factory):
    """A real keystone for this session; see the module docstring."""
    missing = [tool for tool in ('keystone-manage', 'gunicorn')
               if not os.access(VENV / 'bin' / tool, os.X_OK)]
    if missing:
        require_service('keystone', f'{", ".join(missing)} not in {VENV}: '
                        'tools/run-tests.sh installs keystone there')
    server = KeystoneServer(tmp_path_factory.mktemp('keystone'))
    try:
        server.start()
        yield server
    finally:
        server.stop()
