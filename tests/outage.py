"""A store going away and coming back, seen through the real WSGI app.

Shared by the connection-loss tests of each store that runs its own
server processes (tests/redis, tests/mongodb).
"""

import time

UNAVAILABLE_TITLE = 'Service temporarily unavailable'

REQUESTS = [
    ('post', 'POST', '/v2/queues/q/messages', {'messages': [{'body': 'x', 'ttl': 300}]}),
    ('list', 'GET', '/v2/queues/q/messages?echo=true', None),
    ('claim', 'POST', '/v2/queues/q/claims?limit=1', {'ttl': 60, 'grace': 60}),
    ('stats', 'GET', '/v2/queues/q/stats', None),
]


def call(api, name):
    _, method, path, body = next(request for request in REQUESTS if request[0] == name)
    if body is None:
        return api.call(method, path)
    return api.call(method, path, body)


def serving(api):
    """Post one message 'x' to queue q and list it."""
    posted = call(api, 'post')
    assert posted.status_int == 201, posted.body
    listed = call(api, 'list')
    assert listed.status_int == 200, listed.body
    return [m['body'] for m in listed.json['messages']]


def unavailable(api, fast):
    """Every request answers 503 with a description, each within ``fast``
    seconds."""
    for name, *_ in REQUESTS:
        started = time.monotonic()
        response = call(api, name)
        took = time.monotonic() - started
        assert response.status_int == 503, (name, response.status, response.body)
        assert set(response.json) == {'title', 'description'}, name
        assert response.json['title'] == UNAVAILABLE_TITLE, name
        assert 'storage backend' in response.json['description'], name
        assert took < fast, f'{name} took {took:.1f} s to fail'
        print(f'{name}: 503 in {took:.2f} s')


def back(api):
    """After a restart with an empty server: post, list and claim work."""
    assert serving(api) == ['x']
    claimed = call(api, 'claim')
    assert claimed.status_int == 201, claimed.body
    assert [m['body'] for m in claimed.json['messages']] == ['x']
