"""Stores the soak test runs itself, so that it may stop and restart them.

Each keeps what it acknowledged across a stop, SIGKILL included, as a
production store would: redis-server with an append-only file synced on
every write, mongoeco with its SQLite engine on a file
(mongoeco_durable.py). The shared servers (Redis on 6379, PostgreSQL,
MariaDB) are never stopped; the proxies stand in for their outages.
"""

import pathlib
import signal
import subprocess

from tests.backends import MONGODB_GROUP, REDIS_GROUP, Backend
from tests.mongodb import servers as mongodb_servers
from tests.redis import servers as redis_servers
from tests.servers import free_port, stop, wait_until

LAUNCHER = pathlib.Path(__file__).with_name('mongoeco_durable.py')


class _Store:
    """A process on a fixed port, started again on the same port."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.port = free_port()
        self.process = None
        self.log = self.directory / f'{type(self).__name__}.log'

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.directory)
        try:
            wait_until(lambda: self.running and self.ping(), 60, interval=0.1,
                       what=f'{type(self).__name__} on port {self.port}')
        except AssertionError:
            self.stop(signal.SIGKILL)
            raise AssertionError(self.log.read_text(errors='replace')[-3000:]) from None
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.process is not None:
            stop(self.process, sig)


class RedisStore(_Store):
    def argv(self):
        return [redis_servers.redis_server_binary(), '--port', str(self.port),
                '--bind', '127.0.0.1', '--dir', str(self.directory), '--save', '',
                '--appendonly', 'yes', '--appendfsync', 'always']

    def ping(self):
        return redis_servers.ping(self.port)

    def backend(self):
        return Backend('redis', ((REDIS_GROUP, 'uri', f'redis://127.0.0.1:{self.port}'),))


class MongoecoStore(_Store):
    def argv(self):
        return [mongodb_servers.mongoeco_python(), str(LAUNCHER), '--port', str(self.port),
                '--path', str(self.directory / 'mongoeco.sqlite')]

    def ping(self):
        return mongodb_servers.ping(mongodb_servers.url(self.port))

    def backend(self):
        return Backend('mongodb', ((MONGODB_GROUP, 'uri', mongodb_servers.url(self.port)),
                                   (MONGODB_GROUP, 'database', 'zaqar_soak'),
                                   ('DEFAULT', 'unreliable', True)))


STORES = {'redis-server': RedisStore, 'mongoeco': MongoecoStore}
