"""/v2/pools[/{pool}] and /v2/flavors[/{flavor}]: admin, with pooling on."""

import pecan

from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base


def _listing(request, actions, key):
    params = {'marker': utils.get_str(request, 'marker'),
              'limit': utils.get_int(request, 'limit'),
              'detailed': utils.get_bool(request, 'detailed')}
    page = actions.list(base.context(), **params)
    for item in page.items:
        item['href'] = f'/v2/{key}/{item["name"]}'
    links = []
    if page.items:
        links = utils.next_link(request.path_info, {**params, 'marker': page.marker})
    return {key: page.items, 'links': links}


class Pool:
    def __init__(self, service, name):
        self._service, self._name = service, name

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        pool = self._service.pools.get(base.context(), self._name,
                                       detailed=utils.get_bool(request, 'detailed'))
        return utils.respond(200, {**pool, 'href': request.path_info})

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        self._service.pools.create(base.context(), self._name, utils.read_json(request))
        return utils.respond(201, headers={'Location': request.path_info})

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        pool = self._service.pools.update(base.context(), self._name, utils.read_json(request))
        return utils.respond(200, {**pool, 'href': request.path_info})

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.pools.delete(base.context(), self._name)
        return utils.respond(204)


class Pools:
    def __init__(self, service):
        self._service = service

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        request = base.request()
        body = _listing(request, self._service.pools, 'pools')
        location = request.path_info + (f'?{request.query_string}' if request.query_string
                                        else '')
        return utils.respond(200, body, headers={'Content-Location': location})

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Pool(self._service, name), remainder


class Flavor:
    def __init__(self, service, name):
        self._service, self._name = service, name

    index = base.allow('GET', 'PUT', 'PATCH', 'DELETE')

    @index.when(method='GET')
    def get(self, **_):
        flavor = self._service.flavors.get(base.context(), self._name)
        return utils.respond(200, {**flavor, 'href': base.request().path_info})

    @index.when(method='PUT')
    def put(self, **_):
        request = base.request()
        self._service.flavors.create(base.context(), self._name, utils.read_json(request))
        return utils.respond(201, headers={'Location': request.path_info})

    @index.when(method='PATCH')
    def patch(self, **_):
        request = base.request()
        flavor = self._service.flavors.update(base.context(), self._name,
                                              utils.read_json(request))
        return utils.respond(200, {**flavor, 'href': request.path_info})

    @index.when(method='DELETE')
    def delete(self, **_):
        self._service.flavors.delete(base.context(), self._name)
        return utils.respond(204)


class Flavors:
    def __init__(self, service):
        self._service = service

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, _listing(base.request(), self._service.flavors, 'flavors'))

    @pecan.expose()
    def _lookup(self, name, *remainder):
        return Flavor(self._service, name), remainder
