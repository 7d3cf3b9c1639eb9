"""Versions (/), each version's home document, ping and health."""

import webob.exc

from zaqar.api import kinds
from zaqar.transport.wsgi import utils, versions
from zaqar.transport.wsgi.controllers import base, home, pools, queues


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


class API:
    """/v2 or /v1.1: the routes of one version (versions.py)."""

    def __init__(self, service, admin_mode, version=versions.V2):
        self.queues = queues.Collection(service, version, kinds.QUEUES)
        if kinds.TOPICS in version.kinds:
            self.topics = queues.Collection(service, version, kinds.TOPICS)
        self.ping = Ping(service)
        # Encoded once: the largest document here, the same for every request.
        self._home = utils.encode(home.document(version, admin_mode))
        if admin_mode:
            self.health = Health(service)
            if hasattr(service, 'pools'):  # pooling is on
                self.pools = pools.Pools(service, version)
                self.flavors = pools.Flavors(service, version)

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        if not base.request().path_info.endswith('/'):
            raise webob.exc.HTTPNotFound()  # the home document is /v2/ (/v1.1/) only
        return utils.respond(200, self._home, content_type='application/json-home',
                             headers={'Cache-Control': 'max-age=86400'})


class Root:
    def __init__(self, service, admin_mode=False, served=(versions.V2,)):
        for version in served:
            # "v1.1" is no Python name: Pecan finds it with getattr all the same.
            setattr(self, version.segment, API(service, admin_mode, version))
        self._versions = utils.encode({'versions': [version.describe() for version in served]})

    index = base.allow('GET')

    @index.when(method='GET')
    def get(self, **_):
        return utils.respond(300, self._versions)
