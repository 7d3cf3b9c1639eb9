"""Producers and consumers over HTTP, and the ledger of what they saw.

Every request goes to one of the servers, drawn at random; only a refused
connection (the request never left) sends it to the next one. A request
whose reply was lost is recorded as such (status None), never repeated
with the same body. Bodies are unique strings, so a message is recognised
wherever it shows up (a claim, the final listing).

Producers post batches of one to three messages to the consumed queues,
and single messages with the shortest TTL to a queue nobody consumes (in
a long run they expire). Consumers claim up to five messages and delete
each under its claim, except that now and then one abandons a claim (the
messages come back when it expires, in a long run).
"""

import dataclasses
import itertools
import random
import threading
import time
import urllib.parse
import uuid

import requests
import urllib3

from tests.outage import UNAVAILABLE_TITLE

CONSUMED_QUEUES = ('soak-0', 'soak-1', 'soak-2')
EXPIRING_QUEUE = 'soak-ttl'
MESSAGE_TTL = 600
SHORT_TTL = 60  # the least the API accepts
CLAIM_TTL = GRACE = 60  # the least the API accepts
CLAIM_LIMIT = 5
ABANDON = 0.02  # chance that a consumer walks away from a claim
TIMEOUT = (5, 30)  # seconds: connect, read; a reply slower than this is a hang
PAUSE = 0.02  # seconds between a thread's requests: leave the cores some air
IDLE = 0.1  # seconds a consumer waits when nothing was claimed

# What each kind of request may answer; anything else is a finding.
EXPECTED = {
    'post': {201, 503},
    'claim': {201, 204, 503},
    'delete': {204, 503},
    'list': {200, 503},
}


@dataclasses.dataclass
class Post:
    queue: str
    bodies: list
    ttl: int
    sent: float
    returned: float = None
    status: int = None  # None: no reply
    ids: list = None  # in the order of bodies, when acknowledged (201)


@dataclasses.dataclass
class Claim:
    queue: str
    sent: float
    returned: float
    claim_id: str
    messages: list  # [(id, body)]
    ttl: int = CLAIM_TTL
    grace: int = GRACE


@dataclasses.dataclass
class Delete:
    queue: str
    message_id: str
    claim_id: str
    sent: float
    returned: float = None
    status: int = None


class Ledger:
    """What the clients sent and got back; appended to by many threads."""

    def __init__(self):
        self.run = uuid.uuid4().hex[:8]
        self.posts, self.claims, self.deletes = [], [], []
        self.statuses = {}  # (kind, status) -> count; status None: no reply
        self.findings = []  # replies no client should ever see
        self.timeouts = 0
        self.unavailable_at = []  # monotonic times of the 503s
        self._lock = threading.Lock()
        self._seq = itertools.count()

    def body(self, who):
        return f'{self.run}:{who}:{next(self._seq)}'

    def add(self, records, item):
        with self._lock:
            records.append(item)

    def saw(self, kind, status, reply=None, error=None):
        with self._lock:
            key = (kind, status)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status == 503:
                self.unavailable_at.append(time.monotonic())
            if isinstance(error, requests.Timeout):
                self.timeouts += 1
                self.findings.append(f'{kind}: no reply within {TIMEOUT[1]} s: {error}')
            elif status not in (None, 'refused') and status not in EXPECTED[kind]:
                self.findings.append(f'{kind}: unexpected {status}: {reply}')
            elif status == 503 and not is_unavailable(reply):
                self.findings.append(f'{kind}: 503 without title and description: {reply}')

    def count(self, status=None, kind=None):
        return sum(n for (k, s), n in self.statuses.items()
                   if (kind is None or k == kind) and (status is None or s == status))


def _refused(exc):
    reason = getattr(exc.args[0] if exc.args else None, 'reason', None)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def is_unavailable(reply):
    """The body of a 503 from a store that is away."""
    return (isinstance(reply, dict) and set(reply) == {'title', 'description'}
            and reply['title'] == UNAVAILABLE_TITLE and bool(reply['description']))


class Client:
    """One thread's HTTP client, for a project, over several servers."""

    def __init__(self, urls, project, ledger):
        self.urls = urls
        self.ledger = ledger
        self.session = requests.Session()
        self.session.headers.update({'Client-ID': str(uuid.uuid4()),
                                     'X-Project-ID': project})

    def call(self, kind, method, path, body=None):
        """(status, JSON reply, response); status None when no reply came.

        A server that refuses the connection never saw the request: the
        next one gets it (as a client behind a load balancer would)."""
        for url in random.sample(self.urls, len(self.urls)):
            try:
                response = self.session.request(method, url + path, json=body,
                                                timeout=TIMEOUT)
                break
            except requests.ConnectionError as exc:
                if not _refused(exc):
                    self.ledger.saw(kind, None, error=exc)
                    return None, None, None
                self.ledger.saw(kind, 'refused')
            except requests.RequestException as exc:
                self.ledger.saw(kind, None, error=exc)
                return None, None, None
        else:
            return None, None, None
        try:
            reply = response.json() if response.content else None
        except ValueError:
            reply = response.text
        self.ledger.saw(kind, response.status_code, reply)
        return response.status_code, reply, response

    def close(self):
        self.session.close()


class Worker(threading.Thread):
    def __init__(self, name, client, stop, pause=PAUSE):
        super().__init__(name=name, daemon=True)
        self.client = client
        self.stop = stop
        self.pause = pause
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                self.step()
                self.stop.wait(self.pause)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.client.close()


class Producer(Worker):
    def __init__(self, name, client, stop, queues, ttl, batch, pause=PAUSE):
        super().__init__(name, client, stop, pause)
        self.queues = itertools.cycle(queues)
        self.ttl = ttl
        self.batch = batch

    def step(self):
        ledger = self.client.ledger
        queue = next(self.queues)
        bodies = [ledger.body(self.name) for _ in range(random.randint(1, self.batch))]
        post = Post(queue, bodies, self.ttl, time.monotonic())
        ledger.add(ledger.posts, post)  # before sending: a lost reply counts too
        status, reply, _ = self.client.call(
            'post', 'POST', f'/v2/queues/{queue}/messages',
            {'messages': [{'body': body, 'ttl': self.ttl} for body in bodies]})
        post.returned, post.status = time.monotonic(), status
        if status == 201:
            post.ids = [href.rsplit('/', 1)[1] for href in reply['resources']]


class Consumer(Worker):
    def __init__(self, name, client, stop, queues):
        super().__init__(name, client, stop)
        self.queues = itertools.cycle(queues)

    def step(self):
        ledger = self.client.ledger
        queue = next(self.queues)
        sent = time.monotonic()
        status, reply, response = self.client.call(
            'claim', 'POST', f'/v2/queues/{queue}/claims?limit={CLAIM_LIMIT}',
            {'ttl': CLAIM_TTL, 'grace': GRACE})
        if status != 201:
            if status == 204:
                self.stop.wait(IDLE)
            return
        claim_id = response.headers['Location'].rsplit('/', 1)[1]
        claim = Claim(queue, sent, time.monotonic(), claim_id,
                      [(m['id'], m['body']) for m in reply['messages']])
        ledger.add(ledger.claims, claim)
        if random.random() < ABANDON:
            return
        for message_id, _ in claim.messages:
            self.delete(queue, message_id, claim_id)

    def delete(self, queue, message_id, claim_id):
        ledger = self.client.ledger
        record = Delete(queue, message_id, claim_id, time.monotonic())
        ledger.add(ledger.deletes, record)
        record.status, _, _ = self.client.call(
            'delete', 'DELETE', f'/v2/queues/{queue}/messages/{message_id}'
                                f'?claim_id={claim_id}')
        record.returned = time.monotonic()


class Load:
    """Producers and consumers of one project, started and stopped together."""

    def __init__(self, urls, producers=2, consumers=4):
        self.urls = list(urls)
        self.project = f'soak-{uuid.uuid4().hex[:8]}'
        self.ledger = Ledger()
        self.stop_event = threading.Event()
        client = self.client
        self.workers = (
            [Producer(f'p{i}', client(), self.stop_event, CONSUMED_QUEUES,
                      MESSAGE_TTL, 3) for i in range(producers)]
            # The queue nobody consumes: a message about twice a second.
            + [Producer('ttl', client(), self.stop_event, [EXPIRING_QUEUE], SHORT_TTL, 1,
                        pause=0.5)]
            + [Consumer(f'c{i}', client(), self.stop_event, CONSUMED_QUEUES)
               for i in range(consumers)])

    def client(self):
        return Client(self.urls, self.project, self.ledger)

    def start(self):
        for worker in self.workers:
            worker.start()

    def stop(self):
        self.stop_event.set()
        for worker in self.workers:
            worker.join(TIMEOUT[0] + TIMEOUT[1] + 5)
        errors = [f'{w.name}: {w.error!r}' for w in self.workers if w.error]
        stuck = [w.name for w in self.workers if w.is_alive()]
        assert not errors and not stuck, (errors, stuck)

    def remaining(self, deadline=60):
        """{queue: [(id, body)]}: every message still in the queues, claimed
        or not, listed page by page (retrying a 503 until ``deadline``)."""
        client = Client(self.urls[:1], self.project, self.ledger)
        try:
            return {queue: list(_listing(client, queue, time.monotonic() + deadline))
                    for queue in (*CONSUMED_QUEUES, EXPIRING_QUEUE)}
        finally:
            client.close()


def _listing(client, queue, deadline):
    path = f'/v2/queues/{queue}/messages?include_claimed=true&echo=true&limit=20'
    while True:
        status, reply, _ = client.call('list', 'GET', path)
        if status != 200:
            assert time.monotonic() < deadline, f'listing {queue}: {status} {reply}'
            time.sleep(0.5)
            continue
        if not reply['messages']:
            return
        for message in reply['messages']:
            yield message['id'], message['body']
        link = reply['links'][0]['href']
        path = link if link.startswith('/') else urllib.parse.urlsplit(link).path
