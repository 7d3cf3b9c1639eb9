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
