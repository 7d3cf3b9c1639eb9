"""/v2/queues/{queue_name}/messages[/{message_id}] (and the same under topics
and /v1.1, which has no per-queue limits, include_delayed or claim_ids)."""

import pecan

from zaqar.api import errors
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base


class Message:
    def __init__(self, service, queue, path, message_id):
        self._service, self._queue, self._id = service, queue, message_id
        self._base = path

    index = base.allow('GET', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        message = self._service.messages.get(base.context(), self._queue, self._id)
        return utils.respond(200, utils.message_view(message, self._base))

    @index.when(method='DELETE')
    def delete(self, **_):
        claim_id = utils.get_str(base.request(), 'claim_id')
        self._service.messages.delete(base.context(), self._queue, self._id, claim_id)
        return utils.respond(204)


class Messages:
    def __init__(self, service, version, queue, path):
        self._service, self._version, self._queue = service, version, queue
        self._base = path

    index = base.allow('GET', 'POST', 'DELETE')

    @index.when(method='POST')
    def post(self, **_):
        request = base.request()
        document = utils.read_json(request)
        ids = self._service.messages.post(base.context(), self._queue, document,
                                          request.content_length,
                                          queue_limits=self._version.queue_limits)
        return utils.respond(
            201, {'resources': [f'{self._base}/messages/{mid}' for mid in ids]},
            headers={'Location': f'{self._base}/messages?ids={",".join(ids)}'})

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        ids = utils.get_list(request, 'ids')
        if ids is not None:
            found = self._service.messages.bulk_get(base.context(), self._queue, ids)
            return utils.respond(
                200, {'messages': [utils.message_view(m, self._base) for m in found]})
        params = {
            'marker': utils.get_str(request, 'marker'),
            'limit': utils.get_int(request, 'limit'),
            'echo': utils.get_bool(request, 'echo'),
            'include_claimed': utils.get_bool(request, 'include_claimed'),
        }
        if self._version.include_delayed:
            params['include_delayed'] = utils.get_bool(request, 'include_delayed')
        page = self._service.messages.list(base.context(), self._queue, **params)
        messages = [utils.message_view(m, self._base) for m in page.items]
        links = []
        if messages:
            params['marker'] = page.marker
            links = utils.next_link(request.path_info, params)
        return utils.respond(200, {'messages': messages, 'links': links})

    @index.when(method='DELETE')
    def delete(self, **_):
        request = base.request()
        ids = utils.get_list(request, 'ids')
        pop = utils.get_int(request, 'pop')
        if ids is not None and pop is not None:
            raise errors.BadRequest(
                'pop and id params cannot be present together in the delete request.')
        if pop is not None:
            popped = self._service.messages.pop(base.context(), self._queue, pop)
            return utils.respond(200, {'messages': popped})
        if ids is None:
            raise errors.BadRequest(
                'The request should have either "ids" or "pop" parameter in the '
                'request, to be able to delete.')
        claim_ids = utils.get_list(request, 'claim_ids') if self._version.claim_ids else None
        self._service.messages.bulk_delete(base.context(), self._queue, ids, claim_ids)
        return utils.respond(204)

    @pecan.expose()
    def _lookup(self, message_id, *remainder):
        return Message(self._service, self._queue, self._base, message_id), remainder
