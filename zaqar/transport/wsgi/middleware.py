"""Plain WSGI middleware (no webob re-wrapping, so headers pass untouched)."""

import io
import os

from zaqar.transport.wsgi import openapi

REQUEST_ID_ENV = 'openstack.request_id'
REQUEST_ID_HEADER = 'X-OpenStack-Request-Id'


def new_request_id():
    """``req-`` and a random (version 4) UUID, as oslo.context makes them,
    formatted here in 1 us where uuid.uuid4() takes 2.5."""
    h = os.urandom(16).hex()
    variant = '89ab'[int(h[16], 16) & 3]  # the two top bits: 10
    return f'req-{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}'


class RequestId:
    """Gives every request an id, in the environ and in the response."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = new_request_id()
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


# Bodies above the largest route limit still get upstream's 400 (with its
# message) up to this many times that limit; past it they are refused
# unread, with 413. No request of the API needs more.
BODY_LIMIT_FACTOR = 4
_READ_SIZE = 64 * 1024


def body_limit(conf):
    """Largest request body the server reads, in bytes."""
    limits = conf.transport
    return BODY_LIMIT_FACTOR * max(limits.max_messages_post_size, limits.max_queue_metadata)


def _refuse(environ, start_response, status, title, description):
    from zaqar.transport.wsgi import errors

    # The rest of the body is left unread: the server drains it (gunicorn,
    # for at most a few seconds) or closes the connection.
    response = errors.json_error(status, title, description)
    return response(environ, start_response)


class BodyLimit:
    """Reads each request body whole, bounded, before the app sees it.

    A Content-Length over ``limit`` is refused (413) before a byte of the
    body is read; a chunked body is read until it passes ``limit`` (413) or
    ends. The app then reads the body from memory with a Content-Length, so
    a chunked body is no longer mistaken for an empty one, and a client that
    stalls (the server's socket timeout: 408) or disconnects (400) mid-body
    ends here, not as an error inside a handler.
    """

    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        length = environ.get('CONTENT_LENGTH')
        chunked = 'chunked' in environ.get('HTTP_TRANSFER_ENCODING', '').lower()
        if not length and not chunked:
            return self.app(environ, start_response)
        if length:
            if not length.isdigit():
                return _refuse(environ, start_response, 400, 'Invalid Content-Length',
                               'Content-Length must be a non-negative integer.')
            length = int(length)
            if length > self.limit:
                return self._too_large(environ, start_response)
        try:
            body = self._read(environ['wsgi.input'], length)
        except OSError:  # the server's read timeout (socket.timeout) included
            return _refuse(environ, start_response, 408, 'Request timeout',
                           'The request body did not arrive in time.')
        if body is None:
            return self._too_large(environ, start_response)
        if length and len(body) < length:
            return _refuse(environ, start_response, 400, 'Invalid request body',
                           'The request body is shorter than its Content-Length.')
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
        environ.pop('HTTP_TRANSFER_ENCODING', None)
        return self.app(environ, start_response)

    def _read(self, stream, length):
        """The body (``length`` bytes, or all of a chunked one); None past the limit."""
        parts, size = [], 0
        wanted = length if length else self.limit + 1
        while size < wanted:
            chunk = stream.read(min(_READ_SIZE, wanted - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        if size > self.limit:
            return None
        return b''.join(parts)

    def _too_large(self, environ, start_response):
        return _refuse(environ, start_response, 413, 'Request body too large',
                       f'The request body may not be larger than {self.limit} bytes.')


class OpenAPI:
    """Serves the OpenAPI document (openapi.py) at its path, without auth."""

    def __init__(self, app, document):
        self.app = app
        self.document = document

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') != openapi.PATH:
            return self.app(environ, start_response)
        if environ.get('REQUEST_METHOD') != 'GET':
            return _refuse_method(environ, start_response)
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(self.document)))])
        return [self.document]


def _refuse_method(environ, start_response):
    from zaqar.transport.wsgi import errors

    response = errors.json_error(405, '405 Method Not Allowed', headers={'Allow': 'GET'})
    return response(environ, start_response)


def protect(app, conf):
    """``app`` behind the body limit, with the OpenAPI document beside it.

    Outside the auth gate: an oversized body is refused before anything
    else looks at the request, and the document is public.
    """
    return BodyLimit(OpenAPI(app, openapi.render(conf)), body_limit(conf))
