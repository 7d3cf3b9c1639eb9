"""schemathesis against a real zaqar-server, on SQLite and on Redis.

The server serves its own OpenAPI document (/v2/openapi.json); schemathesis
(in .venv-fuzz, built by tools/run-tests.sh: its pins are not ours) derives
valid and invalid requests for every operation from it: boundary values,
wrong types, missing and odd headers, bodies of every shape. The run fails
on any 5xx, any status the document does not list, any 4xx without a title
and a description, any traceback text in a response (st_hooks.py), and on
a request that takes longer than 10 s (a hang).

CI runs ZAQAR_FUZZ_EXAMPLES (3) examples per operation and phase; the
longer form is in the README (e.g. ZAQAR_FUZZ_EXAMPLES=500).
"""

import os
import re
import subprocess
import sys

import pytest

from tests.backends import BACKENDS
from tests.conftest import require_service
from tests.docs.conftest import ROOT
from tests.fuzz.conftest import serve

FUZZ_VENV = os.environ.get('ZAQAR_TEST_FUZZ_VENV', os.path.join(ROOT, '.venv-fuzz'))
SCHEMATHESIS = os.path.join(FUZZ_VENV, 'bin', 'schemathesis')
EXAMPLES = int(os.environ.get('ZAQAR_FUZZ_EXAMPLES', '3'))
CHECKS = ('not_a_server_error', 'status_code_conformance', 'no_traceback',
          'error_has_title_and_description')
# Subscribers are e-mail only, delivered to /bin/true: a fuzzed subscriber
# URI never makes the server connect anywhere.
SERVER_DEFAULTS = 'admin_mode = true\n'
SERVER_SECTIONS = ('[transport]\nsubscriber_types = mailto\n'
                   '[notification]\nsmtp_command = /bin/true\n'
                   '[signed_url]\nsecret_key = fuzz\n')


@pytest.fixture(scope='module', params=['sqlite', 'redis'])
def fuzzed_server(request, tmp_path_factory):
    backend = BACKENDS[request.param](request)
    for url in serve(tmp_path_factory, backend, SERVER_DEFAULTS,
                     'workers = 1\nthreads = 4\nclient_timeout = 10\n' + SERVER_SECTIONS):
        yield url


def run_schemathesis(url, examples, tmp_path):
    if not os.access(SCHEMATHESIS, os.X_OK):
        require_service('schemathesis', f'{SCHEMATHESIS} is missing (tools/run-tests.sh '
                                        'builds .venv-fuzz)')
    command = [
        SCHEMATHESIS, 'run', f'{url}/v2/openapi.json', '--checks', ','.join(CHECKS),
        '--phases', 'examples,coverage,fuzzing', '--max-examples', str(examples),
        '--request-timeout', '10', '--workers', '1', '--generation-database', 'none',
        '--no-color', '--output-truncate', 'false']
    env = {**os.environ, 'PYTHONPATH': os.path.dirname(__file__),
           'SCHEMATHESIS_HOOKS': 'st_hooks'}
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300 + examples * 10)
    return done.returncode, done.stdout + done.stderr


def test_no_5xx_no_traceback_no_hang(fuzzed_server, tmp_path):
    code, output = run_schemathesis(fuzzed_server, EXAMPLES, tmp_path)
    generated = re.search(r'(\d+) generated', output)
    # The counts land in the test log (-s, or the report on failure).
    print(f'schemathesis: {generated.group(0) if generated else "?"} against '
          f'{fuzzed_server}', file=sys.stderr)
    assert code == 0, output[-20000:]
    assert generated and int(generated.group(1)) > 500, output[-5000:]
