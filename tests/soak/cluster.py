"""The soak test's servers, and the proxies between them and the stores.

``Network`` puts a proxy (proxy.py) in front of every network address in
a backend's configuration, and in the pool catalogue when the backend is
pooled, so the servers reach every store through a proxy the test holds.
An embedded store (a SQLite file) has no address and gets no proxy.

``Cluster`` runs two HTTP servers over the same store, each a process
group of its own on a free loopback port:

* gunicorn with the shipped etc/gunicorn.conf.py and two workers;
* zaqar-server (its embedded gunicorn, one worker).
"""

import contextlib
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import requests

from tests.servers import free_port, wait_until
from tests.soak.proxy import Proxy

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
DEFAULT_PORTS = {'redis': 6379, 'postgresql': 5432, 'mysql': 3306, 'mongodb': 27017}
_ADDRESS = re.compile(r'^(?P<head>[a-z][a-z0-9+.]*://(?:[^@/?]*@)?)(?P<host>[^:/?,@]*)'
                      r'(?::(?P<port>\d+))?(?P<tail>[/?].*)?$', re.IGNORECASE)

# A store that is away answers 503 within seconds, not the minutes of the
# defaults meant for production (Redis: 10 attempts 1 s apart).
FAIL_FAST = {
    'drivers:message_store:redis': {'max_reconnect_attempts': 2, 'reconnect_sleep': 0.2},
    'drivers:management_store:redis': {'max_reconnect_attempts': 2,
                                       'reconnect_sleep': 0.2},
    'drivers:message_store:mongodb': {'max_reconnect_attempts': 1, 'reconnect_sleep': 0.1},
}
_ACCESS = re.compile(r'"(GET|HEAD|POST|PUT|PATCH|DELETE) /')
STARTUP = 60  # seconds for a server to answer


def split_address(uri):
    """(head, host, port, tail) of a one-host network URI; None without a host."""
    match = _ADDRESS.match(uri)
    if match is None or not match['host']:
        if '://' in uri and ',' in uri.split('://', 1)[1].split('?', 1)[0]:
            raise ValueError(f'several hosts in {uri}: give the soak test one')
        return None
    scheme = re.split(r'[+.]', match['head'].split(':', 1)[0].lower())[0]
    port = int(match['port']) if match['port'] else DEFAULT_PORTS[scheme]
    return match['head'], match['host'], port, match['tail'] or ''


class Network:
    """Proxies in front of every store a backend names."""

    def __init__(self, backend):
        self.original = backend
        self.proxies = []
        options = tuple((group, name, self._through_proxy(value))
                        for group, name, value in backend.options)
        self.backend = type(backend)(backend.entry_point, options)
        self._pools = {}  # name -> original uri, while rewritten
        self._reroute_pools()

    def _through_proxy(self, value):
        if not isinstance(value, str) or '://' not in value:
            return value
        address = split_address(value)
        if address is None:
            return value
        head, host, port, tail = address
        proxy = Proxy((host, port))
        self.proxies.append(proxy)
        return f'{head}127.0.0.1:{proxy.port}{tail}'

    def _management(self, backend):
        import zaqar.conf
        from zaqar import bootstrap

        conf = backend.configure(zaqar.conf.new(args=[]))
        if not conf.pooling:
            return None
        return bootstrap.load_driver(bootstrap.CONTROL_NAMESPACE,
                                     conf.drivers.management_store, conf)

    def _reroute_pools(self):
        """Point each network pool of the catalogue at a proxy (through the
        store directly, not the proxies)."""
        control = self._management(self.original)
        if control is None:
            return
        try:
            for pool in control.pools_controller.all():
                uri = self._through_proxy(pool['uri'])
                if uri != pool['uri']:
                    self._pools[pool['name']] = pool['uri']
                    control.pools_controller.update(pool['name'], uri=uri)
        finally:
            control.close()

    def close(self):
        for proxy in self.proxies:
            proxy.close()
        if self._pools:
            control = self._management(self.original)
            try:
                for name, uri in self._pools.items():
                    control.pools_controller.update(name, uri=uri)
            finally:
                control.close()


def config_text(backend, state_path, port):
    """zaqar.conf of a server on ``port`` over ``backend``."""
    sections = {'DEFAULT': {'state_path': state_path},
                'drivers': {'message_store': backend.entry_point},
                'drivers:transport:wsgi': {'port': port, 'workers': 1}}
    for group, options in FAIL_FAST.items():
        sections.setdefault(group, {}).update(options)
    for group, name, value in backend.options:
        sections.setdefault(group, {})[name] = value
    return ''.join(f'[{group}]\n' + ''.join(f'{k} = {v}\n' for k, v in options.items())
                   for group, options in sections.items())


class Server:
    """One HTTP server process group; ``url`` stays the same across restarts."""

    def __init__(self, name, argv, port, directory, env=None):
        self.name, self.argv, self.env = name, argv, env
        self.url = f'http://127.0.0.1:{port}'
        self.log = pathlib.Path(directory) / f'{name}.log'
        self.process = None
        self.kills = 0

    def start(self):
        self.spawn()
        self.wait_up()

    def spawn(self):
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **(self.env or {})}, start_new_session=True)

    def wait_up(self):
        try:
            wait_until(self._answers, STARTUP, interval=0.1, what=f'{self.name} to answer')
        except AssertionError:
            self.stop()
            raise AssertionError(self.tail()) from None

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f'{self.name} exited: {self.tail()}')
        try:
            requests.get(self.url + '/', timeout=2)
        except requests.RequestException:
            return False
        return True

    def tail(self, size=3000):
        """The end of the log, without the access log's lines."""
        lines = self.log.read_text(errors='replace').splitlines()
        return '\n'.join(line for line in lines if not _ACCESS.search(line))[-size:]

    def workers(self):
        """Pids of the master's children (gunicorn workers)."""
        pid = self.process.pid
        try:
            text = pathlib.Path(f'/proc/{pid}/task/{pid}/children').read_text()
        except OSError:
            return []
        return [int(child) for child in text.split()]

    def kill_worker(self):
        """SIGKILL one worker; return once the master has another one that
        answers."""
        before = self.workers()
        os.kill(before[0], signal.SIGKILL)
        self.kills += 1
        wait_until(lambda: len(set(self.workers()) - set(before)) >= 1, STARTUP,
                   what=f'{self.name} to replace worker {before[0]}')
        wait_until(self._answers, STARTUP, what=f'{self.name} to answer')

    def kill(self):
        """SIGKILL the whole process group (master and workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.kills += 1

    def terminate(self):
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self):
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
        # Workers of a master killed earlier may linger a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Cluster:
    """gunicorn (two workers) and zaqar-server over one backend."""

    def __init__(self, backend, directory):
        directory = pathlib.Path(directory)
        config = directory / 'zaqar.conf'
        port, gunicorn_port = free_port(), free_port()
        config.write_text(config_text(backend, directory, port))
        self.gunicorn = Server(
            'gunicorn', [str(BIN / 'gunicorn'), '-c', str(ROOT / 'etc' / 'gunicorn.conf.py'),
                         '--bind', f'127.0.0.1:{gunicorn_port}', '--workers', '2',
                         '--threads', '4', '--chdir', str(directory)],
            gunicorn_port, directory, env={'ZAQAR_CONFIG_FILE': str(config)})
        self.zaqar_server = Server('zaqar-server', [str(BIN / 'zaqar-server'),
                                                    '--config-file', str(config)],
                                   port, directory)
        self.servers = [self.gunicorn, self.zaqar_server]

    @property
    def urls(self):
        return [server.url for server in self.servers]

    def __enter__(self):
        try:
            for server in self.servers:
                server.spawn()
            for server in self.servers:
                server.wait_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            server.stop()

    def logs(self):
        return '\n'.join(f'--- {s.name}\n{s.tail()}' for s in self.servers)


def wait_healthy(url, project, timeout):
    """Seconds until ``url`` serves a read from the store again."""
    started = time.monotonic()
    headers = {'Client-ID': 'b6c7a4e8-0000-4000-8000-000000000001', 'X-Project-ID': project}

    def healthy():
        try:
            return requests.get(f'{url}/v2/queues/soak-0/stats', headers=headers,
                                timeout=10).status_code == 200
        except requests.RequestException:
            return False

    wait_until(healthy, timeout, interval=0.2, what=f'{url} to serve again')
    return time.monotonic() - started
