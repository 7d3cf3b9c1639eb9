"""Errors of the service layer, each carrying its HTTP-like status code.

Transports translate them (and storage errors) in one place each:
zaqar/transport/wsgi/errors.py for HTTP.
"""


class APIError(Exception):
    code = 500
    title = 'Internal server error'

    def __init__(self, description=None, title=None, headers=None):
        super().__init__(description or self.title)
        self.description = description
        if title:
            self.title = title
        self.headers = headers or {}


class BadRequest(APIError):
    code = 400
    title = 'Invalid API request'


class InvalidBody(BadRequest):
    title = 'Invalid request body'


class InvalidParameter(BadRequest):
    title = 'Invalid parameter'


class InvalidHeader(BadRequest):
    title = 'Missing header value'


class Forbidden(APIError):
    code = 403
    title = 'Not authorized'


class NotFound(APIError):
    code = 404
    title = 'Not found'


class Conflict(APIError):
    code = 409
    title = 'Resource conflict'


class NotAcceptable(APIError):
    code = 406
    title = 'Media type not acceptable'


class UnsupportedMediaType(APIError):
    code = 415
    title = '415 Unsupported Media Type'


class ServiceUnavailable(APIError):
    code = 503
    title = 'Service temporarily unavailable'
