"""persona_matrix.yaml, played against real servers behind a real Keystone.

One test per route and store. The owner's personas (member_a, reader_a and
reader_a on the read-only server) each get a fresh scene, since their
requests change it; the others share one scene per route, which must be
intact after each of their requests.
"""

import os
import uuid

import pytest
import requests
import yaml

MATRIX = os.path.join(os.path.dirname(__file__), 'persona_matrix.yaml')
PATCH_TYPE = 'application/openstack-messaging-v2.0-json-patch'
PROJECT_A = 'zaqar-a'


def _load():
    with open(MATRIX) as f:
        matrix = yaml.safe_load(f)
    personas = matrix['personas']
    routes = []
    for method, path, body, *statuses in matrix['routes']:
        routes.append((method, path, body, dict(zip(personas, statuses, strict=True))))
    return personas, routes


PERSONAS, ROUTES = _load()
OWNERS = {'member_a': 'member_a', 'reader_a': 'reader_a', 'reader_a_readonly': 'reader_a'}
OUTSIDERS = ('admin', 'member_b', 'anonymous')


class Scene:
    """Project A's queue: metadata and bodies carry a unique marker."""

    def __init__(self, url, owner_token, project_a):
        self.url = url
        self.owner = owner_token
        self.project_a = project_a
        self.marker = f'secret-of-a-{uuid.uuid4().hex}'
        self.queue = f'q-{uuid.uuid4().hex[:10]}'
        response = self._call(owner_token, 'PUT', f'/v2/queues/{self.queue}',
                              {'owner': self.marker})
        assert response.status_code == 201, response.text
        response = self._call(owner_token, 'POST', f'/v2/queues/{self.queue}/messages',
                              {'messages': [{'body': {'n': n, 'secret': self.marker}}
                                            for n in range(3)]})
        assert response.status_code == 201, response.text
        self.ids = [href.rsplit('/', 1)[1] for href in response.json()['resources']]
        response = self._call(owner_token, 'POST',
                              f'/v2/queues/{self.queue}/claims?limit=1',
                              {'ttl': 300, 'grace': 60})
        assert response.status_code == 201, response.text
        self.claim_id = response.headers['Location'].rsplit('/', 1)[1]
        self.claimed = response.json()['messages'][0]['id']
        self.free = [i for i in self.ids if i != self.claimed]
        response = self._call(owner_token, 'POST', f'/v2/queues/{self.queue}/subscriptions',
                              {'subscriber': f'http://127.0.0.1:9/{self.marker}'})
        assert response.status_code == 201, response.text
        self.subscription_id = response.json()['subscription_id']

    def path(self, template):
        return template.format(q=self.queue, mid=self.free[0], ids=','.join(self.free),
                               cmid=self.claimed, cid=self.claim_id,
                               sid=self.subscription_id)

    def _call(self, token, method, path, body=None, content_type='application/json'):
        headers = {'Client-ID': uuid.uuid4().hex, 'X-Project-ID': self.project_a,
                   'X-Roles': 'admin'}
        if token:
            headers['X-Auth-Token'] = token
        kwargs = {}
        if body is not None:
            headers['Content-Type'] = content_type
            kwargs['json'] = body
        return requests.request(method, self.url + path, headers=headers, timeout=30,
                                **kwargs)

    def play(self, token, method, template, body):
        path = self.path(template)
        patch = method == 'PATCH' and path == f'/v2/queues/{self.queue}'
        return self._call(token, method, path, body,
                          PATCH_TYPE if patch else 'application/json')

    def intact(self):
        """Problems with A's queue, messages and claim (empty if intact)."""
        problems = []
        q = f'/v2/queues/{self.queue}'
        metadata = self._call(self.owner, 'GET', q).json()
        if metadata.get('owner') != self.marker:
            problems.append(f'metadata changed: {metadata}')
        response = self._call(self.owner, 'GET', f'{q}/messages?ids={",".join(self.ids)}')
        if response.status_code != 200 or len(response.json()['messages']) != 3:
            problems.append(f'messages changed: {response.status_code} {response.text}')
        response = self._call(self.owner, 'GET', f'{q}/claims/{self.claim_id}')
        if response.status_code != 200:
            problems.append(f'claim changed: {response.status_code}')
        response = self._call(self.owner, 'GET', f'{q}/subscriptions/{self.subscription_id}')
        if response.status_code != 200 or response.json()['confirmed'] or \
                response.json()['ttl'] != 3600:
            problems.append(f'subscription changed: {response.status_code} {response.text}')
        return problems


@pytest.fixture(scope='session')
def tokens(keystone):
    names = {'admin', 'member_a', 'reader_a', 'member_b'}
    return {**{name: keystone.token(name) for name in names}, 'anonymous': None}


@pytest.mark.parametrize('method, template, body, expected', ROUTES,
                         ids=[f'{m} {p}' for m, p, _, _ in ROUTES])
def test_route(keystone, keystone_server_url, readonly_server_url, tokens,
               method, template, body, expected):
    project_a = keystone.project_id(PROJECT_A)
    failures = []

    def check(persona, scene, response):
        if response.status_code != expected[persona]:
            failures.append(f'{persona}: {response.status_code} != {expected[persona]} '
                            f'{response.text[:200]}')
        if persona in OUTSIDERS:
            if scene.marker in response.text:
                failures.append(f'{persona}: saw project A data: {response.text[:200]}')
        if persona in OUTSIDERS or response.status_code in (401, 403):
            failures.extend(f'{persona}: {problem}' for problem in scene.intact())

    shared = Scene(keystone_server_url, tokens['member_a'], project_a)
    for persona in OUTSIDERS:
        check(persona, shared, shared.play(tokens[persona], method, template, body))
    for persona, who in OWNERS.items():
        url = readonly_server_url if persona.endswith('_readonly') else keystone_server_url
        scene = Scene(url, tokens['member_a'], project_a)
        check(persona, scene, scene.play(tokens[who], method, template, body))
    assert not failures, '\n'.join(failures)
