"""A caller of the API, and matchers for the values a test cannot know.

Expected bodies are written out whole; where a value is volatile (an id,
an age, a timestamp) the expected body holds a matcher that compares by
shape, so ``assert response.json == expected`` still checks every key.
"""

import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

NO_BODY = object()


def embedded_app(tmp_path_factory, name, config_text=''):
    """(WSGI app, conf, state directory) of a service on the embedded SQLite
    store, configured by a zaqar.conf whose [DEFAULT] section starts with
    state_path and goes on with ``config_text`` (sections may follow)."""
    from zaqar import conf as zaqar_conf
    from zaqar.transport.wsgi import app as wsgi_app

    state = tmp_path_factory.mktemp(name)
    path = state / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {state}\n{config_text}')
    conf = zaqar_conf.new(args=[], config_files=[str(path)])
    return wsgi_app.build(conf), conf, state


class Api:
    """Sends every request with this caller's Client-ID and X-Project-ID."""

    def __init__(self, app, project=None, client_id=None):
        self.app = app
        self.project = project or str(uuid.uuid4())
        self.client_id = client_id or uuid.uuid4().hex

    @property
    def headers(self):
        return {'Client-ID': self.client_id, 'X-Project-ID': self.project}

    def other_client(self):
        """Same project, another Client-ID."""
        return Api(self.app, project=self.project)

    def other_project(self):
        """Another project, another Client-ID."""
        return Api(self.app)

    def call(self, method, path, body=NO_BODY, headers=None, raw=None):
        """One request; ``body`` is sent as JSON, ``raw`` (bytes) as is.

        ``headers`` are added to (or, set to None, removed from) the
        caller's headers.
        """
        sent = dict(self.headers)
        if body is not NO_BODY or raw is not None:
            sent['Content-Type'] = 'application/json'
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        params = {'method': method, 'headers': sent, 'expect_errors': True}
        if raw is not None:
            params['body'] = raw
        elif body is not NO_BODY:
            params['body'] = json.dumps(body).encode()
        return self.app.request(path, **params)

    def get(self, path, **kwargs):
        return self.call('GET', path, **kwargs)

    def put(self, path, body=NO_BODY, **kwargs):
        return self.call('PUT', path, body, **kwargs)

    def post(self, path, body=NO_BODY, **kwargs):
        return self.call('POST', path, body, **kwargs)

    def patch(self, path, body=NO_BODY, **kwargs):
        return self.call('PATCH', path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call('DELETE', path, **kwargs)

    # -- shortcuts for setting a scene -----------------------------------

    def create_queue(self, name, metadata=NO_BODY):
        response = self.put(f'/v2/queues/{name}', metadata)
        assert response.status_int in (201, 204), response.body
        return response

    def post_messages(self, queue, *bodies, ttl=None):
        """Post one message per body; return their ids, in order."""
        messages = [{'body': b} if ttl is None else {'body': b, 'ttl': ttl}
                    for b in bodies]
        response = self.post(f'/v2/queues/{queue}/messages', {'messages': messages})
        assert response.status_int == 201, response.body
        return [href.rsplit('/', 1)[1] for href in response.json['resources']]

    def claim(self, queue, limit=None, ttl=60, grace=60):
        """Claim messages; return (claim id, messages), or (None, []) on 204."""
        path = f'/v2/queues/{queue}/claims'
        if limit is not None:
            path += f'?limit={limit}'
        response = self.post(path, {'ttl': ttl, 'grace': grace})
        assert response.status_int in (201, 204), response.body
        if response.status_int == 204:
            return None, []
        return response.headers['Location'].rsplit('/', 1)[1], response.json['messages']

    def message_ids(self, queue, query='echo=true&include_claimed=true'):
        response = self.get(f'/v2/queues/{queue}/messages?{query}')
        assert response.status_int == 200, response.body
        return [m['id'] for m in response.json['messages']]


def expect(response, status, body=NO_BODY):
    """Assert the status and, unless omitted, the whole JSON body.

    ``body=None`` asserts an empty body.
    """
    assert response.status_int == status, (response.status, response.body)
    if body is None:
        assert response.body == b''
    elif body is not NO_BODY:
        assert response.json == body


def error(title, description=NO_BODY):
    """An error body as upstream serialises it."""
    if description is NO_BODY:
        return {'title': title}
    return {'title': title, 'description': description}


def bad_request(description, title='Invalid API request'):
    return error(title, description)


def invalid_body(description):
    return error('Invalid request body', description)


# -- matchers ----------------------------------------------------------------

class Shape:
    """Equal to any value that satisfies ``predicate``."""

    def __init__(self, name, predicate):
        self.name = name
        self.predicate = predicate

    def __eq__(self, other):
        return bool(self.predicate(other))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f'<{self.name}>'


def matches(pattern):
    compiled = re.compile(pattern)
    return Shape(f'matches {pattern}',
                 lambda v: isinstance(v, str) and compiled.fullmatch(v))


ID = r'[a-zA-Z0-9_-]+'
AN_ID = matches(ID)
AN_AGE = Shape('age', lambda v: type(v) is int and 0 <= v <= 5)
A_TIMESTAMP = matches(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')


def message_href(queue, claimed=False):
    suffix = rf'\?claim_id={ID}' if claimed else ''
    return matches(rf'/v2/queues/{re.escape(queue)}/messages/{ID}{suffix}')


def message(queue, body, ttl=3600, claimed=False, mid=AN_ID, **extra):
    """A message object of the HTTP API: exactly these keys."""
    return {'id': mid, 'href': message_href(queue, claimed), 'ttl': ttl,
            'age': AN_AGE, 'body': body, **extra}


def claimed(queue, claim_id, mid, body, ttl=3600):
    """A message under the claim ``claim_id``."""
    return {'id': mid, 'href': f'/v2/queues/{queue}/messages/{mid}?claim_id={claim_id}',
            'ttl': ttl, 'age': AN_AGE, 'body': body}


def next_link(path, **query):
    """The one "next" link of a page: its path, and at least these parameters.

    Upstream repeats the effective query; which defaults it spells out is
    not part of the contract, so only the given parameters are checked.
    """
    expected = {k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in query.items()}

    def check(link):
        if not isinstance(link, dict) or set(link) != {'rel', 'href'}:
            return False
        href = urlsplit(link['href'])
        found = {k: v[-1] for k, v in parse_qs(href.query).items()}
        return (link['rel'] == 'next' and href.path == path
                and all(found.get(k) == v for k, v in expected.items()))

    return Shape(f'next link {path} {expected}', check)


def link_marker(link):
    return parse_qs(urlsplit(link['href']).query)['marker'][-1]
