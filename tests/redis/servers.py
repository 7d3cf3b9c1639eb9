"""Real redis-server processes for the Redis driver's tests.

Each process listens on a free loopback port and keeps its files in a
directory of the test's own; ``Processes`` kills whatever is still running
when the fixture ends.
"""

import shutil
import signal
import socket
import subprocess
import time

import redis

from tests.conftest import require_service


def redis_server_binary():
    binary = shutil.which('redis-server')
    if binary is None:
        require_service('redis-server', 'no redis-server executable on PATH')
    return binary


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, interval=0.05, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


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
        process = self.running.pop(port)
        if process.poll() is None:
            process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def stop_all(self):
        for port in list(self.running):
            self.stop(port, signal.SIGKILL)
