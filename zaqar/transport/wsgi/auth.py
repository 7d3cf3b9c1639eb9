"""Who may call: the gate in front of the Pecan app.

Each request takes exactly one of three ways (api-v2.md section 2.2):

* ``GET /`` (the versions document) is public, so load balancers can probe it.
* A request with a ``URL-Signature`` header, even an empty one, is a
  pre-signed request: its signature is checked here, and Keystone is not
  asked. Any failure is a 404, as upstream answers. On success the caller
  has the signed project and no roles: identity headers it sent are dropped.
* Anything else goes through keystonemiddleware's auth_token when
  ``[DEFAULT] auth_strategy = keystone`` (401 without a valid token; the
  middleware replaces any identity headers the client sent with the
  token's), or straight to the app without auth.
"""

import logging

from zaqar.api import signed_urls
from zaqar.transport.wsgi import errors as wsgi_errors

LOG = logging.getLogger(__name__)

KEYSTONE = 'keystone'

# Identity headers a caller could forge; a signed request keeps only its
# (signed) X-Project-Id.
_IDENTITY_PREFIXES = (
    'HTTP_X_ROLE', 'HTTP_X_USER', 'HTTP_X_TENANT', 'HTTP_X_PROJECT_', 'HTTP_X_DOMAIN',
    'HTTP_X_SERVICE', 'HTTP_X_IS_ADMIN', 'HTTP_X_IDENTITY', 'HTTP_X_AUTH',
    'HTTP_X_SYSTEM', 'HTTP_X_TRUST', 'HTTP_X_APP_CRED')
_PROJECT = 'HTTP_X_PROJECT_ID'

NOT_SIGNED = ('The pre-signed URL does not allow this request: its signature, '
              'expiry, project, methods or paths do not match.')


def keystone(app, conf):
    """``app`` behind auth_token, configured from ``[keystone_authtoken]``."""
    from keystonemiddleware import auth_token

    if not conf.keystone_authtoken.auth_type:
        # Otherwise every request with a token fails inside the middleware.
        raise ValueError('auth_strategy = keystone needs [keystone_authtoken] auth_type '
                         '(e.g. password), auth_url and the service credentials that '
                         'validate tokens')
    return auth_token.AuthProtocol(app, {'oslo_config_config': conf})


def _drop_identity(environ):
    for key in [k for k in environ if k.startswith(_IDENTITY_PREFIXES) and k != _PROJECT]:
        del environ[key]


class Gate:
    """Routes every request to the public, signed or authenticated way."""

    def __init__(self, app, conf):
        self._app = app
        self._key = conf.signed_url.secret_key
        self._authenticated = keystone(app, conf) if conf.auth_strategy == KEYSTONE else app

    def __call__(self, environ, start_response):
        if 'HTTP_URL_SIGNATURE' in environ:
            return self._signed(environ, start_response)
        if environ.get('PATH_INFO') == '/':
            return self._app(environ, start_response)
        return self._authenticated(environ, start_response)

    def _signed(self, environ, start_response):
        path = environ.get('PATH_INFO', '').encode('latin-1').decode('utf-8', 'replace')
        allowed = signed_urls.verify(
            self._key, environ.get('REQUEST_METHOD'), path,
            environ.get(_PROJECT), environ.get('HTTP_URL_SIGNATURE'),
            environ.get('HTTP_URL_METHODS'), environ.get('HTTP_URL_PATHS'),
            environ.get('HTTP_URL_EXPIRES'))
        if not allowed:
            LOG.info('Refused a pre-signed request: %s %s', environ.get('REQUEST_METHOD'),
                     path)
            response = wsgi_errors.json_error(404, '404 Not Found', NOT_SIGNED)
            return response(environ, start_response)
        _drop_identity(environ)
        return self._app(environ, start_response)
