"""Servers for benchmarks/compare.py: Redis, gunicorn targets, stores.

Every process here is started by us, on a free loopback port, and stopped
by its own pid. Shared services are touched only in what we create: the
compare run's own Redis (or the db numbers named for it on another one),
its own PostgreSQL database (dropped at the end).
"""

import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
UPSTREAM_VERSION = '23.0.1'
UWSGI_VERSION = '2.0.31'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for_http(port, timeout, process=None, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
            conn.request('GET', '/v2/')
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    tail = pathlib.Path(log).read_text(errors='replace')[-3000:] if log else ''
    raise RuntimeError(f'server on port {port} did not answer\n{tail}')


def stop(process, timeout=15):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Redis:
    """A redis-server of our own (no persistence), or an existing one."""

    def __init__(self, workdir, url=None):
        self.process = None
        if url:
            self.url = url.rstrip('/')
            return
        port = free_port()
        self.process = subprocess.Popen(
            ['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--save', '',
             '--appendonly', 'no', '--dir', str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f'redis://127.0.0.1:{port}'
        deadline = time.monotonic() + 10
        while not self._ping():
            if time.monotonic() > deadline:
                raise RuntimeError('redis-server did not start')
            time.sleep(0.1)

    def _ping(self):
        try:
            return self.client(0).ping()
        except Exception:  # noqa: BLE001 - redis.ConnectionError while it starts
            return False

    def client(self, db):
        import redis

        return redis.Redis.from_url(f'{self.url}/{db}')

    def flush(self, db):
        """Empty database ``db`` only."""
        client = self.client(db)
        client.flushdb()
        client.close()

    def close(self):
        if self.process:
            stop(self.process)


class Server:
    """One target: a WSGI app served from ``venv`` by a process tree whose
    root we started; subclasses say how to start it."""

    def __init__(self, name, venv, app, workdir, workers, threads, env=None,
                 pythonpath=None):
        self.name, self.port = name, free_port()
        self.log = pathlib.Path(workdir) / f'{name}.log'
        argv = self.argv(pathlib.Path(venv), app, pathlib.Path(workdir), workers, threads,
                         pythonpath)
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        wait_for_http(self.port, 90, self.process, self.log)
        self.url = f'http://127.0.0.1:{self.port}'

    def argv(self, venv, app, workdir, workers, threads, pythonpath):
        raise NotImplementedError

    def worker_pids(self):
        """The processes that serve requests: the root's children."""
        children = pathlib.Path(f'/proc/{self.process.pid}/task/{self.process.pid}/children')
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self):
        """User + system CPU time of the serving processes so far."""
        ticks = 0
        for pid in self.worker_pids():
            fields = pathlib.Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf('SC_CLK_TCK')

    def worker_rss_kib(self):
        """{pid: VmRSS in KiB} of the serving processes."""
        sizes = {}
        for pid in self.worker_pids():
            for line in pathlib.Path(f'/proc/{pid}/status').read_text().splitlines():
                if line.startswith('VmRSS:'):
                    sizes[pid] = int(line.split()[1])
        return sizes

    def close(self):
        stop(self.process)


class Gunicorn(Server):
    """gunicorn's gthread worker: keep-alive connections, a thread pool."""

    def argv(self, venv, app, workdir, workers, threads, pythonpath):
        argv = [str(venv / 'bin' / 'gunicorn'), '--workers', str(workers),
                '--worker-class', 'gthread', '--threads', str(threads),
                '--keep-alive', '60', '--bind', f'127.0.0.1:{self.port}',
                '--control-socket', str(workdir / f'{self.name}.ctl'),
                '--log-level', 'warning']
        if pythonpath:
            argv += ['--pythonpath', str(pythonpath)]
        return argv + [app]


class Uwsgi(Server):
    """uWSGI, as upstream deploys Zaqar: its HTTP router (one C process,
    keep-alive with clients) in front of worker processes, each with a
    thread pool; the app is loaded in each worker after the fork."""

    def argv(self, venv, app, workdir, workers, threads, pythonpath):
        module, _, callable_ = app.partition(':')
        argv = [str(venv / 'bin' / 'uwsgi'), '--master', '--die-on-term', '--lazy-apps',
                '--http', f'127.0.0.1:{self.port}', '--http-keepalive',
                '--processes', str(workers), '--threads', str(threads),
                '--virtualenv', str(venv), '--module', module, '--callable', callable_,
                '--disable-logging', '--listen', '1024']
        if pythonpath:
            argv += ['--pythonpath', str(pythonpath)]
        return argv


SERVERS = {'gunicorn': Gunicorn, 'uwsgi': Uwsgi}


def write_ours_config(workdir, name, store, uri, extra=''):
    path = pathlib.Path(workdir) / f'{name}.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {workdir}\n{extra}'
                    f'[drivers]\nmessage_store = {store}\n'
                    f'[drivers:message_store:{store}]\nuri = {uri}\n')
    return path


def write_upstream_home(workdir, redis_uri):
    """Upstream's app reads ~/.zaqar/zaqar.conf among oslo.config's default
    places: the server runs with HOME pointing here."""
    home = pathlib.Path(workdir) / 'upstream-home'
    (home / '.zaqar').mkdir(parents=True, exist_ok=True)
    (home / '.zaqar' / 'zaqar.conf').write_text(
        '[drivers]\ntransport = wsgi\nmessage_store = redis\nmanagement_store = redis\n'
        f'[drivers:message_store:redis]\nuri = {redis_uri}\n'
        f'[drivers:management_store:redis]\nuri = {redis_uri}\n'
        '[profiler]\nenabled = false\n')
    return home


def ensure_upstream_venv(venv, log):
    """A virtualenv with zaqar==UPSTREAM_VERSION, redis and our gunicorn's
    version; made once, reused while it answers with that version."""
    venv = pathlib.Path(venv)
    python = venv / 'bin' / 'python'
    probe = 'import importlib.metadata as m; print(m.version("zaqar"), m.version("gunicorn"))'
    want = f'{UPSTREAM_VERSION} {_our_gunicorn()}'
    if python.exists():
        # From '/': a zaqar.egg-info in the current directory would answer.
        found = subprocess.run([python, '-c', probe], capture_output=True, text=True, cwd='/')
        if found.stdout.strip() == want:
            return venv
        shutil.rmtree(venv)
    print(f'installing upstream Zaqar {UPSTREAM_VERSION} into {venv} (log: {log})',
          file=sys.stderr)
    subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
    (venv / '.gitignore').write_text('*\n')  # keeps the tree clean wherever it is
    with open(log, 'ab') as out:
        subprocess.run([venv / 'bin' / 'pip', 'install', '--disable-pip-version-check',
                        f'zaqar=={UPSTREAM_VERSION}', 'redis', f'gunicorn=={_our_gunicorn()}'],
                       check=True, stdout=out, stderr=subprocess.STDOUT)
    return venv


def ensure_uwsgi(venv, log):
    """uWSGI UWSGI_VERSION in ``venv`` (it builds against that venv's
    Python the first time, then pip's wheel cache serves it)."""
    uwsgi = pathlib.Path(venv) / 'bin' / 'uwsgi'
    if uwsgi.exists():
        found = subprocess.run([uwsgi, '--version'], capture_output=True, text=True)
        if found.stdout.strip() == UWSGI_VERSION:
            return
    print(f'installing uWSGI {UWSGI_VERSION} into {venv} (log: {log})', file=sys.stderr)
    with open(log, 'ab') as out:
        subprocess.run([pathlib.Path(venv) / 'bin' / 'pip', 'install',
                        '--disable-pip-version-check', f'uwsgi=={UWSGI_VERSION}'],
                       check=True, stdout=out, stderr=subprocess.STDOUT)


def _our_gunicorn():
    import importlib.metadata

    return importlib.metadata.version('gunicorn')


class PostgresDatabase:
    """A database of our own on a PostgreSQL server, dropped on close."""

    def __init__(self, server_url):
        import psycopg2
        import sqlalchemy as sa

        server = sa.engine.make_url(server_url)
        self._params = {'host': server.host or '127.0.0.1', 'port': server.port or 5432,
                        'user': server.username or 'postgres', 'password': server.password,
                        'dbname': server.database or 'postgres', 'connect_timeout': 5}
        self.name = f'zaqar_bench_{uuid.uuid4().hex[:10]}'
        self._admin = psycopg2.connect(**self._params)
        self._admin.autocommit = True
        with self._admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE {self.name}')
        self.uri = server.set(database=self.name).render_as_string(hide_password=False)

    def close(self):
        with self._admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS {self.name} WITH (FORCE)')
        self._admin.close()


class Mongoeco:
    """The MongoDB wire-protocol server the tests use (tests/mongodb/), when
    its virtualenv is there; None otherwise."""

    LAUNCHER = ROOT / 'tests' / 'mongodb' / 'mongoeco_server.py'

    @classmethod
    def start(cls, workdir):
        python = pathlib.Path(os.environ.get('ZAQAR_TEST_MONGOECO_PYTHON',
                                             ROOT / '.venv-mongoeco' / 'bin' / 'python'))
        if not (python.exists() and cls.LAUNCHER.exists()):
            return None
        return cls(python, workdir)

    def __init__(self, python, workdir):
        self.port = free_port()
        log = open(pathlib.Path(workdir) / 'mongoeco.log', 'ab')
        with log:
            self.process = subprocess.Popen(
                [str(python), str(self.LAUNCHER), '--port', str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.uri = f'mongodb://127.0.0.1:{self.port}/?directConnection=true'
        deadline = time.monotonic() + 30
        while not self._ping():
            if time.monotonic() > deadline or self.process.poll() is not None:
                stop(self.process)
                raise RuntimeError('mongoeco did not start')
            time.sleep(0.2)

    def _ping(self):
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                return True
        except OSError:
            return False

    def close(self):
        stop(self.process)


def dumps(data):
    return json.dumps(data, indent=2, sort_keys=True, default=str)
