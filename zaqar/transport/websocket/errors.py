"""The one place where the WebSocket transport learns what an exception
means: a status and an error body ``{"exception", "error"}`` (api-v2.md
section 9.1). Service-layer errors carry their status; storage errors are
mapped by class; anything else is a 500 whose traceback goes to the log.
"""

import logging

from zaqar.api import errors as api_errors
from zaqar.storage import errors as storage_errors

LOG = logging.getLogger(__name__)

UNAVAILABLE = 'The storage backend could not be reached. Please try again in a few seconds.'

# Protocol-level refusals, with upstream's wording.
NOT_AUTHENTIFIED = {'error': 'Not authentified.'}
WRONG_PROJECT = {'error': 'Not authenticated.'}
AUTH_FAILED = {'error': 'Authentication failed.'}
SCHEMA_FAILED = {'error': 'Schema validation failed.'}


def unknown_action(action):
    return {'error': f'{action} is not a valid action'}


def _body(exception, error):
    return {'exception': exception, 'error': error}


_STORAGE = (
    (storage_errors.DoesNotExist, 404, api_errors.NotFound.title),
    (storage_errors.NotPermitted, 403, api_errors.Forbidden.title),
    (storage_errors.MessageConflict, 503, 'No messages could be enqueued.'),
    (storage_errors.NoPoolFound, 503, 'No storage pool can take a new queue.'),
    (storage_errors.ConnectionError, 503, UNAVAILABLE),
)


def to_response(exc, request_id):
    """(status, body) of an exception raised while serving a request."""
    if isinstance(exc, api_errors.APIError):
        return exc.code, _body(str(exc), exc.title)
    for cls, status, error in _STORAGE:
        if isinstance(exc, cls):
            if status >= 500:
                LOG.warning('Request %s: %s: %s', request_id, type(exc).__name__, exc)
            return status, _body(str(exc), error)
    LOG.error('Unexpected error handling request %s', request_id, exc_info=exc)
    return 500, _body(f'An unexpected error occurred (request {request_id}).',
                      'Unexpected error.')
