"""mongoeco processes: a MongoDB wire-protocol server for the tests.

No real mongod can be installed here; mongoeco (PyPI) serves the MongoDB
wire protocol from Python 3.13+, so it lives in a virtual environment of
its own (``.venv-mongoeco``, made by tools/run-tests.sh; another one can be
named by ZAQAR_TEST_MONGOECO_PYTHON). Each server is its own process on a
free loopback port, with an in-memory engine.

Where mongoeco differs from a real mongod in ways these tests meet:

* it serves every connection from one asyncio loop, so one long command
  (say a large insert_many into a big collection: its indexes are metadata
  only and every write scans) holds up every other client, even their
  ``hello``, and SIGTERM waits for it too; ``stop`` kills after 10 s;
* without its ``wire`` extra (pymongo's bson) it accepts connections and
  closes them at the first message, saying nothing to the client;
* stopped, it forgets everything (the in-memory engine), as a redis-server
  without persistence does; a real mongod keeps its data.
"""

import os
import pathlib
import signal
import subprocess

import pymongo
from pymongo import errors as mongo_errors

from tests.conftest import require_service
from tests.servers import free_port, stop, wait_until

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = pathlib.Path(__file__).with_name('mongoeco_server.py')


def mongoeco_python():
    python = os.environ.get('ZAQAR_TEST_MONGOECO_PYTHON',
                            str(ROOT / '.venv-mongoeco' / 'bin' / 'python'))
    if not os.access(python, os.X_OK):
        require_service('mongoeco', f'no interpreter at {python}: tools/run-tests.sh '
                                    'makes .venv-mongoeco with mongoeco installed')
    return python


def url(port):
    return f'mongodb://127.0.0.1:{port}/?directConnection=true'


def ping(uri, timeout_ms=500):
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=timeout_ms,
                                 connectTimeoutMS=timeout_ms)
    try:
        return client.admin.command('ping')['ok'] == 1
    except mongo_errors.PyMongoError:
        return False
    finally:
        client.close()


class Mongoeco:
    """Starts mongoeco processes; ``stop_all`` kills the ones left."""

    def __init__(self, directory):
        self.python = mongoeco_python()
        self.directory = pathlib.Path(directory)
        self.running = {}  # port -> Popen

    def start(self, port=None):
        """A server on ``port`` (a free one by default); returns its port
        once it answers ``ping``."""
        port = port or free_port()
        log = open(self.directory / f'mongoeco-{port}.log', 'ab')
        with log:
            process = subprocess.Popen(
                [self.python, str(LAUNCHER), '--port', str(port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.running[port] = process
        try:
            wait_until(lambda: process.poll() is None and ping(url(port)), 30,
                       interval=0.1, what=f'mongoeco on port {port}')
        except AssertionError:
            self.stop(port, signal.SIGKILL)
            raise AssertionError(self.log(port)) from None
        return port

    def log(self, port):
        return (self.directory / f'mongoeco-{port}.log').read_text(errors='replace')

    def stop(self, port, sig=signal.SIGTERM):
        stop(self.running.pop(port), sig)

    def stop_all(self):
        for port in list(self.running):
            self.stop(port, signal.SIGKILL)
