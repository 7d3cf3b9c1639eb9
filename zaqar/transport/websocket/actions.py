"""The dispatch table: each action's shape and the service-layer call it
makes, with upstream's success statuses and bodies (api-v2.md section 9.3).

A handler takes (service, ctx, queue, body) and returns (status, body).
Policy, validation and storage are the service layer's; errors it raises
are turned into frames by errors.py.
"""

import json
import time

from zaqar.api import errors
from zaqar.transport.websocket.schema import ARRAY, BOOLEAN, INTEGER, OBJECT, STRING, Shape


def _message(message, claim_id=None):
    shown = {'id': message['id'], 'claim_id': claim_id or message.get('claim_id'),
             'ttl': message['ttl'], 'age': message['age'], 'body': message['body']}
    if message.get('checksum'):
        shown['checksum'] = message['checksum']
    return shown


# -- queues ------------------------------------------------------------------

def queue_list(service, ctx, _queue, body):
    page, _ = service.queues.list(ctx, marker=body.get('marker'), limit=body.get('limit'),
                                  detailed=body.get('detailed', False))
    return 200, {'queues': page.items}


def queue_create(service, ctx, queue, body):
    metadata = body.get('metadata', {})
    service.validate.queue_metadata_length(len(json.dumps(metadata)))
    created = service.queues.create(ctx, queue, metadata)
    return (201 if created else 204), f'Queue {queue} created.'


def queue_get(service, ctx, queue, _body):
    return 200, service.queues.get(ctx, queue)


def queue_delete(service, ctx, queue, _body):
    service.queues.delete(ctx, queue)
    return 204, f'Queue {queue} removed.'


def queue_get_stats(service, ctx, queue, _body):
    stats = service.queues.stats(ctx, queue)
    for key in ('oldest', 'newest'):
        if key in stats:
            point = stats[key]
            stats[key] = {'id': point['id'], 'age': point['age'], 'created': time.strftime(
                '%Y-%m-%dT%H:%M:%SZ', time.gmtime(point['created']))}
    # Upstream's WebSocket answers 404 (with zero counts) for a missing
    # queue, where HTTP answers 200.
    found = service.storage.queue_controller.exists(queue, ctx.scope)
    return (200 if found else 404), {'messages': stats}


def queue_purge(service, ctx, queue, body):
    document = {'resource_types': body['resource_types']} if 'resource_types' in body else None
    service.queues.purge(ctx, queue, document)
    return 204, {}


# -- messages ----------------------------------------------------------------

def message_list(service, ctx, queue, body):
    page = service.messages.list(
        ctx, queue, marker=body.get('marker'), limit=body.get('limit'),
        echo=body.get('echo', False), include_claimed=body.get('include_claimed', False),
        include_delayed=body.get('include_delayed', False))
    return 200, {'messages': [_message(m) for m in page.items]}


def message_get(service, ctx, queue, body):
    return 200, {'messages': _message(service.messages.get(ctx, queue, body['message_id']))}


def message_get_many(service, ctx, queue, body):
    try:
        found = service.messages.bulk_get(ctx, queue, body['message_ids'])
    except errors.NotFound:
        found = []  # upstream's WebSocket lists none where HTTP answers 404
    return 200, {'messages': [_message(m) for m in found]}


def message_post(service, ctx, queue, body):
    document = {'messages': body['messages']}
    ids = service.messages.post(ctx, queue, document, len(json.dumps(document)))
    return 201, {'message_ids': ids}


def message_delete(service, ctx, queue, body):
    service.messages.delete(ctx, queue, body['message_id'], body.get('claim_id'))
    return 204, {}


def message_delete_many(service, ctx, queue, body):
    ids, pop = body.get('message_ids'), body.get('pop')
    if ids is not None and pop is not None:
        raise errors.BadRequest(
            'pop and id params cannot be present together in the delete request.')
    if pop is not None:
        return 200, {'messages': [_message(m) for m in service.messages.pop(ctx, queue, pop)]}
    if ids is None:
        raise errors.BadRequest('The request should have either "message_ids" or "pop" '
                                'in the body, to be able to delete.')
    service.messages.bulk_delete(ctx, queue, ids, body.get('claim_ids'))
    return 204, {}


# -- claims ------------------------------------------------------------------

def _claim_options(body):
    return {key: body[key] for key in ('ttl', 'grace') if key in body}


def claim_create(service, ctx, queue, body):
    claim_id, messages = service.claims.create(ctx, queue, _claim_options(body),
                                               body.get('limit'))
    if not messages:
        return 204, {'claim_id': None}
    return 201, {'claim_id': claim_id, 'messages': [_message(m, claim_id) for m in messages]}


def claim_get(service, ctx, queue, body):
    claim_id = body['claim_id']
    meta, messages = service.claims.get(ctx, queue, claim_id)
    return 200, {'age': meta['age'], 'ttl': meta['ttl'],
                 'messages': [_message(m, claim_id) for m in messages]}


def claim_update(service, ctx, queue, body):
    claim_id = body['claim_id']
    service.claims.update(ctx, queue, claim_id, _claim_options(body))
    return 204, f'Claim {claim_id} updated.'


def claim_delete(service, ctx, queue, body):
    claim_id = body['claim_id']
    service.claims.delete(ctx, queue, claim_id)
    return 204, f'Claim {claim_id} deleted.'


# -- subscriptions -----------------------------------------------------------

def subscription_create(service, ctx, queue, body):
    """The session fills in ``subscriber`` (the connection) when absent."""
    document = {key: body[key] for key in ('subscriber', 'ttl', 'options') if key in body}
    try:
        subscription_id = service.subscriptions.create(ctx, queue, document)
    except errors.Conflict:
        return 409, f'Subscription {queue} not created.'
    return 201, {'subscription_id': subscription_id,
                 'message': f'Subscription {queue} created.'}


def subscription_list(service, ctx, queue, body):
    page = service.subscriptions.list(ctx, queue, marker=body.get('marker'),
                                      limit=body.get('limit'))
    return 200, {'subscriptions': page.items}


def subscription_get(service, ctx, queue, body):
    return 200, service.subscriptions.get(ctx, queue, body['subscription_id'])


def subscription_delete(service, ctx, queue, body):
    subscription_id = body['subscription_id']
    service.subscriptions.delete(ctx, queue, subscription_id)
    return 204, f'Subscription {subscription_id} removed.'


# -- node --------------------------------------------------------------------

def ping(service, ctx, _queue, _body):
    return (204 if service.ping(ctx) else 503), {}


def health(service, ctx, _queue, _body):
    return 200, service.health(ctx)


# -- the table ---------------------------------------------------------------

Q = {'queue_name': STRING}
PAGE = {'marker': STRING, 'limit': INTEGER}
NODE = Shape(headers=(), needs_body=False)


def _on_queue(*required, **fields):
    return Shape({**Q, **{name: STRING for name in required}, **fields},
                 required=('queue_name', *required))


AUTHENTICATE = 'authenticate'
AUTHENTICATE_SHAPE = Shape(headers=('X-Project-ID', 'X-Auth-Token'), needs_body=False)

ACTIONS = {
    'queue_list': (queue_list, Shape({**PAGE, 'detailed': BOOLEAN}, needs_body=False)),
    'queue_create': (queue_create, _on_queue(metadata=OBJECT)),
    'queue_get': (queue_get, _on_queue()),
    'queue_delete': (queue_delete, _on_queue()),
    'queue_get_stats': (queue_get_stats, _on_queue()),
    'queue_purge': (queue_purge, _on_queue(resource_types=ARRAY)),
    'message_list': (message_list, _on_queue(
        **PAGE, echo=BOOLEAN, include_claimed=BOOLEAN, include_delayed=BOOLEAN)),
    'message_get': (message_get, _on_queue('message_id')),
    'message_get_many': (message_get_many, Shape(
        {**Q, 'message_ids': ARRAY}, required=('queue_name', 'message_ids'))),
    'message_post': (message_post, Shape(
        {**Q, 'messages': ARRAY}, required=('queue_name', 'messages'))),
    'message_delete': (message_delete, _on_queue('message_id', claim_id=STRING)),
    'message_delete_many': (message_delete_many, _on_queue(
        message_ids=ARRAY, claim_ids=ARRAY, pop=INTEGER)),
    'claim_create': (claim_create, _on_queue(limit=INTEGER, ttl=INTEGER, grace=INTEGER)),
    'claim_get': (claim_get, _on_queue('claim_id')),
    'claim_update': (claim_update, _on_queue('claim_id', ttl=INTEGER, grace=INTEGER)),
    'claim_delete': (claim_delete, _on_queue('claim_id')),
    'subscription_create': (subscription_create, _on_queue(
        subscriber=STRING, ttl=INTEGER, options=OBJECT)),
    'subscription_list': (subscription_list, _on_queue(**PAGE)),
    'subscription_get': (subscription_get, _on_queue('subscription_id')),
    'subscription_delete': (subscription_delete, _on_queue('subscription_id')),
    # Declared by upstream's schema (and sent by python-zaqarclient as
    # "ping" and "health"), implemented here.
    'ping_node': (ping, NODE),
    'ping': (ping, NODE),
    'check_node_health': (health, NODE),
    'health': (health, NODE),
}

# The HTTP method and path a pre-signed URL must grant, per action.
SIGNED = {
    'message_list': ('GET', ''),
    'message_get_many': ('GET', ''),
    'message_get': ('GET', 'message_id'),
    'message_post': ('POST', ''),
    'message_delete_many': ('DELETE', ''),
    'message_delete': ('DELETE', 'message_id'),
}


def shape(action):
    """The Shape of an action; KeyError when there is no such action."""
    if action == AUTHENTICATE:
        return AUTHENTICATE_SHAPE
    return ACTIONS[action][1]


def run(service, ctx, action, body):
    """Carry out a (valid) request; return (status, body)."""
    handler, action_shape = ACTIONS[action]
    queue = body.get('queue_name') if isinstance(body, dict) else None
    if 'queue_name' in action_shape.required:
        service.validate.queue_identification(queue, ctx.project_id)
    return handler(service, ctx, queue, body if isinstance(body, dict) else {})


def signed_path(action, body):
    """(method, path) a signature must cover, or None for other actions."""
    if action not in SIGNED:
        return None
    method, item = SIGNED[action]
    path = f'/v2/queues/{body["queue_name"]}/messages'
    if item:
        path += f'/{body[item]}'
    return method, path

