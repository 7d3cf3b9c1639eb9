"""Claim actions of the service layer."""

from zaqar.api import errors
from zaqar.storage import errors as storage_errors


class Claims:
    def __init__(self, deps):
        self._deps = deps
        self._store = deps.storage.claim_controller
        self._limits = deps.validate.limits  # read once per option

    def _options(self, document, check_grace=True):
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise errors.InvalidBody('Claim options must be a JSON object.')
        ttl = document.get('ttl', self._limits.default_claim_ttl)
        grace = document.get('grace', self._limits.default_claim_grace)
        self._deps.validate.claim_ttl(ttl)
        if check_grace:
            self._deps.validate.claim_grace(grace)
        elif not isinstance(grace, int):
            raise errors.BadRequest('The grace for a claim must be an integer.')
        return ttl, grace

    def create(self, ctx, queue, document, limit=None):
        self._deps.enforce('claims:create', ctx)
        self._deps.validate.claim_limit(limit)
        ttl, grace = self._options(document)
        return self._store.create(queue, ctx.scope, ttl, grace, limit=limit or 10)

    def get(self, ctx, queue, claim_id):
        self._deps.enforce('claims:get', ctx)
        try:
            return self._store.get(queue, claim_id, ctx.scope)
        except storage_errors.ClaimDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def update(self, ctx, queue, claim_id, document):
        self._deps.enforce('claims:update', ctx)
        ttl, grace = self._options(document, check_grace=False)
        try:
            self._store.update(queue, claim_id, ctx.scope, ttl, grace)
        except storage_errors.ClaimDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def delete(self, ctx, queue, claim_id):
        self._deps.enforce('claims:delete', ctx)
        self._store.delete(queue, claim_id, ctx.scope)
