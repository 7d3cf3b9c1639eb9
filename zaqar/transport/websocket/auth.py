"""Who may call over a connection (api-v2.md section 9.2).

With ``[DEFAULT] auth_strategy = keystone`` a connection authenticates by
sending its token in an ``authenticate`` request: the headers are run
through keystonemiddleware's auth_token, configured from
``[keystone_authtoken]`` as for HTTP, and what the middleware puts in the
environment (project, roles, user, expiry) becomes the connection's
identity. A connection that has not authenticated may still send
``message_*`` requests carrying a pre-signed URL's headers, checked
against the method and path the action stands for.
"""

import dataclasses
import datetime
import logging

from oslo_utils import timeutils

from zaqar.api import signed_urls
from zaqar.transport.websocket import actions
from zaqar.transport.wsgi import auth as wsgi_auth

LOG = logging.getLogger(__name__)

KEYSTONE = wsgi_auth.KEYSTONE
_IDENTITY = 'zaqar.websocket.identity'
# What a WSGI environment needs besides the headers for the middleware.
_ENVIRON = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'SCRIPT_NAME': '',
            'SERVER_NAME': 'zaqar', 'SERVER_PORT': '80', 'SERVER_PROTOCOL': 'HTTP/1.1',
            'wsgi.url_scheme': 'http'}


@dataclasses.dataclass(frozen=True)
class Identity:
    project_id: str
    roles: tuple = ()
    user_id: str = None
    expires_at: datetime.datetime = None  # aware, UTC

    def seconds_left(self, now=None):
        if self.expires_at is None:
            return None
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return (self.expires_at - now).total_seconds()


class Keystone:
    """Validates tokens with keystonemiddleware; thread-safe, blocking."""

    def __init__(self, conf):
        self._middleware = wsgi_auth.keystone(self._accepted, conf)

    @staticmethod
    def _accepted(environ, start_response):
        environ[_IDENTITY] = _identity(environ)
        start_response('200 OK', [('Content-Length', '0')])
        return [b'']

    def authenticate(self, headers):
        """(status, Identity or None) for an authenticate request's headers."""
        environ = dict(_ENVIRON)
        for name, value in headers.items():
            if isinstance(name, str) and isinstance(value, str):
                environ['HTTP_' + name.upper().replace('-', '_')] = value
        answer = []
        body = self._middleware(environ, lambda status, _headers, *_: answer.append(status))
        for _ in body:
            pass
        getattr(body, 'close', lambda: None)()
        status = int(answer[0].split()[0]) if answer else 500
        return status, environ.get(_IDENTITY) if status == 200 else None


def _identity(environ):
    if environ.get('HTTP_X_IDENTITY_STATUS') != 'Confirmed':
        return None  # delay_auth_decision lets invalid tokens through, marked
    expires = None
    token = (environ.get('keystone.token_info') or {}).get('token') or {}
    if token.get('expires_at'):
        expires = timeutils.parse_isotime(token['expires_at'])
    roles = tuple(r.strip() for r in environ.get('HTTP_X_ROLES', '').split(',') if r.strip())
    return Identity(project_id=environ.get('HTTP_X_PROJECT_ID'), roles=roles,
                    user_id=environ.get('HTTP_X_USER_ID'), expires_at=expires)


def _joined(value):
    # URL-Methods and URL-Paths are JSON lists over WebSocket, comma-joined
    # strings over HTTP; signatures are checked on the joined form.
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ','.join(value)
    return value if isinstance(value, str) else None


def signed(key, action, headers, body):
    """True when the request's pre-signed URL headers grant this action on
    this queue (and message) to the X-Project-ID it names."""
    wanted = actions.signed_path(action, body)
    if wanted is None:
        return False
    method, path = wanted
    values = [headers.get(name) for name in ('X-Project-ID', 'URL-Signature', 'URL-Expires')]
    if not all(isinstance(value, str) for value in values):
        return False
    return signed_urls.verify(
        key, method, path, headers.get('X-Project-ID'), headers.get('URL-Signature'),
        _joined(headers.get('URL-Methods')), _joined(headers.get('URL-Paths')),
        headers.get('URL-Expires'))
