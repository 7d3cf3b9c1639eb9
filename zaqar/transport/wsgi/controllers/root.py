"""Versions (/), the v2 home document, ping and health."""

import pecan
import webob.exc

from zaqar.api import kinds
from zaqar.transport.wsgi import utils
from zaqar.transport.wsgi.controllers import base, home, pools, queues

VERSIONS = {'versions': [{
    'id': '2',
    'status': 'CURRENT',
    'updated': '2014-9-24T04:06:47Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.messaging-v2+json'}],
    'links': [{'href': '/v2/', 'rel': 'self'}],
}]}


class Ping:
    def __init__(self, service):
        self._service = service

    index = base.allow('GET', 'HEAD')

    @index.when(method='GET')
    def get(self, **_):
        alive = self._service.ping(base.context())
        return utils.respond(204 if alive else 503)

    @index.when(method='HEAD')
    def head(self, **_):
        self._service.enforce('ping:get', base.context())
        return utils.respond(204)


class Health:
    def __init__(self, service):
        self._service = service

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(200, self._service.health(base.context()))


class V2:
    def __init__(self, service, admin_mode):
        self.queues = queues.Collection(service, kinds.QUEUES)
        self.topics = queues.Collection(service, kinds.TOPICS)
        self.ping = Ping(service)
        self._home = home.document(admin_mode)
        if admin_mode:
            self.health = Health(service)
            if hasattr(service, 'pools'):  # pooling is on
                self.pools = pools.Pools(service)
                self.flavors = pools.Flavors(service)

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        if not pecan.request.path_info.endswith('/'):
            raise webob.exc.HTTPNotFound()  # the home document is /v2/ only
        return utils.respond(200, self._home, content_type='application/json-home',
                             headers={'Cache-Control': 'max-age=86400'})


class Root:
    def __init__(self, service, admin_mode=False):
        self.v2 = V2(service, admin_mode)

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(300, VERSIONS)
