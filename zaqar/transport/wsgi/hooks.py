"""Pecan hooks: request checks and context before a handler, errors after.

They are built with their dependencies (the service) and run in the order
api-v2.md section 2.2 gives.
"""

import re

import pecan.hooks
from oslo_context import context as oslo_context

from zaqar.api import context as api_context
from zaqar.api import errors
from zaqar.transport.wsgi import errors as wsgi_errors
from zaqar.transport.wsgi import versions

FORM = 'application/x-www-form-urlencoded'
CONTROL = re.compile('[\x00-\x1f\x7f]')
PLAIN_ACCEPTS = frozenset(('application/json', '*/*', 'application/*'))


class ContextHook(pecan.hooks.PecanHook):
    """Checks headers and the queue name, then attaches a RequestContext."""

    priority = 10

    def __init__(self, service):
        self._validate = service.validate

    def on_route(self, state):
        # Pecan negotiates Accept against the type each handler is exposed
        # with (text/html by default) and answers 406 to "application/json"
        # before any hook runs. Every handler returns a finished JSON
        # response, so pin that type and let before() apply upstream's rule.
        # (For Pecan as released, dispatch.py --stock: lean_pecan does not
        # negotiate.)
        state.request.pecan['content_type'] = 'text/html'

    def before(self, state):
        request = state.request
        path = request.path_info
        if path == '/':
            return
        # Headers straight from the environ: WebOb's headers view translates
        # each name on every read.
        environ = request.environ
        content_type = environ.get('CONTENT_TYPE', '')
        if request.content_length and content_type.split(';')[0].strip().lower() == FORM:
            raise errors.BadRequest('Content-Type must be application/json.',
                                    title='Invalid Content-Type')
        accept = environ.get('HTTP_ACCEPT')
        # Parsing the header costs more than the rest of this hook: skip it
        # for what nearly every client sends.
        if accept is not None and accept not in PLAIN_ACCEPTS and \
                not request.accept.acceptable_offers(['application/json']):
            raise errors.NotAcceptable('Only application/json is served.')
        client_id = environ.get('HTTP_CLIENT_ID')
        self._validate.client_id(client_id)
        project = self._project(environ)
        segments = path.split('/')
        version = versions.BY_SEGMENT.get(segments[1])
        kind = version.kind(segments[2]) if version and len(segments) > 2 else None
        if kind is not None and len(segments) > 3:
            self._validate.queue_identification(segments[3], project, kind.noun.lower())
        ctx = api_context.RequestContext(
            namespace=kind.namespace if kind else '',
            project_id=project, client_id=client_id,
            roles=self._roles(environ.get('HTTP_X_ROLES')),
            user_id=environ.get('HTTP_X_USER_ID'),
            request_id=environ.get('openstack.request_id'))
        request.context['zaqar'] = ctx
        # Stored per thread by oslo.context, so oslo.log puts the request id
        # and project in every log line written while handling the request.
        oslo_context.RequestContext(request_id=ctx.request_id, project_id=project,
                                    user_id=ctx.user_id)

    @staticmethod
    def _roles(header):
        if not header:  # no roles: most requests without Keystone
            return ()
        return tuple(role.strip() for role in header.split(',') if role.strip())

    @staticmethod
    def _project(environ):
        for name in ('HTTP_X_PROJECT_ID', 'HTTP_X_TENANT_ID', 'HTTP_X_TENANT'):
            if name in environ:
                project = environ[name]
                if not project:
                    raise errors.BadRequest(
                        'X-PROJECT-ID cannot be an empty string. Specify the right '
                        'header X-PROJECT-ID and retry.',
                        title='Empty project header not allowed')
                if CONTROL.search(project):
                    # Also what keeps a project's topic namespace (context.py)
                    # out of every other project's reach.
                    raise errors.BadRequest(
                        'The project id may not contain control characters.',
                        title='Invalid project identification')
                return project
        raise errors.BadRequest('The header X-PROJECT-ID was missing',
                                title='Project-Id Missing')


class ErrorHook(pecan.hooks.PecanHook):
    """Turns every exception, routing errors included, into a JSON reply."""

    priority = 1

    def on_error(self, state, exc):
        request_id = state.request.environ.get('openstack.request_id')
        return wsgi_errors.to_response(exc, request_id)
