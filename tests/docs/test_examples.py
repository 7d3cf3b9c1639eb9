"""The docs' examples, run against a real zaqar-server.

Convention: a fenced block whose info string is ``bash example`` or
``python example`` is run; ``bash example pooled`` runs against a server
with pooling on. Other blocks are illustration. The examples of
one document and language run in order in one session (one bash process,
one Python namespace), as a reader pasting them would. A ``text output``
block right after an example lists lines that must appear, in that order,
in what the example printed (each line is matched as a substring).
"""

import dataclasses
import os
import re
import subprocess

import pytest

from tests.docs.conftest import BIN, ROOT

DOCS = os.path.join(ROOT, 'docs')
FENCE = re.compile(r'^```([^\n`]*)\n(.*?)^```\s*$', re.M | re.S)
MARK = '::zaqar-docs-example {}::'


@dataclasses.dataclass
class Example:
    doc: str
    line: int
    language: str
    code: str
    server: str
    expected: list = dataclasses.field(default_factory=list)


def examples(doc, language, server='default'):
    """The runnable examples of docs/``doc`` in ``language`` for ``server``."""
    with open(os.path.join(DOCS, doc), encoding='utf-8') as stream:
        text = stream.read()
    found, last_end = [], None
    for match in FENCE.finditer(text):
        info = match.group(1).split()
        line = text.count('\n', 0, match.start()) + 1
        if info[1:2] == ['output'] and found and _adjacent(text, last_end, match.start()):
            found[-1].expected = [s for s in match.group(2).splitlines() if s.strip()]
        elif info[1:2] == ['example']:
            found.append(Example(doc, line, info[0], match.group(2),
                                 server=(info[2:] or ['default'])[0]))
        last_end = match.end()
    return [example for example in found
            if (example.language, example.server) == (language, server)]


def _adjacent(text, end, start):
    # Only prose between an example and its output block, no other fence.
    return end is not None and '```' not in text[end:start]


def check_outputs(blocks, outputs):
    for example, output in zip(blocks, outputs, strict=True):
        position = 0
        for expected in example.expected:
            found = output.find(expected, position)
            assert found >= 0, (f'{example.doc}:{example.line}: expected {expected!r} '
                                f'in the output:\n{output}')
            position = found + len(expected)


def run_bash(blocks, env):
    script = ['set -euo pipefail']
    for number, example in enumerate(blocks):
        script += [f"echo '{MARK.format(number)}'", example.code]
    proc = subprocess.run(['bash', '-c', '\n'.join(script)], env=env, capture_output=True,
                          text=True, timeout=300)
    parts = proc.stdout.split('\n')
    outputs, current = [], None
    for line in parts:
        if line.startswith('::zaqar-docs-example '):
            current = []
            outputs.append(current)
        elif current is not None:
            current.append(line)
    outputs = ['\n'.join(lines) for lines in outputs]
    if proc.returncode:
        failed = blocks[len(outputs) - 1]
        pytest.fail(f'{failed.doc}:{failed.line}: the example failed (exit status '
                    f'{proc.returncode}):\n{failed.code}\nstdout:\n{outputs[-1]}\n'
                    f'stderr:\n{proc.stderr}')
    return outputs


def run_python(blocks, env, capsys, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace, outputs = {'__name__': '__docs__'}, []
    for example in blocks:
        capsys.readouterr()
        code = compile(example.code, f'docs/{example.doc}:{example.line}', 'exec')
        exec(code, namespace)  # noqa: S102 - the docs' own examples
        outputs.append(capsys.readouterr().out)
    return outputs


def example_env(server):
    return {**os.environ, 'ZAQAR_URL': server.url, 'ZAQAR_CONF': str(server.conf),
            'PATH': f'{BIN}:{os.environ["PATH"]}'}


RUNS = [('user-guide.md', 'bash', 'default'), ('user-guide.md', 'python', 'default'),
        ('operator-guide.md', 'bash', 'default'), ('operator-guide.md', 'bash', 'pooled')]
SERVERS = {'default': 'zaqar_server', 'pooled': 'pooled_server'}


@pytest.mark.parametrize('doc, language, server', RUNS)
def test_examples_run(doc, language, server, request, capsys, monkeypatch):
    blocks = examples(doc, language, server)
    assert blocks, f'no {language} examples for the {server} server in docs/{doc}'
    env = example_env(request.getfixturevalue(SERVERS[server]))
    if language == 'bash':
        outputs = run_bash(blocks, env)
    else:
        outputs = run_python(blocks, env, capsys, monkeypatch)
    check_outputs(blocks, outputs)


def test_every_example_is_run():
    # Every (doc, language, server) that has examples is one of RUNS.
    found = set()
    for doc in sorted(os.listdir(DOCS)):
        for language in ('bash', 'python'):
            for server in SERVERS:
                if examples(doc, language, server):
                    found.add((doc, language, server))
    assert found == set(RUNS)


def test_every_fenced_block_is_labelled():
    # An example left without its label would silently stop being tested.
    for doc in sorted(os.listdir(DOCS)):
        with open(os.path.join(DOCS, doc), encoding='utf-8') as stream:
            text = stream.read()
        for match in FENCE.finditer(text):
            info = match.group(1).split()
            line = text.count('\n', 0, match.start()) + 1
            assert info, f'docs/{doc}:{line}: a fence needs a language'
            if info[0] in ('bash', 'sh', 'python') and info[1:2] != ['example']:
                assert info[1:2] == ['illustration'], (
                    f'docs/{doc}:{line}: mark it "{info[0]} example" (run by this test) '
                    f'or "{info[0]} illustration" (not run)')


def test_examples_are_found():
    guide = examples('user-guide.md', 'bash')
    assert guide[0].code.startswith('export ZAQAR_URL=')
    assert any(example.expected for example in guide)
