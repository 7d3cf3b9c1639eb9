"""zaqar-server with ``[drivers] transport = wsgi, websocket``: a real
process serving HTTP and, from its child, WebSocket; a post over HTTP
reaches a connection subscribed over WebSocket."""

import os
import signal
import subprocess
import sys
import uuid

import pytest
import requests

from tests.servers import free_port, wait_until
from tests.websocket.client import Caller, answer


def _serve(state, transports, defaults=''):
    http_port, ws_port = free_port(), free_port()
    config = state / 'zaqar.conf'
    config.write_text(
        f'[DEFAULT]\nstate_path = {state}\n{defaults}[drivers]\ntransport = {transports}\n'
        f'[drivers:transport:wsgi]\nport = {http_port}\nworkers = 1\n'
        f'[drivers:transport:websocket]\nport = {ws_port}\n')
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    log = open(state / 'server.log', 'w')
    proc = subprocess.Popen([script, '--config-file', str(config)], stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, log, f'http://127.0.0.1:{http_port}', f'ws://127.0.0.1:{ws_port}'


def _connect(url, proc, log_path):
    def attempt():
        if proc.poll() is not None:
            raise AssertionError(f'zaqar-server exited:\n{log_path.read_text()}')
        try:
            return Caller(url)
        except OSError:
            return None
    return wait_until(attempt, 30, interval=0.2, what='the WebSocket server')


def _answers(url):
    try:
        return requests.get(url + '/', timeout=5).status_code == 300
    except requests.ConnectionError:
        return False


@pytest.fixture
def both(tmp_path):
    proc, log, http_url, ws_url = _serve(tmp_path, 'wsgi, websocket')
    yield proc, http_url, ws_url, tmp_path / 'server.log'
    if proc.poll() is None:
        proc.terminate()
        proc.wait(30)
    log.close()


def test_a_post_over_http_is_pushed_to_a_websocket_subscriber(both):
    proc, http_url, ws_url, log_path = both
    ws = _connect(ws_url, proc, log_path)
    wait_until(lambda: _answers(http_url), 30, interval=0.2, what='the HTTP server')
    with ws:
        assert answer(ws.call('subscription_create', {'queue_name': 'both'}))[0] == 201
        response = requests.post(f'{http_url}/v2/queues/both/messages', timeout=30, json={
            'messages': [{'body': {'over': 'http'}, 'ttl': 300}]},
            headers={'Client-ID': str(uuid.uuid4()), 'X-Project-ID': ws.project})
        assert response.status_code == 201, response.text
        assert ws.recv() == {'ttl': 300, 'body': {'over': 'http'},
                             'Message_Type': 'Notification', 'queue_name': 'both'}


def test_the_websocket_child_stops_with_the_server(both):
    proc, _, ws_url, log_path = both
    _connect(ws_url, proc, log_path).close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    wait_until(lambda: 'Parent process' in log_path.read_text(), 10,
               what='the WebSocket child to stop')
    with pytest.raises(OSError):
        Caller(ws_url)


def test_websocket_alone(tmp_path):
    proc, log, _, ws_url = _serve(tmp_path, 'websocket')
    try:
        with _connect(ws_url, proc, tmp_path / 'server.log') as ws:
            assert answer(ws.call('ping'))[0] == 204
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
        log.close()


def test_a_transport_that_cannot_load_stops_start_up(tmp_path):
    """Its child reports the error, and the server exits before serving."""
    proc, log, http_url, _ = _serve(tmp_path, 'wsgi, websocket',
                                    defaults='auth_strategy = keystone\n')
    assert proc.wait(60) == 1
    log.close()
    last = (tmp_path / 'server.log').read_text().strip().splitlines()[-1]
    assert last.startswith("zaqar-server: cannot load driver 'websocket' from namespace "
                           "'zaqar.transport': ValueError: auth_strategy = keystone needs")
    assert not _answers(http_url)
