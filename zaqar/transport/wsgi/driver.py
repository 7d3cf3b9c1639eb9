"""The WSGI transport: the Pecan app, its middleware, and its server.

The middleware chain is composed here in plain Python (no paste.deploy);
outermost first:

* CORS (oslo.middleware, from [cors]): preflight answers for browsers,
  before authentication, which a preflight never carries.
* RequestId: every response, errors included, carries
  X-OpenStack-Request-Id, so it wraps everything.
* protect (middleware.py): request bodies bounded (413 unread past the
  limit) and read before anything else; /v2/openapi.json, public.
* the auth gate (auth.py): public, pre-signed or Keystone-authenticated.
* the Pecan app, whose hooks check headers and turn errors into JSON.
"""

import logging

import pecan
import webob.multidict

from zaqar.api import errors
from zaqar.transport.wsgi import auth, hooks, lean_pecan, middleware, versions
from zaqar.transport.wsgi.controllers import root

LOG = logging.getLogger(__name__)


class Request(pecan.Request):
    """A request whose body Pecan never parses, with plain attribute access.

    Pecan turns a JSON or form body into handler keyword arguments before
    any hook runs, and its parsing fails with a 500 on deeply nested JSON
    and a bare 400 on bad UTF-8. The handlers ignore those arguments and
    read the body themselves (utils.read_json), after the header checks.
    """

    # pecan.Request wraps every attribute read in a try block to turn
    # UnicodeDecodeError into 400; path_info and GET below handle bad
    # UTF-8 themselves, and the wrapper costs ~15 us per request.
    __getattribute__ = object.__getattribute__
    # Ad hoc attributes (context, pecan) on the request itself, not in the
    # environ where WebOb keeps them: each read there first fails a lookup
    # (~0.5 us). Nothing makes a second request of the same environ.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__

    @property
    def json(self):
        raise TypeError('the body is read by the handlers')

    json_body = json

    @property
    def POST(self):  # noqa: N802 - webob's name
        return webob.multidict.NoVars('the body is read by the handlers')

    @property
    def path_info(self):
        # Like falcon, decode the path leniently: bad UTF-8 becomes U+FFFD,
        # which no route or queue name accepts (404 or 400, never a bare 400).
        raw = self.environ.get('PATH_INFO', '')
        return raw.encode('latin-1').decode('utf-8', 'replace')

    @path_info.setter
    def path_info(self, value):
        pecan.Request.path_info.fset(self, value)

    @property
    def GET(self):  # noqa: N802 - webob's name
        try:
            return super().GET
        except UnicodeDecodeError:
            raise errors.InvalidParameter('The query string is not valid UTF-8.') from None


def build_pecan_app(conf, service):
    return lean_pecan.Pecan(
        root.Root(service, admin_mode=conf.admin_mode, served=versions.enabled(conf)),
        hooks=[hooks.ErrorHook(), hooks.ContextHook(service)],
        # Queue names may contain dots: never treat ".json" as a format.
        guess_content_type_from_ext=False,
        force_canonical=False,
        request_cls=Request,
    )


class Driver:
    """Entry point ``wsgi`` of namespace zaqar.transport."""

    def __init__(self, conf, service):
        self.conf = conf
        self.service = service
        # Built here, so a bad [keystone_authtoken] stops start-up.
        self.app = middleware.cors(middleware.RequestId(middleware.protect(
            auth.Gate(build_pecan_app(conf, service), conf), conf)), conf)

    def listen(self):
        from zaqar.transport.wsgi import server

        # A worker that exits lets its notifications in flight finish.
        server.serve(self.conf, self.app, self.service.storage,
                     on_exit=self.service.notifications.stop)
