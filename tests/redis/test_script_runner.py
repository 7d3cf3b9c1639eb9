"""The script runner (zaqar/storage/redis/scripts.py) over a redis-server
of the test's own: the scripts come back after SCRIPT FLUSH, a connection
the server closed while it sat idle is replaced before anything is sent
on it, and each thread keeps a connection of its own."""

import threading
import uuid

import pytest
import redis
import webtest

from tests.api.helpers import Api
from tests.redis.servers import Processes, free_port
from zaqar import conf as zconf
from zaqar.conf import redis as redis_conf
from zaqar.storage.redis import scripts
from zaqar.transport.wsgi import app as wsgi_app


@pytest.fixture
def port(tmp_path):
    processes = Processes(tmp_path)
    port = free_port()
    try:
        processes.start(port)
        yield port
    finally:
        processes.stop_all()


@pytest.fixture
def api(port):
    conf = zconf.new(args=[])
    conf.set_override('message_store', 'redis', group='drivers')
    conf.set_override('uri', f'redis://127.0.0.1:{port}?prefix=t_{uuid.uuid4().hex}',
                      group=redis_conf.MESSAGE_GROUP)
    return Api(webtest.TestApp(wsgi_app.build(conf)))


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
