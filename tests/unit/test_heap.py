"""The serving entry points take their start-up objects out of the garbage
collector's reach. Each case runs in a child interpreter: freezing the heap
of the test run itself would keep every later test's garbage alive."""

import json
import subprocess
import sys
import textwrap

import pytest


def _child(code, tmp_path, env=None):
    proc = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def _config(tmp_path):
    config = tmp_path / 'zaqar.conf'
    config.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n'
                      f'[drivers:message_store:sqlalchemy]\n'
                      f'uri = sqlite:///{tmp_path / "heap.sqlite"}\n')
    return config


def test_settle_freezes_what_exists_and_collection_still_works(tmp_path):
    found = _child('''
        import gc, json, weakref
        from zaqar.common import heap

        class Node:
            pass

        kept = [Node() for _ in range(5000)]
        frozen = heap.settle()
        # A cycle made after the freeze is still found and freed.
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        print(json.dumps({'frozen': frozen, 'count': gc.get_freeze_count(),
                          'walked': len(gc.get_objects()), 'cycle_freed': gone() is None,
                          'kept': len(kept)}))
    ''', tmp_path)
    assert found['frozen'] == found['count'] > 5000
    assert found['walked'] < 1000  # a full pass no longer walks the frozen objects
    assert found['cycle_freed']


def test_wsgi_entry_point_settles_after_building_the_service(tmp_path):
    environ = {'ZAQAR_CONFIG_FILE': str(_config(tmp_path)), 'PATH': '/usr/bin:/bin'}
    found = _child('''
        import gc, io, json
        from zaqar.transport.wsgi.app import application

        before = gc.get_freeze_count()
        statuses = []
        env = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/v2/', 'QUERY_STRING': '',
               'SERVER_NAME': 'localhost', 'SERVER_PORT': '80', 'SERVER_PROTOCOL': 'HTTP/1.1',
               'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(), 'HTTP_ACCEPT': '*/*',
               'HTTP_X_PROJECT_ID': 'heap',
               'HTTP_CLIENT_ID': '3b0f6d3e-3f4a-4b8e-9a51-1c2d3e4f5a6b',
               'wsgi.errors': io.StringIO()}
        b''.join(application(env, lambda status, headers, exc=None: statuses.append(status)))
        after_first = gc.get_freeze_count()
        b''.join(application(env, lambda status, headers, exc=None: statuses.append(status)))
        print(json.dumps({'before': before, 'after_first': after_first,
                          'after_second': gc.get_freeze_count(), 'statuses': statuses,
                          'walked': len(gc.get_objects())}))
    ''', tmp_path, env=environ)
    assert found['statuses'] == ['200 OK', '200 OK']
    assert found['before'] == 0  # nothing is built, nor frozen, at import
    # The service is built on the first request, then frozen once.
    assert found['after_first'] > 50_000
    assert found['after_second'] == found['after_first']
    assert found['walked'] < found['after_first'] / 10


# What stands in for the serving loop: report, do not serve.
_STAND_INS = {
    'wsgi': """
        from zaqar.transport.wsgi import server as wsgi_server
        wsgi_server._Gunicorn.run = lambda self: report(self.load())
    """,
    'websocket': """
        from zaqar.transport.websocket import driver
        def run(coroutine):
            coroutine.close()
            report(coroutine)
        driver.asyncio.run = run
    """,
}


@pytest.mark.parametrize('transport', sorted(_STAND_INS))
def test_zaqar_server_settles_before_serving(tmp_path, transport):
    config = _config(tmp_path)
    config.write_text(config.read_text() + f'[drivers]\ntransport = {transport}\n')
    code = textwrap.dedent('''
        import gc, json
        from zaqar.cmd import server

        def report(served):
            print(json.dumps({'frozen': gc.get_freeze_count(), 'served': served is not None}))
    ''') + textwrap.dedent(_STAND_INS[transport])
    found = _child(code + f'server.main(["--config-file", {str(config)!r}])\n', tmp_path)
    assert found['served']
    # For gunicorn, before the fork: every worker inherits the frozen objects.
    assert found['frozen'] > 50_000
