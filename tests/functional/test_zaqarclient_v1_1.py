"""python-zaqarclient's v1.1 client against a real zaqar-server serving /v1.1.

The v1.1 client exists only up to python-zaqarclient 3.0.1 (api-v2.md
section 8), which cannot share a virtual environment with the current
client: tools/run-tests.sh (ensure_zaqarclient_v1) installs it in
``.venv-zaqarclient-v1`` (or ZAQAR_TEST_ZAQARCLIENT_V1_VENV). The client
script below runs there, in a process of its own, and prints what it saw
as JSON; a missing venv skips, or fails under CI=true.
"""

import json
import os
import pathlib
import subprocess
import uuid

import pytest

from tests.backends import BACKENDS
from tests.conftest import require_service
from tests.functional.conftest import _serve, _store_sections

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV = pathlib.Path(os.environ.get('ZAQAR_TEST_ZAQARCLIENT_V1_VENV',
                                   REPO / '.venv-zaqarclient-v1'))

CLIENT_SCRIPT = r'''
import json, sys
from zaqarclient.queues import client as zaqar_client
from zaqarclient.transport import errors

url, project = sys.argv[1:]
client = zaqar_client.Client(url, version=1.1, conf={
    'auth_opts': {'backend': 'noauth', 'options': {'os_project_id': project}}})
seen = {'client': type(client).__module__}
queue = client.queue('work', force_create=True)
seen['queues'] = [q.name for q in client.queues()]
queue.post([{'body': {'n': n}, 'ttl': 300} for n in range(5)])
listed = list(queue.messages(echo=True))
seen['listed'] = [m.body for m in listed]
seen['hrefs'] = [m.href for m in listed]
seen['one'] = queue.message(listed[4].href.rsplit('/', 1)[1]).body
claim = queue.claim(ttl=60, grace=60, limit=3)
claimed = list(claim)
seen['claimed'] = [m.body for m in claimed]
seen['claim_ids'] = sorted({m.claim_id == claim.id for m in claimed})
for message in claimed:
    message.delete()
seen['remaining'] = [m.body for m in queue.messages(echo=True)]
second = queue.claim(ttl=60, grace=60)
seen['second'] = [m.body for m in second]
second.update(ttl=120)
second.delete()
seen['released'] = [m.body for m in queue.messages(echo=True)]
seen['stats'] = {k: v for k, v in queue.stats['messages'].items()
                 if k in ('claimed', 'free', 'total')}
seen['metadata'] = queue.metadata(force_reload=True)
seen['popped'] = [m.body for m in queue.pop(1)]
queue.delete()
seen['after_delete'] = [q.name for q in client.queues()]
try:
    queue.message(listed[4].href.rsplit('/', 1)[1])
except errors.ResourceNotFound:
    seen['deleted_message'] = 'not found'
print(json.dumps(seen))
'''


@pytest.fixture(scope='module')
def client_python():
    python = VENV / 'bin' / 'python'
    if not python.exists():
        require_service('python-zaqarclient 3.0.1',
                        f'no {VENV} (tools/run-tests.sh makes it)')
    return str(python)


@pytest.fixture(scope='module', params=('sqlite', 'redis'))
def v1_1_server_url(request, tmp_path_factory):
    """A zaqar-server serving v1.1, on a SQL and a Redis store in turn."""
    backend = BACKENDS[request.param](request)
    yield from _serve(tmp_path_factory, _store_sections(backend),
                      'enable_deprecated_api_versions = 1.1\n')


def test_v1_1_client_end_to_end(client_python, v1_1_server_url):
    project = f'v1-1-{uuid.uuid4().hex[:8]}'
    done = subprocess.run([client_python, '-c', CLIENT_SCRIPT, v1_1_server_url, project],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    hrefs = seen.pop('hrefs')
    assert all(h.startswith('/v1.1/queues/work/messages/') for h in hrefs), hrefs
    assert seen == {
        'client': 'zaqarclient.queues.v1.client',
        'queues': ['work'],
        'listed': [{'n': n} for n in range(5)],
        'one': {'n': 4},
        'claimed': [{'n': 0}, {'n': 1}, {'n': 2}],
        'claim_ids': [True],
        'remaining': [{'n': 3}, {'n': 4}],
        'second': [{'n': 3}, {'n': 4}],
        'released': [{'n': 3}, {'n': 4}],
        'stats': {'claimed': 0, 'free': 2, 'total': 2},
        'metadata': {},
        'popped': [{'n': 3}],
        'after_delete': [],
        'deleted_message': 'not found',
    }
