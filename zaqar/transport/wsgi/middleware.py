"""Plain WSGI middleware (no webob re-wrapping, so headers pass untouched)."""

import uuid

REQUEST_ID_ENV = 'openstack.request_id'
REQUEST_ID_HEADER = 'X-OpenStack-Request-Id'


class RequestId:
    """Gives every request an id, in the environ and in the response."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = f'req-{uuid.uuid4()}'
        environ[REQUEST_ID_ENV] = request_id

        def start(status, headers, exc_info=None):
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def cors(app, conf):
    """oslo.middleware's CORS around ``app``, from ``[cors]``.

    oslo.middleware re-wraps the response in webob, which would make the
    relative Location headers that the API sends (as upstream does)
    absolute; its request class here builds responses that keep them.
    """
    import webob.dec
    from oslo_middleware import base as oslo_base
    from oslo_middleware import cors as oslo_cors

    from zaqar.transport.wsgi import utils

    class Request(oslo_base.NoContentTypeRequest):
        ResponseClass = utils.Response

    class CORS(oslo_cors.CORS):
        @webob.dec.wsgify(RequestClass=Request)
        def __call__(self, req):
            return super().__call__(req)

    wrapped = CORS(app, conf)  # registers [cors]
    if not conf.cors.allowed_origin:
        return app  # nothing to allow: no cost per request

    def application(environ, start_response):
        # Only browsers' requests (with Origin) pay for the webob round.
        chosen = wrapped if 'HTTP_ORIGIN' in environ else app
        return chosen(environ, start_response)

    return application
