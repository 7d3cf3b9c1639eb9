"""The WSGI transport: the Pecan app, its middleware, and its server.

The middleware chain is composed here in plain Python (no paste.deploy);
outermost first:

* RequestId: every response, errors included, carries
  X-OpenStack-Request-Id, so it wraps everything.
* the Pecan app, whose hooks check headers and turn errors into JSON.
"""

import logging

import pecan

from zaqar.transport.wsgi import hooks, middleware
from zaqar.transport.wsgi.controllers import root

LOG = logging.getLogger(__name__)


def build_pecan_app(conf, service):
    return pecan.Pecan(
        root.Root(service, admin_mode=conf.admin_mode),
        hooks=[hooks.ErrorHook(), hooks.ContextHook(service)],
        # Queue names may contain dots: never treat ".json" as a format.
        guess_content_type_from_ext=False,
        force_canonical=False,
    )


class Driver:
    """Entry point ``wsgi`` of namespace zaqar.transport."""

    def __init__(self, conf, service):
        self.conf = conf
        self.service = service
        self._app = None

    @property
    def app(self):
        if self._app is None:
            self._app = middleware.RequestId(build_pecan_app(self.conf, self.service))
        return self._app

    def listen(self):
        from zaqar.transport.wsgi import server

        server.serve(self.conf, self.app, self.service.storage)
