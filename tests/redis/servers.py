"""Real redis-server processes for the Redis driver's tests.

Each process listens on a free loopback port and keeps its files in a
directory of the test's own; ``Processes`` kills whatever is still running
when the fixture ends.
"""

import shutil
import signal
import subprocess
import uuid

import redis
import webtest

from tests.api.helpers import Api
from tests.conftest import require_service
from tests.servers import free_port, stop, wait_until
from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf
from zaqar.transport.wsgi import app as wsgi_app

__all__ = ['Processes', 'api_on', 'free_port', 'wait_until']


def redis_server_binary():
    binary = shutil.which('redis-server')
    if binary is None:
        require_service('redis-server', 'no redis-server executable on PATH')
    return binary


def ping(port):
    client = redis.Redis(port=port, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        return client.ping()
    except redis.RedisError:
        return False
    finally:
        client.close()


class Processes:
    """Starts redis-server processes; ``stop_all`` kills the ones left."""

    def __init__(self, directory):
        self.binary = redis_server_binary()
        self.directory = directory
        self.running = {}  # port -> Popen

    def start(self, port, *args, name=None, config=None):
        """redis-server on ``port`` (with ``config`` text written to a file
        first, for a sentinel); returns once it answers PING."""
        name = name or f'redis-{port}'
        command = [self.binary]
        if config is not None:
            path = self.directory / f'{name}.conf'
            path.write_text(config)
            command.append(str(path))
        else:
            command += ['--port', str(port), '--bind', '127.0.0.1', '--save', '',
                        '--appendonly', 'no', '--dir', str(self.directory)]
        command += [*args, '--logfile', str(self.directory / f'{name}.log')]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=self.directory)
        self.running[port] = process
        try:
            wait_until(lambda: process.poll() is None and ping(port), 10,
                       what=f'{name} on port {port}')
        except AssertionError:
            self.stop(port, signal.SIGKILL)
            raise
        return process

    def stop(self, port, sig=signal.SIGTERM):
        stop(self.running.pop(port), sig)

    def stop_all(self):
        for port in list(self.running):
            self.stop(port, signal.SIGKILL)


def api_on(port, **options):
    """The real WSGI app on the redis-server at ``port`` (a key prefix of
    its own), with ``options`` of the message store's group."""
    conf = zconf.new(args=[])
    conf.set_override('message_store', 'redis', group='drivers')
    conf.set_override('uri', f'redis://127.0.0.1:{port}?prefix=t_{uuid.uuid4().hex}',
                      group=redis_conf.MESSAGE_GROUP)
    for name, value in options.items():
        conf.set_override(name, value, group=redis_conf.MESSAGE_GROUP)
    return Api(webtest.TestApp(wsgi_app.build(conf)))
