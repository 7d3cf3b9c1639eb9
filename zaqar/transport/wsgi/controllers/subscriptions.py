"""/v2/queues/{queue_name}/subscriptions[/{subscription_id}[/confirm]]."""

import pecan

from zaqar.api import errors
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base


class Confirm:
    def __init__(self, service, queue, subscription_id):
        self._service, self._queue, self._id = service, queue, subscription_id

    index = base.allow('PUT')

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        document = utils.read_json(request, required=False)
        self._service.subscriptions.confirm(base.context(), self._queue, self._id, document)
        return utils.respond(204, headers={'Location': request.path_info})


class Subscription:
    def __init__(self, service, queue, subscription_id):
        self._service, self._queue, self._id = service, queue, subscription_id
        self.confirm = Confirm(service, queue, subscription_id)

    index = base.allow('GET', 'PATCH', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, self._service.subscriptions.get(
            base.context(), self._queue, self._id))

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        document = utils.read_json(request, required=False)
        self._service.subscriptions.update(base.context(), self._queue, self._id, document)
        return utils.respond(204, headers={'Location': request.path_info})

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.subscriptions.delete(base.context(), self._queue, self._id)
        return utils.respond(204)


class Subscriptions:
    def __init__(self, service, queue):
        self._service, self._queue = service, queue

    index = base.allow('GET', 'POST')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        params = {'marker': utils.get_str(request, 'marker'),
                  'limit': utils.get_int(request, 'limit')}
        page = self._service.subscriptions.list(base.context(), self._queue, **params)
        links = []
        if page.items:
            links = utils.next_link(request.path_info, {**params, 'marker': page.marker})
        return utils.respond(200, {'subscriptions': page.items, 'links': links})

    @index.when(method='POST')
    def post(self, **_):
        request = base.request()
        document = utils.read_json(request, required=False)
        try:
            sid = self._service.subscriptions.create(base.context(), self._queue, document)
        except errors.Conflict as exc:
            exc.headers['Location'] = request.path_info  # upstream points at the collection
            raise
        return utils.respond(201, {'subscription_id': sid},
                             headers={'Location': request.path_info})

    @pecan.expose()
    def _lookup(self, subscription_id, *remainder):
        return Subscription(self._service, self._queue, subscription_id), remainder
