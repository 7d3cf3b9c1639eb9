"""One connection: its identity, its push subscriptions, and the path of
each of its requests (api-v2.md sections 9.1 to 9.4).

A frame is decoded, checked against its action's shape, let through by the
auth rules, then carried out by the service layer on a worker thread; the
answer goes back in the frame type of the request. Requests of one
connection are served in order.
"""

import asyncio
import logging
import re
import uuid

from websockets.exceptions import ConnectionClosed

from zaqar.api import context as api_context
from zaqar.api import errors as api_errors
from zaqar.transport.websocket import actions, auth, errors, protocol, schema

LOG = logging.getLogger(__name__)

EXPIRED = (4003, 'Authentication expired.')
CONTROL = re.compile('[\x00-\x1f\x7f]')


class Session:
    """``server`` gives what every connection shares: service, keystone
    (None without auth), signing_key, subscriber_base and ``call`` (runs a
    blocking function on the worker threads)."""

    def __init__(self, websocket, server):
        self.id = uuid.uuid4().hex  # also the secret part of its subscriber URL
        self._ws = websocket
        self._server = server
        self._identity = None
        self._expiry = None
        self._push_binary = False
        self._subscriptions = {}  # subscription id -> (ctx, queue)

    # -- requests ------------------------------------------------------------

    async def handle(self, frame):
        """The frame answering ``frame``."""
        try:
            payload, binary = protocol.decode(frame)
        except protocol.UndecodableFrame as exc:
            request = protocol.Request(binary=isinstance(frame, bytes))
            return protocol.response(request, 400, {'error': str(exc)})
        if not isinstance(payload, dict):
            request = protocol.Request(binary=binary)
            return protocol.response(request, 400, {'error': protocol.UNEXPECTED_TYPE})
        request = protocol.Request.from_payload(payload, binary)
        try:
            shape = actions.shape(request.action)
        except (KeyError, TypeError):
            return protocol.response(request, 400, errors.unknown_action(request.action))
        if not schema.valid(shape, payload):
            return protocol.response(request, 400, errors.SCHEMA_FAILED)
        if request.action == actions.AUTHENTICATE:
            answer = protocol.Request(action=actions.AUTHENTICATE, binary=request.binary)
            try:
                status, body = await self._authenticate(request)
            except Exception as exc:  # noqa: BLE001 - the transport's one error boundary
                status, body = errors.to_response(exc, f'req-{uuid.uuid4()}')
            return protocol.response(answer, status, body)
        status, body = await self._serve(request)
        return protocol.response(request, status, body)

    async def _serve(self, request):
        request_id = f'req-{uuid.uuid4()}'
        try:
            ctx = self._context(request, request_id)
            if ctx is None:
                return 403, (errors.WRONG_PROJECT if self._identity else
                             errors.NOT_AUTHENTIFIED)
            body = self._own_subscriber(request)
            status, answer = await self._server.call(
                actions.run, self._server.service, ctx, request.action, body)
        except Exception as exc:  # noqa: BLE001 - the transport's one error boundary
            return errors.to_response(exc, request_id)
        if status == 201 and body is not request.body:  # the connection subscribed
            self._subscriptions[answer['subscription_id']] = (ctx, body['queue_name'])
            self._push_binary = request.binary
        return status, answer

    def _context(self, request, request_id):
        """The RequestContext of a request, or None when it may not pass."""
        headers = request.headers
        project = headers.get('X-Project-ID')
        roles, user = (), None
        if self._server.keystone is not None:
            if self._identity is not None:
                if project != self._identity.project_id:
                    return None
                roles, user = self._identity.roles, self._identity.user_id
            elif 'URL-Signature' not in headers or not auth.signed(
                    self._server.signing_key, request.action, headers, request.body):
                return None
        else:
            roles = tuple(r.strip() for r in str(headers.get('X-Roles', '')).split(',')
                          if r.strip())
        if project is not None:
            _check_project(project)
        client_id = headers.get('Client-ID')
        if 'Client-ID' in headers:
            self._server.service.validate.client_id(client_id)
        return api_context.RequestContext(project_id=project, client_id=client_id,
                                          roles=roles, user_id=user, request_id=request_id)

    def _own_subscriber(self, request):
        """A subscription created without a subscriber is the connection's own."""
        body = request.body
        if request.action == 'subscription_create' and not body.get('subscriber'):
            return {**body, 'subscriber': self._server.subscriber_base + self.id}
        return body

    # -- authentication ------------------------------------------------------

    async def _authenticate(self, request):
        """(status, body); the echo of an authenticate request holds no token."""
        keystone = self._server.keystone
        if keystone is None:
            return 200, {'message': 'Authentication is not enabled.'}
        self._forget_identity()
        status, identity = await self._server.call(keystone.authenticate, request.headers)
        left = identity.seconds_left() if identity else None
        if (status != 200 or identity is None or not identity.project_id
                or (left is not None and left <= 0)):
            LOG.info('Connection %s: authentication failed (%s)', self.id, status)
            return (status if status != 200 else 401), errors.AUTH_FAILED
        self._identity = identity
        if left is not None:
            self._expiry = asyncio.get_running_loop().call_later(left, self._expire)
        return 200, {'message': 'Authentified.'}

    def _forget_identity(self):
        self._identity = None
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None

    def _expire(self):
        LOG.info('Connection %s: token expired', self.id)
        self._forget_identity()
        asyncio.ensure_future(self._ws.close(*EXPIRED))

    # -- push ----------------------------------------------------------------

    async def push(self, document):
        """Send a notification; False when the connection is gone."""
        try:
            await self._ws.send(protocol.encode(document, self._push_binary))
        except ConnectionClosed:
            return False
        return True

    async def close(self):
        """The connection ended: its push subscriptions go with it."""
        self._forget_identity()
        for subscription_id, (ctx, queue) in self._subscriptions.items():
            try:
                await self._server.call(self._server.service.subscriptions.delete,
                                        ctx, queue, subscription_id)
            except Exception:  # noqa: BLE001 - keep removing the others
                LOG.exception('Connection %s: subscription %s of queue %s not removed',
                              self.id, subscription_id, queue)
        self._subscriptions.clear()


def _check_project(project):
    if not project:
        raise api_errors.BadRequest(
            'X-PROJECT-ID cannot be an empty string. Specify the right header '
            'X-PROJECT-ID and retry.', title='Empty project header not allowed')
    if CONTROL.search(project):
        # Also what keeps a project's topic namespace out of reach.
        raise api_errors.BadRequest('The project id may not contain control characters.',
                                    title='Invalid project identification')

