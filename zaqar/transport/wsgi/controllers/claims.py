"""/v2/queues/{queue_name}/claims[/{claim_id}]."""

import pecan

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base


class Claim:
    def __init__(self, service, queue, path, claim_id):
        self._service, self._queue, self._id = service, queue, claim_id
        self._base = path

    index = base.allow('GET', 'PATCH', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        meta, messages = self._service.claims.get(base.context(), self._queue, self._id)
        return utils.respond(200, {
            'age': meta['age'], 'ttl': meta['ttl'],
            'messages': [utils.message_view(m, self._base) for m in messages],
            'href': f'{self._base}/claims/{self._id}'})

    @index.when(method='PATCH')
    def patch(self, **_):
        document = utils.read_json(base.request())
        self._service.claims.update(base.context(), self._queue, self._id, document)
        return utils.respond(204)

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.claims.delete(base.context(), self._queue, self._id)
        return utils.respond(204)


class Claims:
    def __init__(self, service, queue, path):
        self._service, self._queue = service, queue
        self._base = path

    index = base.allow('POST')

    @index.when(method='POST')
    def post(self, **_):
        request = base.request()
        limit = utils.get_int(request, 'limit')
        document = utils.read_json(request, required=False)
        claim_id, messages = self._service.claims.create(
            base.context(), self._queue, document, limit)
        if not claim_id:
            return utils.respond(204)
        return utils.respond(
            201, {'messages': [utils.message_view(m, self._base) for m in messages]},
            headers={'Location': f'{self._base}/claims/{claim_id}'})

    @pecan.expose()
    def _lookup(self, claim_id, *remainder):
        return Claim(self._service, self._queue, self._base, claim_id), remainder
