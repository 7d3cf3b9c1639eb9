"""Fixtures of the Redis driver's tests."""

import pytest

from tests.redis.servers import Processes, free_port


@pytest.fixture
def redis_server(tmp_path):
    """(Processes, port): a redis-server of the test's own on ``port``."""
    processes = Processes(tmp_path)
    port = free_port()
    try:
        processes.start(port)
        yield processes, port
    finally:
        processes.stop_all()
