"""Claims of the Redis store: a hash per claim (ttl, created, expires, the
ids it took) with a key TTL; each claimed message carries the claim's id and
expiry, which decide whether it is held."""

import time
import uuid

from zaqar.storage import base, errors
from zaqar.storage.redis import records


class ClaimController(base.ClaimController):
    def __init__(self, driver):
        self._driver = driver

    def create(self, queue, project, ttl, grace, limit=10):
        if limit <= 0:
            return None, []
        now = time.time()
        claim_id = uuid.uuid4().hex
        with self._driver.session() as session:
            found = session.script('claim', project, queue, now, claim_id,
                                   *_lease(now, ttl, grace), limit,
                                   records.KEY_TTL_MARGIN_MS)
        if not found:
            return None, []
        return claim_id, records.messages(found, now)

    def get(self, queue, claim_id, project):
        now = time.time()
        found = None
        if records.is_claim_id(claim_id):
            with self._driver.session() as session:
                found = session.script('claim_get', project, queue, now, claim_id)
        if not found:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        ttl, created, *held = found
        claim = {'id': claim_id, 'ttl': int(ttl), 'age': int(now - float(created))}
        return claim, records.messages(held, now)

    def update(self, queue, claim_id, project, ttl, grace):
        now = time.time()
        renewed = 0
        if records.is_claim_id(claim_id):
            with self._driver.session() as session:
                renewed = session.script('claim_update', project, queue, now, claim_id,
                                         *_lease(now, ttl, grace))
        if not renewed:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)

    def delete(self, queue, claim_id, project):
        if not records.is_claim_id(claim_id):
            return
        with self._driver.session() as session:
            session.script('claim_delete', project, queue, time.time(), claim_id)


def _lease(now, ttl, grace):
    """Script arguments of a claim lease (scripts/claim.lua ARGV[6..11]):
    claim ttl and expiry, then the expiry, ttl and key lifetime its
    messages are extended to, then the claim key's lifetime."""
    return [int(ttl), repr(now + ttl), repr(now + ttl + grace), int(ttl + grace),
            records.px(ttl + grace), records.px(ttl)]
