"""/v2/queues and /v2/queues/{queue_name}[/stats|/purge|/share]; the rest of a
queue's routes live in messages.py, claims.py and subscriptions.py."""

import time

import pecan

from zaqar.api import errors
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base, claims, messages, subscriptions

PATCH_TYPE = 'application/openstack-messaging-v2.0-json-patch'
_LIST_PARAMS = ('marker', 'limit', 'detailed', 'name', 'with_count')


def _kfilter(request):
    """Every unknown query parameter filters on metadata (ints as ints)."""
    kfilter = {}
    for key, value in request.GET.items():
        if key not in _LIST_PARAMS and value != '':
            kfilter[key] = int(value) if utils.INTEGER.match(value) else value
    return kfilter


class Stats:
    def __init__(self, service, name):
        self._service, self._name = service, name

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        stats = self._service.queues.stats(base.context(), self._name)
        base_path = f'/v2/queues/{self._name}'
        for key in ('oldest', 'newest'):
            if key in stats:
                stats[key] = _point(stats[key], base_path)
        return utils.respond(200, {'messages': stats})


def _point(message, base_path):
    return {'href': f'{base_path}/messages/{message["id"]}', 'age': message['age'],
            'created': time.strftime('%Y-%m-%dT%H:%M:%SZ',
                                     time.gmtime(message['created']))}


class Purge:
    def __init__(self, service, name):
        self._service, self._name = service, name

    index = base.allow('POST')

    @index.when(method='POST')
    def post(self, **_):
        document = utils.read_json(base.request(), required=False)
        self._service.queues.purge(base.context(), self._name, document)
        return utils.respond(204)


class Share:
    def __init__(self, service, name):
        self._service, self._name = service, name

    index = base.allow('POST')

    @index.when(method='POST')
    def post(self, **_):
        document = utils.read_json(base.request())
        signed = self._service.shares.share(
            base.context(), f'/v2/queues/{self._name}', document)
        return utils.respond(200, signed)


class Queue:
    def __init__(self, service, name):
        self._service, self._name = service, name
        self.stats = Stats(service, name)
        self.purge = Purge(service, name)
        self.share = Share(service, name)
        self.messages = messages.Messages(service, name)
        self.claims = claims.Claims(service, name)
        self.subscriptions = subscriptions.Subscriptions(service, name)

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        self._service.validate.queue_metadata_length(request.content_length)
        metadata = utils.read_json(request, required=False)
        created = self._service.queues.create(base.context(), self._name, metadata)
        return utils.respond(201 if created else 204,
                             headers={'Location': request.path_info})

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, self._service.queues.get(base.context(), self._name))

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        if request.content_type != PATCH_TYPE:
            raise errors.UnsupportedMediaType(
                f"Accepted media type for PATCH: {{'Accept-Patch': '{PATCH_TYPE}'}}.")
        self._service.validate.queue_metadata_length(request.content_length)
        if not request.content_length:
            raise errors.InvalidBody('PATCH body could not be empty for update.')
        document = utils.read_json(request)
        metadata = self._service.queues.update(base.context(), self._name, document)
        return utils.respond(200, metadata)

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.queues.delete(base.context(), self._name)
        return utils.respond(204)


class Queues:
    def __init__(self, service):
        self._service = service

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        params = {
            'marker': utils.get_str(request, 'marker'),
            'limit': utils.get_int(request, 'limit'),
            'detailed': utils.get_bool(request, 'detailed'),
            'name': utils.get_str(request, 'name'),
            'with_count': utils.get_bool(request, 'with_count'),
        }
        page, count = self._service.queues.list(
            base.context(), kfilter=_kfilter(request), **params)
        queues = []
        for queue in page.items:
            queue['href'] = f'/v2/queues/{queue["name"]}'
            queues.append(queue)
        links = []
        if queues:
            params['marker'] = page.marker
            links = utils.next_link(request.path_info, params)
        body = {'queues': queues, 'links': links}
        if count:
            body['count'] = count
        return utils.respond(200, body)

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Queue(self._service, name), remainder
