"""Every acknowledged message accounted for, from the ledger and what is left.

An acknowledged post (201 with ids) must end in exactly one of:

* consumed: deleted under a claim (204), or claimed and deleted when the
  delete's reply was lost and the message is gone;
* left: still in its queue (listed with include_claimed at the end);
* expired: gone, and its TTL (stretched by its claims) could have run out.

Anything else is lost. A post whose reply was lost, or that answered 503,
may still have stored its messages (at-least-once): those are counted as
"stored but unacknowledged" wherever they show up, never as findings.

Duplicates are findings: two claims holding the same message while both
are surely alive, a message deleted twice (204 twice) or claimed again
after its delete was acknowledged, a message listed or stored twice (one
body under two ids), or a message whose body is not the one posted.

Times are the client's monotonic clock. A claim is created somewhere
between its request and its reply, so two claims of one message surely
overlap when the later reply came before the earlier request plus the
claim TTL; SLACK seconds cover the stores' whole-second timestamps.
"""

import collections
import dataclasses
import itertools

SLACK = 2.0


@dataclasses.dataclass
class Counts:
    posted: int = 0  # messages sent in posts
    acked: int = 0  # messages acknowledged (201)
    consumed: int = 0  # acknowledged, deleted under a claim (204)
    consumed_unconfirmed: int = 0  # acknowledged, claimed, gone, delete reply lost
    left: int = 0  # acknowledged, still in the queues
    expired: int = 0  # acknowledged, gone after their TTL
    unacked: int = 0  # sent without acknowledgement
    unacked_stored: int = 0  # of which seen in a claim or the final listing
    lost: int = 0
    duplicates: int = 0
    reclaimed: int = 0  # claims of a message after its first
    claims: int = 0
    deletes: int = 0

    def line(self):
        return ', '.join(f'{k}={v}' for k, v in dataclasses.asdict(self).items())


def account(ledger, remaining, finished):
    """(Counts, findings) for a ledger and the final listing ``remaining``
    ({queue: [(id, body)]}) taken at monotonic time ``finished``."""
    books = _Books(ledger)
    books.check_claims()
    books.check_deletes()
    books.check_remaining(remaining)
    books.check_bodies()
    books.settle(finished)
    return books.counts, books.findings


class _Books:
    def __init__(self, ledger):
        self.counts = Counts(claims=len(ledger.claims), deletes=len(ledger.deletes))
        self.findings = []
        self.acked = {}  # (queue, id) -> (post, body); an id is unique in its queue
        self.post_of = {}  # body -> post
        for post in ledger.posts:
            self.counts.posted += len(post.bodies)
            for body in post.bodies:
                self.post_of[body] = post
            if post.ids is not None:
                if len(post.ids) != len(post.bodies):
                    self.findings.append(f'post of {len(post.bodies)} answered '
                                         f'{len(post.ids)} ids')
                for message_id, body in zip(post.ids, post.bodies, strict=False):
                    message_id = (post.queue, message_id)  # ids are per queue
                    if message_id in self.acked:
                        self._duplicate(f'id {message_id} acknowledged twice')
                    self.acked[message_id] = (post, body)
        self.counts.acked = len(self.acked)
        self.counts.unacked = self.counts.posted - sum(
            len(p.bodies) for p in ledger.posts if p.ids is not None)
        self.claims = ledger.claims
        self.deletes = ledger.deletes
        self.claims_of = collections.defaultdict(list)  # id -> [Claim]
        self.ids_of = collections.defaultdict(set)  # body -> ids seen
        self.deleted = {}  # id -> first Delete answered 204
        self.unsure = set()  # ids whose delete got no reply or a 503
        self.left = {}  # id -> body

    def _duplicate(self, finding):
        self.counts.duplicates += 1
        self.findings.append(finding)

    def _seen(self, message_id, body, where):
        """A message came back: is it one we posted, with its own body?"""
        self.ids_of[body].add(message_id)
        if message_id in self.acked:
            posted = self.acked[message_id][1]
            if posted != body:
                self.findings.append(f'{where}: {message_id} has body {body!r}, '
                                     f'posted as {posted!r}')
        elif body not in self.post_of:
            self.findings.append(f'{where}: {message_id} with a body nobody posted: '
                                 f'{body!r}')

    def check_claims(self):
        for claim in self.claims:
            for message_id, body in claim.messages:
                message_id = (claim.queue, message_id)
                self._seen(message_id, body, f'claim {claim.claim_id}')
                self.claims_of[message_id].append(claim)
        for message_id, claims in self.claims_of.items():
            claims.sort(key=lambda c: c.sent)
            self.counts.reclaimed += len(claims) - 1
            for earlier, later in itertools.combinations(claims, 2):
                if later.returned < earlier.sent + earlier.ttl - SLACK:
                    self._duplicate(
                        f'{message_id} under two live claims: {earlier.claim_id} '
                        f'and {later.claim_id}, {later.returned - earlier.sent:.1f} s '
                        'apart')

    def check_deletes(self):
        for delete in self.deletes:
            message_id = (delete.queue, delete.message_id)
            if delete.status == 204:
                if message_id in self.deleted:
                    self._duplicate(f'{message_id} deleted twice under claims '
                                    f'{self.deleted[message_id].claim_id} and '
                                    f'{delete.claim_id}')
                else:
                    self.deleted[message_id] = delete
            else:
                self.unsure.add(message_id)
        for message_id, delete in self.deleted.items():
            for claim in self.claims_of[message_id]:
                if claim.sent > delete.returned:
                    self._duplicate(f'{message_id} claimed ({claim.claim_id}) after '
                                    'its delete was acknowledged')

    def check_remaining(self, remaining):
        for queue, messages in remaining.items():
            for message_id, body in messages:
                message_id = (queue, message_id)
                self._seen(message_id, body, f'queue {queue}')
                if message_id in self.left:
                    self._duplicate(f'{message_id} listed twice')
                self.left[message_id] = body
                if message_id in self.deleted:
                    self.findings.append(f'{message_id} still in {queue} after its '
                                         'delete was acknowledged')

    def check_bodies(self):
        for body, ids in self.ids_of.items():
            if len(ids) > 1:
                self._duplicate(f'{body!r} stored {len(ids)} times: {sorted(ids)}')
            post = self.post_of.get(body)
            if post is not None and post.ids is None:
                self.counts.unacked_stored += 1

    def settle(self, finished):
        counts = self.counts
        for message_id, (post, body) in self.acked.items():
            if message_id in self.left:
                counts.left += 1
            elif message_id in self.deleted:
                counts.consumed += 1
            elif message_id in self.unsure:
                counts.consumed_unconfirmed += 1
            elif finished + SLACK >= self._earliest_expiry(message_id, post):
                counts.expired += 1
            else:
                counts.lost += 1
                self.findings.append(f'lost: {message_id} ({body!r}, {post.queue}), '
                                     f'claimed {len(self.claims_of[message_id])} times')

    def _earliest_expiry(self, message_id, post):
        """A message lives its TTL from its post, and at least as long as
        each claim on it (a claim stretches a message that would expire
        first)."""
        return max([post.sent + post.ttl]
                   + [c.sent + c.ttl for c in self.claims_of[message_id]])
