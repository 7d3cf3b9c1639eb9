"""/v2/queues and /v2/topics: the collection, one container, its stats,
purge and (queues only) share; messages.py, claims.py and subscriptions.py
hold the rest. One set of classes serves both kinds (zaqar/api/kinds.py)
and every API version (versions.py: /v1.1/queues has no topics, PATCH,
purge, share, subscriptions, reserved defaults or listing filters)."""

import time

import pecan

from zaqar.api import errors, kinds
from zaqar.transport.wsgi import errors as wsgi_errors
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


class _Part:
    """A resource under one queue or topic."""

    def __init__(self, service, version, kind, name):
        self._service, self._name = service, name
        self._actions = getattr(service, kind.name)
        self._path = f'{version.prefix}/{kind.name}/{name}'


class Stats(_Part):
    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        stats = self._actions.stats(base.context(), self._name)
        for key in ('oldest', 'newest'):
            if key in stats:
                stats[key] = _point(stats[key], self._path)
        return utils.respond(200, {'messages': stats})


def _point(message, base_path):
    return {'href': f'{base_path}/messages/{message["id"]}', 'age': message['age'],
            'created': time.strftime('%Y-%m-%dT%H:%M:%SZ',
                                     time.gmtime(message['created']))}


class Purge(_Part):
    index = base.allow('POST')

    @index.when(method='POST')
    def post(self, **_):
        document = utils.read_json(base.request(), required=False)
        self._actions.purge(base.context(), self._name, document)
        return utils.respond(204)


class Share(_Part):
    index = base.allow('POST')

    @index.when(method='POST')
    def post(self, **_):
        document = utils.read_json(base.request())
        signed = self._service.shares.share(base.context(), self._path, document)
        return utils.respond(200, signed)


class Container(_Part):
    """/v2/queues/{name} or /v2/topics/{name} (or /v1.1/queues/{name})."""

    # The sub-resources a container may have (which ones depend on the
    # version and kind: _child); routing.py and the docs' route walk ask
    # for them by name.
    CHILDREN = ('stats', 'messages', 'purge', 'subscriptions', 'claims', 'share')

    def __init__(self, service, version, kind, name):
        super().__init__(service, version, kind, name)
        self._version, self._kind = version, kind
        self.allowed = version.queue_methods

    def _child(self, segment):
        """The sub-resource ``segment``, or None. Built on demand: a request
        reaches one of them at most, and building all six on every request
        cost several microseconds of each post."""
        version, kind, name = self._version, self._kind, self._name
        if segment == 'messages':
            return messages.Messages(self._service, version, name, self._path)
        if segment == 'stats':
            return Stats(self._service, version, kind, name)
        extras = version.queue_extras
        if segment == 'purge' and 'purge' in extras:
            return Purge(self._service, version, kind, name)
        if segment == 'subscriptions' and 'subscriptions' in extras:
            return subscriptions.Subscriptions(self._service, name)
        if kind is kinds.QUEUES:  # topics are not claimed or shared
            if segment == 'claims':
                return claims.Claims(self._service, name, self._path)
            if segment == 'share' and 'share' in extras:
                return Share(self._service, version, kind, name)
        return None

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        self._service.validate.queue_metadata_length(request.content_length)
        metadata = utils.read_json(request, required=False)
        created = self._actions.create(base.context(), self._name, metadata)
        return utils.respond(201 if created else 204,
                             headers={'Location': request.path_info})

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, self._actions.get(
            base.context(), self._name, show_defaults=self._version.reserved_defaults))

    @index.when(method='PATCH')
    def patch(self, **_):
        if not self._version.queue_patch:
            raise wsgi_errors.MethodNotAllowed(self.allowed)
        request = base.request()
        if request.content_type != PATCH_TYPE:
            raise errors.UnsupportedMediaType(
                f"Accepted media type for PATCH: {{'Accept-Patch': '{PATCH_TYPE}'}}.")
        self._service.validate.queue_metadata_length(request.content_length)
        if not request.content_length:
            raise errors.InvalidBody('PATCH body could not be empty for update.')
        document = utils.read_json(request)
        metadata = self._actions.update(base.context(), self._name, document)
        return utils.respond(200, metadata)

    @index.when(method='DELETE')
    def delete(self, **_):
        self._actions.delete(base.context(), self._name)
        return utils.respond(204)


class Collection:
    """/v2/queues or /v2/topics (or /v1.1/queues)."""

    def __init__(self, service, version, kind=kinds.QUEUES):
        self._service, self._version, self._kind = service, version, kind
        self._actions = getattr(service, kind.name)

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        kind, version = self._kind, self._version
        params = {
            'marker': utils.get_str(request, 'marker'),
            'limit': utils.get_int(request, 'limit'),
            'detailed': utils.get_bool(request, 'detailed'),
        }
        kfilter = None
        if version.queue_filters:
            params['name'] = utils.get_str(request, 'name')
            if kind.counts:
                params['with_count'] = utils.get_bool(request, 'with_count')
            kfilter = _kfilter(request)
        page, count = self._actions.list(base.context(), kfilter=kfilter,
                                         show_defaults=version.reserved_defaults, **params)
        items = []
        for item in page.items:
            item['href'] = f'{version.prefix}/{kind.name}/{item["name"]}'
            items.append(item)
        links = []
        if items:
            params['marker'] = page.marker
            links = utils.next_link(request.path_info, params)
        body = {kind.name: items, 'links': links}
        if count:
            body['count'] = count
        return utils.respond(200, body)

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Container(self._service, self._version, self._kind, name), remainder
