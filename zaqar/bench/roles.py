"""What one worker of each role does per step, and how it is recorded.

A step is one producer post, one consumer cycle (a claim, then the delete
of what it claimed) or one observer page. Each worker thread owns a
Recorder; nothing is shared between threads but the progress slot it writes.
"""

import array
import json
import random
import time
import urllib.parse

from zaqar.bench import config


class Recorder:
    """Counts and latencies of one worker thread."""

    def __init__(self, progress=None, slot=0):
        self.latencies = {}
        self.statuses = {}
        self.requests = self.ok = self.errors = self.messages = self.empty = 0
        self._progress = progress
        self._slot = slot

    def record(self, kind, seconds, status, good):
        """One request of ``kind``; ``status`` is None when no answer came."""
        samples = self.latencies.get(kind)
        if samples is None:
            samples = self.latencies[kind] = array.array('d')
        samples.append(seconds)
        self.requests += 1
        key = f'{kind} {status or "failed"}'
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if good:
            self.ok += 1
        else:
            self.errors += 1
        if self._progress is not None:
            self._progress[self._slot] = self.requests

    def result(self):
        return {'requests': self.requests, 'ok': self.ok, 'errors': self.errors,
                'messages': self.messages, 'empty': self.empty,
                'statuses': dict(self.statuses), 'latencies': self.latencies, 'cpu': 0.0}


def merge(results):
    """One result from the results of several workers of a process."""
    merged = Recorder().result()
    for result in results:
        for key in ('requests', 'ok', 'errors', 'messages', 'empty'):
            merged[key] += result[key]
        for status, count in result['statuses'].items():
            merged['statuses'][status] = merged['statuses'].get(status, 0) + count
        for kind, samples in result['latencies'].items():
            merged['latencies'].setdefault(kind, array.array('d')).extend(samples)
    return merged


def _timed(conn, method, path, body=b''):
    """(response or None, seconds): None when the request failed."""
    start = time.perf_counter()
    try:
        response = conn.request(method, path, body)
    except OSError:
        response = None
    return response, time.perf_counter() - start


class Producer:
    """Posts messages (one per request by default) to a random queue."""

    def __init__(self, args, rng=None):
        self._rng = rng or random.Random()
        self._paths = [f'/v2/queues/{q}/messages' for q in config.queue_names(args)]
        self._bodies = config.load_messages(args.messages_path)

    def step(self, conn, rec):
        body = config.choose(self._bodies, self._rng.random())
        response, seconds = _timed(conn, 'POST', self._rng.choice(self._paths), body)
        status = response and response.status
        rec.record('post', seconds, status, status == 201)
        rec.messages += status == 201  # each body holds one message


class Consumer:
    """Claims up to ``messages_per_claim`` messages of a random queue and
    deletes them: with one request by ids, or one request each."""

    def __init__(self, args, rng=None):
        self._rng = rng or random.Random()
        self._queues = [f'/v2/queues/{q}' for q in config.queue_names(args)]
        self._claim_query = f'/claims?limit={args.messages_per_claim}'
        self._claim_body = json.dumps({'ttl': args.claim_ttl,
                                       'grace': args.claim_grace}).encode()
        self._each = args.delete_mode == 'each'

    def step(self, conn, rec):
        queue = self._rng.choice(self._queues)
        start = time.perf_counter()
        response, seconds = _timed(conn, 'POST', queue + self._claim_query, self._claim_body)
        status = response and response.status
        rec.record('claim', seconds, status, status in (201, 204))
        if status != 201:
            rec.empty += status == 204
            return
        messages = json.loads(response.body)['messages']
        if self._each:
            deleted = sum(self._delete(conn, rec, m['href']) for m in messages)
        else:
            ids = ','.join(m['id'] for m in messages)
            deleted = len(messages) if self._delete(
                conn, rec, f'{queue}/messages?ids={ids}') else 0
        rec.messages += deleted
        rec.latencies.setdefault('cycle', array.array('d')).append(
            time.perf_counter() - start)

    @staticmethod
    def _delete(conn, rec, path):
        response, seconds = _timed(conn, 'DELETE', path)
        status = response and response.status
        rec.record('delete', seconds, status, status == 204)
        return status == 204


class Observer:
    """Lists a page of a random queue (claimed messages included), and the
    next page of that queue on its next visit."""

    def __init__(self, args, rng=None):
        self._rng = rng or random.Random()
        self._queues = config.queue_names(args)
        self._limit = args.messages_per_list
        self._markers = {}

    def step(self, conn, rec):
        queue = self._rng.choice(self._queues)
        path = (f'/v2/queues/{queue}/messages?limit={self._limit}'
                '&include_claimed=true&echo=true')
        if queue in self._markers:
            path += f'&marker={self._markers[queue]}'
        response, seconds = _timed(conn, 'GET', path)
        status = response and response.status
        rec.record('list', seconds, status, status in (200, 204))
        if status == 200:
            page = json.loads(response.body)
            rec.messages += len(page.get('messages', ()))
            marker = next_marker(page)
            if page.get('messages') and marker:
                self._markers[queue] = marker


def next_marker(page):
    """The marker of a listing's ``next`` link, or None."""
    for link in page.get('links', ()):
        if link.get('rel') == 'next':
            query = urllib.parse.urlsplit(link.get('href', '')).query
            values = urllib.parse.parse_qs(query).get('marker')
            return values[0] if values else None
    return None


ROLE_CLASSES = {'producer': Producer, 'consumer': Consumer, 'observer': Observer}
