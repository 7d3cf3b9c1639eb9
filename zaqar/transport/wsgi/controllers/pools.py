"""/v2/pools[/{pool}] and /v2/flavors[/{flavor}]: admin, with pooling on.

The same under /v1.1, whose documents name pool groups (versions.py:
``fields``) where v2 names flavors and pool lists."""

import pecan

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base


def _listing(request, actions, key, version, show):
    params = {'marker': utils.get_str(request, 'marker'),
              'limit': utils.get_int(request, 'limit'),
              'detailed': utils.get_bool(request, 'detailed')}
    page = actions.list(base.context(), **params)
    items = [{**show(item), 'href': f'{version.prefix}/{key}/{item["name"]}'}
             for item in page.items]
    links = []
    if items:
        links = utils.next_link(request.path_info, {**params, 'marker': page.marker})
    return {key: items, 'links': links}


class Pool:
    def __init__(self, service, version, name):
        self._service, self._name = service, name
        self._fields = version.fields

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        pool = self._service.pools.get(base.context(), self._name,
                                       detailed=utils.get_bool(request, 'detailed'))
        return utils.respond(200, {**self._fields.pool_out(pool), 'href': request.path_info})

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        document = self._fields.pool_in(utils.read_json(request))
        self._service.pools.create(base.context(), self._name, document)
        return utils.respond(201, headers={'Location': request.path_info})

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        document = self._fields.pool_in(utils.read_json(request), update=True)
        pool = self._service.pools.update(base.context(), self._name, document)
        return utils.respond(200, {**self._fields.pool_out(pool), 'href': request.path_info})

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.pools.delete(base.context(), self._name)
        return utils.respond(204)


class Pools:
    def __init__(self, service, version):
        self._service, self._version = service, version

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        body = _listing(request, self._service.pools, 'pools', self._version,
                        self._version.fields.pool_out)
        location = request.path_info + (f'?{request.query_string}' if request.query_string
                                        else '')
        return utils.respond(200, body, headers={'Content-Location': location})

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Pool(self._service, self._version, name), remainder


class Flavor:
    def __init__(self, service, version, name):
        self._service, self._name = service, name
        self._fields = version.fields

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    def _document(self, request, update=False):
        # v1.1 reads the pools of a group first: only for those who may write.
        self._service.enforce('flavors:update' if update else 'flavors:create',
                              base.context())
        return self._fields.flavor_in(utils.read_json(request), self._service.flavors,
                                      self._name, update=update)

    @index.when(method='GET')
    def get(self, **_):
        flavor = self._service.flavors.get(base.context(), self._name)
        return utils.respond(200, {**self._fields.flavor_out(flavor),
                                   'href': base.request().path_info})

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        self._service.flavors.create(base.context(), self._name, self._document(request))
        return utils.respond(201, headers={'Location': request.path_info})

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        flavor = self._service.flavors.update(base.context(), self._name,
                                              self._document(request, update=True))
        return utils.respond(200, {**self._fields.flavor_out(flavor),
                                   'href': request.path_info})

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.flavors.delete(base.context(), self._name)
        return utils.respond(204)


class Flavors:
    def __init__(self, service, version):
        self._service, self._version = service, version

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, _listing(base.request(), self._service.flavors, 'flavors',
                                           self._version, self._version.fields.flavor_out))

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Flavor(self._service, self._version, name), remainder
