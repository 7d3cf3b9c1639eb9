"""zaqar-bench: options as upstream's, figures, summary shape, HTTP client,
and one whole run against a small local server."""

import json
import pathlib
import random
import socket
import sys
import threading
import wsgiref.simple_server
from socketserver import ThreadingMixIn

import pytest

from zaqar.bench import config, engine, http, roles, stats

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / 'benchmarks'


# Options ------------------------------------------------------------------

def test_defaults_are_upstreams():
    args = config.parse_args([])
    assert (args.producer_processes, args.producer_workers) == (1, 10)
    assert (args.consumer_processes, args.consumer_workers) == (1, 0)
    assert (args.observer_processes, args.observer_workers) == (1, 5)
    assert (args.messages_per_claim, args.messages_per_list) == (5, 5)
    assert args.time == 5
    assert args.server_url == 'http://localhost:8888'
    assert (args.queue_prefix, args.num_queues) == ('ogre-test-queue', 4)
    assert args.skip_queue_reset is False
    assert args.json is False


def test_upstream_short_forms():
    args = config.parse_args(
        ['-pp', '2', '-pw', '3', '-cp', '4', '-cw', '5', '-op', '0', '-ow', '6',
         '-cno', '7', '-lno', '8', '-t', '9', '-s', 'http://h:1', '-q', 'pre',
         '-qno', '11', '-api', '2', '--skip_queue_reset'])
    assert (args.producer_processes, args.producer_workers) == (2, 3)
    assert (args.consumer_processes, args.consumer_workers) == (4, 5)
    assert (args.observer_processes, args.observer_workers) == (0, 6)
    assert (args.messages_per_claim, args.messages_per_list, args.time) == (7, 8, 9)
    assert (args.server_url, args.queue_prefix, args.num_queues) == ('http://h:1', 'pre', 11)
    assert args.skip_queue_reset is True
    assert not config.role_enabled(args, 'observer')
    assert config.queue_names(args)[-1] == 'pre-10'


def test_upstream_long_forms_and_dashed_aliases():
    args = config.parse_args(['--producer_workers', '4', '--consumer-workers', '2',
                              '--messages_per_claim', '10', '--nodebug'])
    assert (args.producer_workers, args.consumer_workers) == (4, 2)
    assert args.messages_per_claim == 10
    assert args.json is True  # upstream's --nodebug prints JSON


@pytest.mark.parametrize('argv', [['-api', '1.1'], ['-t', '0'], ['-qno', '0'],
                                  ['-pw', '0', '-ow', '0']])
def test_rejected_options(argv, capsys):
    with pytest.raises(SystemExit):
        config.parse_args(argv)
    assert 'error' in capsys.readouterr().err


def test_auth_headers(monkeypatch):
    monkeypatch.setenv('OS_AUTH_TOKEN', 'tok-123')
    args = config.parse_args(['--project', 'p1'])
    headers = config.request_headers(args)
    assert headers['X-Auth-Token'] == 'tok-123'
    assert headers['X-Project-ID'] == 'p1'
    assert headers['Client-ID'] != config.request_headers(args)['Client-ID']
    monkeypatch.delenv('OS_AUTH_TOKEN')
    headers = config.request_headers(config.parse_args([]))
    assert 'X-Auth-Token' not in headers
    assert headers['X-Project-ID'] == config.NOAUTH_PROJECT


def test_messages_chosen_by_weight(tmp_path):
    path = tmp_path / 'messages.json'
    path.write_text(json.dumps([{'weight': 3, 'doc': {'body': 'big'}},
                                {'weight': 1, 'doc': {'body': 'small'}}]))
    pool = config.load_messages(str(path))
    assert [bound for bound, _ in pool] == [0.25, 1.0]
    assert json.loads(config.choose(pool, 0.1)) == {'messages': [{'body': 'small'}]}
    assert json.loads(config.choose(pool, 0.25)) == {'messages': [{'body': 'big'}]}
    rng = random.Random(7)
    picks = [json.loads(config.choose(pool, rng.random()))['messages'][0]['body']
             for _ in range(4000)]
    assert 0.70 < picks.count('big') / len(picks) < 0.80


# Figures ------------------------------------------------------------------

def test_nearest_rank_percentiles():
    hundred = list(range(1, 101))
    assert [stats.percentile(hundred, q) for q in (50, 95, 99, 100)] == [50, 95, 99, 100]
    ten = list(range(1, 11))
    assert stats.percentile(ten, 50) == 5
    assert stats.percentile(ten, 95) == 10  # rank ceil(9.5) = 10
    assert stats.percentile(ten, 1) == 1
    assert stats.percentile([42], 99) == 42
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile(ten, 0)


def test_latency_summary_in_milliseconds_from_unsorted_seconds():
    samples = [0.004, 0.001, 0.003, 0.002]
    summary = stats.latency_summary(samples)
    assert summary['count'] == 4
    assert summary['p50'] == pytest.approx(2.0)
    assert summary['p99'] == pytest.approx(4.0)
    assert summary['mean'] == pytest.approx(2.5)
    assert summary['max'] == pytest.approx(4.0)
    assert stats.latency_summary([]) == {'count': 0}


def _part(requests, ok, messages, latencies, cpu, statuses):
    rec = roles.Recorder()
    rec.requests, rec.ok, rec.errors, rec.messages = requests, ok, requests - ok, messages
    result = rec.result()
    result.update(latencies=latencies, cpu=cpu, statuses=statuses)
    return result


def test_role_summary_merges_processes():
    parts = [_part(4, 4, 20, {'claim': [0.01, 0.02], 'delete': [0.005, 0.005]}, 0.0004,
                   {'claim 201': 2, 'delete 204': 2}),
             _part(3, 2, 10, {'claim': [0.03, 0.04], 'delete': [0.001]}, 0.0002,
                   {'claim 201': 1, 'claim 503': 1, 'delete 204': 1})]
    summary = stats.role_summary('consumer', parts, 2.0)
    assert summary['total_reqs'] == 7
    assert summary['successful_reqs'] == 6
    assert summary['errors'] == 1
    assert summary['msgs_per_sec'] == 15.0
    assert summary['reqs_per_sec'] == 3.0
    assert summary['statuses'] == {'claim 201': 3, 'claim 503': 1, 'delete 204': 3}
    assert summary['latency_ms']['claim']['count'] == 4
    assert summary['latency_ms']['claim']['p50'] == pytest.approx(20.0)
    assert summary['client_cpu_us_per_req'] == pytest.approx(600 / 7)
    assert summary['ms_per_claim'] == pytest.approx(25.0)  # upstream's names
    assert summary['messages_processed'] == 30


def test_summary_shape_is_json_with_every_role():
    args = config.parse_args(['-pw', '2', '-ow', '0'])
    args.os_auth_token = 'secret'
    parts = {'producer': [_part(10, 10, 10, {'post': [0.001] * 10}, 0.0005, {'post 201': 10})]}
    summary = json.loads(json.dumps(engine.summarise(args, parts, {'producer': 1.0})))
    assert set(summary) == {'params', 'producer', 'consumer', 'observer', 'client'}
    assert 'os_auth_token' not in summary['params']
    producer = summary['producer']
    for key in ('duration_sec', 'total_reqs', 'successful_reqs', 'reqs_per_sec',
                'ms_per_req', 'msgs_per_sec', 'client_cpu_us_per_req'):
        assert key in producer
    assert set(producer['latency_ms']['post']) == {'count', 'mean', 'max', 'p50', 'p95', 'p99'}
    assert summary['consumer']['total_reqs'] == 0
    assert summary['client']['cpu_us_per_req'] == pytest.approx(50.0)
    assert 'Producer' in stats.format_text(summary)


def test_pace_spaces_requests_and_skips_backlog(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(engine.time, 'monotonic', lambda: clock[0])
    sleeps = engine.pace(0.5, random.Random(1))
    first = next(sleeps)
    assert 0 <= first < 0.5
    clock[0] += first
    assert next(sleeps) == pytest.approx(0.5)
    clock[0] += 10  # fell far behind: no burst of catch-up requests
    assert next(sleeps) == 0
    assert next(sleeps) == pytest.approx(0.5)
    assert next(engine.pace(0, random.Random())) == 0


def test_next_marker():
    page = {'messages': [{}], 'links': [
        {'rel': 'next', 'href': '/v2/queues/q/messages?marker=42&limit=5'}]}
    assert roles.next_marker(page) == '42'
    assert roles.next_marker({'links': []}) is None


# HTTP client --------------------------------------------------------------

def test_parse_head():
    status, headers = http.parse_head(
        b'HTTP/1.1 201 Created\r\nContent-Length: 12\r\nX-Thing:  a:b \r\nbroken line')
    assert status == 201
    assert headers == {'content-length': '12', 'x-thing': 'a:b'}
    with pytest.raises(http.HTTPError):
        http.parse_head(b'SPDY/3 200 OK')


class _ScriptedServer:
    """Answers each request on a connection with the next scripted reply."""

    def __init__(self, replies, close_after=None):
        self.replies, self.requests = list(replies), []
        self._close_after = close_after
        self._sock = socket.create_server(('127.0.0.1', 0))
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.replies:
            conn, _ = self._sock.accept()
            with conn:
                served = 0
                while self.replies and served != self._close_after:
                    data = b''
                    while b'\r\n\r\n' not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data:
                        break
                    self.requests.append(data.split(b'\r\n', 1)[0].decode())
                    conn.sendall(self.replies.pop(0))
                    served += 1


def test_connection_reads_length_chunked_and_empty_bodies():
    server = _ScriptedServer([
        b'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello',
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
        b'3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n',
        b'HTTP/1.1 204 No Content\r\n\r\n',
        b'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend',
    ])
    conn = http.Connection(http.Target(f'http://127.0.0.1:{server.port}/base'),
                           {'X-Project-ID': 'p'})
    assert (conn.request('POST', '/a', b'{}').body) == b'hello'
    assert conn.request('GET', '/b').body == b'abcde'
    response = conn.request('DELETE', '/c')
    assert (response.status, response.body) == (204, b'')
    assert conn.request('GET', '/d').body == b'end'
    assert server.requests == ['POST /base/a HTTP/1.1', 'GET /base/b HTTP/1.1',
                               'DELETE /base/c HTTP/1.1', 'GET /base/d HTTP/1.1']
    conn.close()


def test_connection_resends_once_when_the_server_closed_an_idle_connection():
    server = _ScriptedServer([b'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1',
                              b'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2'],
                             close_after=1)
    conn = http.Connection(http.Target(f'http://127.0.0.1:{server.port}'), {})
    assert conn.request('GET', '/x').body == b'1'
    assert conn.request('GET', '/y').body == b'2'  # on a second connection
    assert server.requests == ['GET /x HTTP/1.1', 'GET /y HTTP/1.1']


def test_connection_refused_is_an_http_error():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    conn = http.Connection(http.Target(f'http://127.0.0.1:{port}'), {})
    with pytest.raises(http.HTTPError):
        conn.request('GET', '/')


# A whole run ----------------------------------------------------------------

class _FakeZaqar:
    """Enough of the v2 API for every role, counting what it was asked."""

    def __init__(self):
        self.lock, self.posted, self.deleted = threading.Lock(), 0, 0

    def __call__(self, environ, start_response):
        method, path = environ['REQUEST_METHOD'], environ['PATH_INFO']
        length = int(environ.get('CONTENT_LENGTH') or 0)
        environ['wsgi.input'].read(length)
        body, status = b'', '204 No Content'
        if method == 'POST' and path.endswith('/messages'):
            with self.lock:
                self.posted += 1
            status, body = '201 Created', b'{"resources": ["/v2/queues/q/messages/1"]}'
        elif method == 'POST' and path.endswith('/claims'):
            status = '201 Created'
            body = json.dumps({'messages': [
                {'id': str(i), 'href': f'{path[:-7]}/messages/{i}?claim_id=c'}
                for i in range(3)]}).encode()
        elif method == 'DELETE' and path.endswith('/messages'):
            with self.lock:
                self.deleted += environ['QUERY_STRING'].count(',') + 1
        elif method == 'GET':
            status = '200 OK'
            body = b'{"messages": [{"id": "1"}], "links": [{"rel": "next", ' \
                   b'"href": "/v2/queues/q/messages?marker=1"}]}'
        start_response(status, [('Content-Type', 'application/json'),
                                ('Content-Length', str(len(body)))])
        return [body]


class _ThreadingServer(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.skipif(sys.platform != 'linux', reason='forks worker processes')
def test_a_whole_run_counts_what_the_server_saw():
    app = _FakeZaqar()
    server = wsgiref.simple_server.make_server('127.0.0.1', 0, app, _ThreadingServer,
                                               _QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        args = config.parse_args(['-s', f'http://127.0.0.1:{server.server_port}', '-t', '0.5',
                                  '-pp', '2', '-pw', '2', '-cw', '2', '-ow', '1', '-cno', '3'])
        summary = engine.run(args)
    finally:
        server.shutdown()
        server.server_close()
    producer, consumer, observer = (summary[r] for r in config.ROLES)
    assert producer['successful_reqs'] == app.posted > 0
    assert producer['errors'] == 0
    assert consumer['messages'] == app.deleted > 0
    assert consumer['statuses']['claim 201'] == consumer['statuses']['delete 204']
    assert observer['messages'] == observer['successful_reqs'] > 0
    assert 0.4 < producer['duration_sec'] < 5
    assert producer['client_cpu_us_per_req'] > 0
    assert summary['client']['worker_failures'] == []


# The compare report ---------------------------------------------------------

def _role(msgs, reqs=None, p50=1.0, p99=2.0, kind='post'):
    return {'msgs_per_sec': msgs, 'reqs_per_sec': reqs or msgs, 'client_cpu_us_per_req': 40,
            'latency_ms': {kind: {'count': 10, 'p50': p50, 'p99': p99}}}


def test_compare_targets_use_paired_ratios(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import compare_report

    rows = [{'ours': {'post': _role(300), 'cycle': _role(900, kind='cycle')},
             'upstream': {'post': _role(100), 'cycle': _role(450, kind='cycle')},
             'ceiling': {'post': _role(500)}},
            {'ours': {'post': _role(200), 'cycle': _role(600, kind='cycle')},
             'upstream': {'post': _role(50), 'cycle': _role(150, kind='cycle')},
             'ceiling': {'post': _role(500)}}]
    results = {'rounds': rows,
               'half_max': {'rate': 100, 'runs': [_role(100, p50=1.0, p99=2.5)]},
               'dispatch': {'ours': {'routes': {'HEAD /v2/ping': {'pecan_us': 60}}}},
               'soak': {'samples': [(0, {1: 1000, 2: 1000}), (600, {1: 1050, 2: 1050})]}}
    lines = compare_report.targets(results)
    assert lines[0].startswith('- post, ours / upstream msgs/s: 3.50x -> met')
    assert lines[1].startswith('- consumer cycle, ours / upstream msgs/s: 3.00x -> met')
    assert lines[2].startswith('- post, ours / ceiling requests/s: 50% -> met')
    assert lines[3].startswith('- p99 / p50 at half the max post rate: 2.5x -> met')
    assert lines[4].startswith('- Pecan dispatch (HEAD /v2/ping, Pecan app in-process): '
                               '60.0 µs -> NOT met')
    assert lines[5].startswith('- server RSS growth through the soak: +5.0% -> met')
    assert compare_report.spread([3, 1, 2]) == '2 (1–3)'


def test_compare_targets_not_measured(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import compare_report

    lines = compare_report.targets({'rounds': []})
    assert len(lines) == 6
    assert all('not measured in this run' in line for line in lines)
