"""The script runner (zaqar/storage/redis/scripts.py) over a redis-server
of the test's own: the scripts come back after SCRIPT FLUSH, a connection
the server closed while it sat idle is replaced before anything is sent
on it, and each thread keeps a connection of its own."""

import threading

import pytest
import redis

from tests.redis.servers import api_on
from zaqar.storage.redis import scripts


@pytest.fixture
def port(redis_server):
    return redis_server[1]


@pytest.fixture
def api(port):
    return api_on(port)


@pytest.fixture
def admin(port):
    client = redis.Redis(port=port)
    yield client
    client.close()


def post(api, body):
    response = api.call('POST', '/v2/queues/q/messages',
                        {'messages': [{'body': body, 'ttl': 300}]})
    assert response.status_int == 201, response.body


def bodies(api):
    response = api.call('GET', '/v2/queues/q/messages?echo=true&limit=20')
    assert response.status_int == 200, response.body
    return [m['body'] for m in response.json['messages']]


def normal_clients(admin):
    return [c for c in admin.client_list() if c['id'] != str(admin.client_id())]


def test_scripts_are_loaded_again_after_script_flush(api, admin):
    post(api, 1)
    assert admin.script_exists(scripts.sha('post')) == [True]
    admin.script_flush()
    assert admin.script_exists(scripts.sha('post')) == [False]
    post(api, 2)
    assert admin.script_exists(scripts.sha('post')) == [True]
    assert bodies(api) == [1, 2]


def test_a_connection_closed_by_the_server_while_idle_is_replaced(api, admin):
    post(api, 1)
    assert normal_clients(admin)
    killed = admin.client_kill_filter(_type='normal', skipme=True)
    assert killed >= 1
    # Not one request fails: the runner sees the closed socket before sending.
    post(api, 2)
    assert bodies(api) == [1, 2]


def test_each_thread_keeps_one_connection(api, admin):
    post(api, 0)  # this thread's connections: its own, and the pool's for reads
    before = len(normal_clients(admin))
    errors, counted = [], []
    posted = threading.Barrier(4)
    done = threading.Event()

    def work(n):
        try:
            for i in range(1, 6):
                post(api, n * 10 + i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        posted.wait()
        done.wait()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 4)]
    for thread in threads:
        thread.start()
    posted.wait()  # every thread has posted 5 times and is still alive
    counted.append(len(normal_clients(admin)))
    done.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(bodies(api)) == sorted([0] + [n * 10 + i for n in range(1, 4)
                                                for i in range(1, 6)])
    # One more per worker thread: 3, not 15.
    assert counted == [before + 3]
