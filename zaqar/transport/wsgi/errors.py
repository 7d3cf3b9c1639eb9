"""The one place where HTTP learns what an exception means.

Service-layer errors carry their own status; storage errors are mapped by
class here; anything else is a 500 whose traceback goes to the log only.
"""

import logging

import webob.exc

from zaqar.api import errors as api_errors
from zaqar.storage import errors as storage_errors
from zaqar.transport.wsgi import utils

LOG = logging.getLogger(__name__)

UNAVAILABLE = 'The storage backend could not be reached. Please try again in a few seconds.'


class MethodNotAllowed(api_errors.APIError):
    code = 405
    title = '405 Method Not Allowed'

    def __init__(self, allowed):
        super().__init__(None, headers={'Allow': ', '.join(allowed)})


def _storage_error(exc):
    if isinstance(exc, storage_errors.DoesNotExist):
        return 404, api_errors.NotFound.title, str(exc)
    if isinstance(exc, storage_errors.NotPermitted):
        return 403, api_errors.Forbidden.title, str(exc)
    if isinstance(exc, storage_errors.MessageConflict):
        return 503, api_errors.ServiceUnavailable.title, 'No messages could be enqueued.'
    if isinstance(exc, storage_errors.NoPoolFound):
        LOG.error('Pooling: %s', exc)
        return 503, api_errors.ServiceUnavailable.title, (
            'No storage pool can take a new queue. Please try again later.')
    if isinstance(exc, storage_errors.ConnectionError):
        LOG.warning('Storage unavailable: %s', exc)
        return 503, api_errors.ServiceUnavailable.title, UNAVAILABLE
    return None


# Upstream's 406 (falcon HTTPNotAcceptable with a help link); the only
# error body with a "link" (api-v2.md section 2.5).
NOT_ACCEPTABLE = (
    406, '406 Not Acceptable',
    'Endpoint only serves `application/json`; specify client-side media type '
    'support with the "Accept" header.')
NOT_ACCEPTABLE_LINK = {
    'text': '14.1 Accept, Hypertext Transfer Protocol -- HTTP/1.1',
    'href': 'http://www.w3.org/Protocols/rfc2616/rfc2616-sec14.html',
    'rel': 'help'}


def json_error(status, title, description=None, headers=None, link=None):
    body = {'title': title}
    if description is not None:
        body['description'] = description
    if link is not None:
        body['link'] = link
    return utils.respond(status, body, headers)


def to_response(exc, request_id=None):
    """Turn any exception into an HTTP response."""
    if getattr(exc, 'code', None) == 406:
        # Raised by the hook, or by Pecan's routing for Accept types that
        # no controller serves: the same reply either way.
        return json_error(*NOT_ACCEPTABLE, link=NOT_ACCEPTABLE_LINK)
    if isinstance(exc, api_errors.APIError):
        return json_error(exc.code, exc.title, exc.description, exc.headers)
    if isinstance(exc, webob.exc.HTTPException):
        headers = {'Allow': exc.headers['Allow']} if 'Allow' in exc.headers else None
        return json_error(exc.code, f'{exc.code} {exc.title}', headers=headers)
    mapped = _storage_error(exc)
    if mapped:
        return json_error(*mapped)
    LOG.error('Unexpected error handling request %s', request_id, exc_info=exc)
    return json_error(500, 'Internal server error',
                      f'An unexpected error occurred (request {request_id}).')
