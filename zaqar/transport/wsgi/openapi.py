"""The OpenAPI 3 document of the v2 API, served at GET /v2/openapi.json.

One table (OPERATIONS) lists every route and method the app serves, with
its parameters, body and statuses; ``document(conf)`` builds the document
of one configuration from it (the admin routes only with ``admin_mode``,
pools and flavors only with ``pooling`` too, the Keystone token only with
``auth_strategy = keystone``). tests/api/test_openapi.py checks the table
against the routes the app really serves, and tests/fuzz/ fuzzes the
server with it.

The document is public, like the versions document at /: it describes the
software, not any tenant's data, and a client or tool needs it before it
has a token.
"""

import json

PATH = '/v2/openapi.json'
QUEUE_NAME = {'type': 'string', 'pattern': r'^[a-zA-Z0-9_\-.]+$', 'minLength': 1,
              'maxLength': 64}
INT64 = {'type': 'integer', 'minimum': -(2 ** 63), 'maximum': 2 ** 63 - 1}
ANY = {}  # any JSON value
ERROR = {'$ref': '#/components/schemas/Error'}


def _int(low, high):
    return {'type': 'integer', 'minimum': low, 'maximum': high}


def _object(properties, required=(), extra=False, **more):
    schema = {'type': 'object', 'properties': properties,
              'additionalProperties': extra, **more}
    if required:
        schema['required'] = list(required)
    return schema


def _array(items, **more):
    return {'type': 'array', 'items': items, **more}


LINKS = _array(_object({'rel': {'type': 'string', 'enum': ['next']},
                        'href': {'type': 'string'}}, ('rel', 'href')), maxItems=1)
MESSAGE = _object({'id': {'type': 'string'}, 'href': {'type': 'string'},
                   'ttl': {'type': 'integer'}, 'age': {'type': 'integer'}, 'body': ANY,
                   'checksum': {'type': 'string'}}, ('id', 'href', 'ttl', 'age', 'body'))
CLAIM_BODY = _object({'ttl': _int(60, 43200), 'grace': _int(60, 43200)}, extra=True)
METADATA = _object({
    '_max_messages_post_size': _int(1, 262144),
    '_default_message_ttl': _int(60, 1209600),
    '_default_message_delay': _int(0, 900),
    '_dead_letter_queue': {'type': 'string', 'nullable': True},
    '_dead_letter_queue_messages_ttl': _int(60, 1209600),
    '_max_claim_count': {'type': 'integer', 'minimum': 0, 'nullable': True},
    '_enable_encrypt_messages': {'type': 'boolean'},
}, extra=True)
SUBSCRIPTION_FIELDS = {
    'subscriber': {'type': 'string', 'minLength': 1,
                   'description': 'http(s)://, mailto: or trust+http(s):// URI, '
                                  'among [transport] subscriber_types'},
    'ttl': {'type': 'integer', 'minimum': 60},
    'options': {'type': 'object'},
}
POOL_FIELDS = {'weight': _int(0, 2 ** 32 - 1), 'uri': {'type': 'string', 'maxLength': 255},
               'flavor': {'type': 'string', 'maxLength': 255, 'nullable': True},
               'options': {'type': 'object'}}

SCHEMAS = {
    'Error': _object({'title': {'type': 'string'}, 'description': {'type': 'string'},
                      'link': {'type': 'object'}}, ('title',)),
    'Message': MESSAGE,
    'PostMessages': _object({'messages': _array(_object(
        {'body': ANY, 'ttl': {**_int(60, 1209600), 'nullable': True},
         'delay': {'type': 'integer', 'nullable': True,
                   'description': 'Read only on a queue with a _default_message_delay: '
                                  '0..900 there, ignored elsewhere.'}}, ('body',),
        extra=True), minItems=1)}, ('messages',), extra=True),
    'Claim': CLAIM_BODY,
    'Metadata': METADATA,
    'JsonPatch': _array(_object({
        'op': {'type': 'string', 'enum': ['add', 'replace', 'remove']},
        'path': {'type': 'string', 'pattern': '^/metadata/[^/]+$'},
        'value': ANY}, ('op', 'path'))),
    'Purge': _object({'resource_types': _array(
        {'type': 'string', 'enum': ['messages', 'subscriptions']})},
        ('resource_types',)),
    'Share': _object({
        'methods': _array({'type': 'string', 'enum': [
            'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']}),
        'paths': _array({'type': 'string', 'enum': ['messages', 'subscriptions', 'claims']}),
        'expires': {'type': 'string', 'format': 'date-time'}}),
    'Subscription': _object(SUBSCRIPTION_FIELDS, ('subscriber',)),
    'SubscriptionUpdate': _object(SUBSCRIPTION_FIELDS, minProperties=1),
    'Confirm': _object({'confirmed': {'type': 'boolean'}}, ('confirmed',)),
    'Pool': _object(POOL_FIELDS, ('weight', 'uri')),
    'PoolUpdate': _object(POOL_FIELDS, minProperties=1),
    'Flavor': _object({'pool_list': _array({'type': 'string'}, minItems=1),
                       'capabilities': {'type': 'object'}}, ('pool_list',)),
    'FlavorUpdate': _object({'pool_list': _array({'type': 'string'}, minItems=1),
                             'capabilities': {'type': 'object'}}, ('pool_list',)),
}

# -- parameters -----------------------------------------------------------------


def _query(name, schema, description=None):
    param = {'name': name, 'in': 'query', 'required': False, 'schema': schema}
    if description:
        param['description'] = description
    return param


def _csv(name, description):
    # Comma-joined or repeated (api-v2.md section 17.1).
    return {**_query(name, _array({'type': 'string', 'minLength': 1}, minItems=1,
                                  maxItems=20), description),
            'style': 'form', 'explode': False}


BOOL = {'type': 'boolean'}
MARKER = _query('marker', {'type': 'string'}, 'Exclusive: the page starts after it.')
PAGING = {'queues': _int(1, 20), 'messages': _int(1, 20), 'subscriptions': _int(1, 20),
          'pools': _int(1, 20), 'flavors': _int(1, 20)}
HEADERS = [
    {'name': 'Client-ID', 'in': 'header', 'required': True,
     'schema': {'type': 'string', 'format': 'uuid'},
     'description': 'A UUID naming the client (echo suppression).'},
    {'name': 'X-Project-ID', 'in': 'header', 'required': True,
     'schema': {'type': 'string', 'minLength': 1},
     'description': 'The project; without auth it is trusted, with Keystone it comes '
                    'from the token. At most 256 characters on queue and topic '
                    'routes.'},
]


def _path_param(name, schema=None):
    return {'name': name, 'in': 'path', 'required': True,
            'schema': schema or {'type': 'string', 'minLength': 1}}


# -- the table --------------------------------------------------------------------
# (method, path, summary, query parameters, request body schema (or None, or
#  (schema, media type)), {status: description}, needs) where ``needs`` is
# '' (always served), 'admin' (admin_mode) or 'pooling' (admin_mode + pooling).

JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'


def _container_routes(kind, noun, name_param):
    base = f'/v2/{kind}/{{{name_param}}}'
    listing = [MARKER, _query('limit', PAGING['queues']), _query('detailed', BOOL),
               _query('name', {'type': 'string'}, f'Only {kind} whose name contains it.')]
    if kind == 'queues':
        listing.append(_query('with_count', BOOL))
    messages = f'{base}/messages'
    subscriptions = f'{base}/subscriptions'
    rows = [
        ('GET', f'/v2/{kind}', f'List {kind}', listing, None,
         {'200': f'A page of {kind}'}, ''),
        ('PUT', base, f'Create a {noun}', [], ('Metadata', 'optional'),
         {'201': 'Created', '204': 'It existed (metadata unchanged)'}, ''),
        ('GET', base, f"A {noun}'s metadata", [], None, {'200': 'The metadata'}, ''),
        ('PATCH', base, f"Change a {noun}'s metadata", [], ('JsonPatch', JSON_PATCH),
         {'200': 'The new metadata', '404': 'No such ' + noun, '409': 'Conflict',
          '415': 'Not a JSON-Patch media type'}, ''),
        ('DELETE', base, f'Delete a {noun}', [], None, {'204': 'Deleted'}, ''),
        ('GET', f'{base}/stats', f"A {noun}'s message counts", [], None,
         {'200': 'Counts'}, ''),
        ('POST', f'{base}/purge', f"Empty a {noun}", [], ('Purge', 'optional'),
         {'204': 'Purged'}, ''),
        ('POST', messages, 'Post messages', [], 'PostMessages',
         {'201': 'Posted', '404': 'The queue went away'}, ''),
        ('GET', messages, 'List messages, or get some by id', [
            MARKER, _query('limit', PAGING['messages']), _query('echo', BOOL),
            _query('include_claimed', BOOL), _query('include_delayed', BOOL),
            _csv('ids', 'These messages (1..20 ids).')], None,
         {'200': 'Messages', '404': 'None of the ids found'}, ''),
        ('DELETE', messages, 'Delete messages by id, or pop some', [
            _csv('ids', 'Delete these (1..20 ids).'),
            _csv('claim_ids', 'Their claims, with message_delete_with_claim_id.'),
            _query('pop', _int(1, 20), 'Delete and return up to this many.')], None,
         {'200': 'The popped messages', '204': 'Deleted'}, ''),
        ('GET', f'{messages}/{{message_id}}', 'A message', [], None,
         {'200': 'The message', '404': 'No such message'}, ''),
        ('DELETE', f'{messages}/{{message_id}}', 'Delete a message',
         [_query('claim_id', {'type': 'string'})], None,
         {'204': 'Deleted', '403': 'Claimed, and no claim id given'}, ''),
        ('GET', subscriptions, 'List subscriptions',
         [MARKER, _query('limit', PAGING['subscriptions'])], None,
         {'200': 'A page of subscriptions'}, ''),
        ('POST', subscriptions, 'Subscribe', [], 'Subscription',
         {'201': 'Subscribed', '409': 'Subscribed already, confirmed'}, ''),
        ('GET', f'{subscriptions}/{{subscription_id}}', 'A subscription', [], None,
         {'200': 'The subscription', '404': 'No such subscription'}, ''),
        ('PATCH', f'{subscriptions}/{{subscription_id}}', 'Change a subscription', [],
         'SubscriptionUpdate',
         {'204': 'Changed', '404': 'No such subscription', '409': 'Subscriber taken'}, ''),
        ('DELETE', f'{subscriptions}/{{subscription_id}}', 'Unsubscribe', [], None,
         {'204': 'Deleted'}, ''),
        ('PUT', f'{subscriptions}/{{subscription_id}}/confirm', 'Confirm a subscription',
         [], 'Confirm', {'204': 'Confirmed', '404': 'No such subscription'}, ''),
    ]
    if kind == 'queues':
        claims = f'{base}/claims'
        rows += [
            ('POST', f'{base}/share', 'Pre-sign URLs of the queue', [], 'Share',
             {'200': 'The signature'}, ''),
            ('POST', claims, 'Claim messages', [_query('limit', PAGING['messages'])],
             ('Claim', 'optional'), {'201': 'Claimed', '204': 'Nothing to claim'}, ''),
            ('GET', f'{claims}/{{claim_id}}', 'A claim', [], None,
             {'200': 'The claim', '404': 'No such claim'}, ''),
            ('PATCH', f'{claims}/{{claim_id}}', 'Renew a claim', [], 'Claim',
             {'204': 'Renewed', '404': 'No such claim'}, ''),
            ('DELETE', f'{claims}/{{claim_id}}', 'Release a claim', [], None,
             {'204': 'Released'}, ''),
        ]
    return rows


def _admin_routes(kind, noun, name_param, body, update):
    base = f'/v2/{kind}/{{{name_param}}}'
    detailed = [_query('detailed', BOOL)]
    return [
        ('GET', f'/v2/{kind}', f'List {kind}',
         [MARKER, _query('limit', PAGING[kind])] + detailed, None,
         {'200': f'A page of {kind}'}, 'pooling'),
        ('PUT', base, f'Register a {noun}', [], body, {'201': 'Registered'}, 'pooling'),
        ('GET', base, f'A {noun}', detailed if kind == 'pools' else [], None,
         {'200': f'The {noun}', '404': f'No such {noun}'}, 'pooling'),
        ('PATCH', base, f'Change a {noun}', [], update,
         {'200': f'The {noun}', '404': f'No such {noun}'}, 'pooling'),
        ('DELETE', base, f'Remove a {noun}', [], None,
         {'204': 'Removed', '403': 'Still in use'}, 'pooling'),
    ]


OPERATIONS = [
    ('GET', '/', 'Versions', [], None, {'300': 'The API versions'}, 'public'),
    ('GET', PATH, 'This document', [], None, {'200': 'OpenAPI 3'}, 'public'),
    ('GET', '/v2/', 'JSON-Home document', [], None, {'200': 'The resources'}, ''),
    ('GET', '/v2/ping', 'Is the store reachable', [], None,
     {'204': 'Reachable', '503': 'Not reachable'}, ''),
    ('HEAD', '/v2/ping', 'Is the server up', [], None, {'204': 'Up'}, ''),
    ('GET', '/v2/health', 'Health of the stores (admin)', [], None,
     {'200': 'Health', '403': 'Not an admin'}, 'admin'),
    *_container_routes('queues', 'queue', 'queue_name'),
    *_container_routes('topics', 'topic', 'topic_name'),
    *_admin_routes('pools', 'pool', 'pool_name', 'Pool', 'PoolUpdate'),
    *_admin_routes('flavors', 'flavor', 'flavor_name', 'Flavor', 'FlavorUpdate'),
]

PATH_PARAMS = {'queue_name': QUEUE_NAME, 'topic_name': QUEUE_NAME}


def _served(needs, conf):
    if needs == 'admin':
        return conf.admin_mode
    if needs == 'pooling':
        return conf.admin_mode and conf.pooling
    return True


def _request_body(body):
    schema, media = (body, 'application/json') if isinstance(body, str) else body
    required = media != 'optional'
    media = 'application/json' if media == 'optional' else media
    return {'required': required,
            'content': {media: {'schema': {'$ref': f'#/components/schemas/{schema}'}}}}


def _operation(method, path, summary, query, body, statuses, needs):
    names = [part[1:-1] for part in path.split('/') if part.startswith('{')]
    params = [_path_param(n, PATH_PARAMS.get(n)) for n in names]
    if needs != 'public':
        params += [{'$ref': f'#/components/parameters/{p["name"]}'} for p in HEADERS]
    operation = {
        'operationId': f'{method.lower()}:{path}',
        'summary': summary,
        'parameters': params + list(query),
        'responses': {code: {'description': text} for code, text in statuses.items()},
    }
    if needs == 'public':
        operation['security'] = []
    else:
        # 414: the server refuses a request line past its limit (4094 bytes)
        # before routing, so any operation with a query can meet it.
        for code, text in (('400', 'Invalid request'), ('414', 'Request line too long'),
                           ('503', 'Store unavailable')):
            operation['responses'].setdefault(code, {'description': text})
        for code, response in operation['responses'].items():
            if int(code) >= 400:
                response['content'] = {'application/json': {'schema': ERROR}}
    if body is not None:
        operation['requestBody'] = _request_body(body)
    return operation


def document(conf):
    """The OpenAPI document of the app ``conf`` configures."""
    paths = {}
    for method, path, summary, query, body, statuses, needs in OPERATIONS:
        if _served(needs, conf):
            paths.setdefault(path, {})[method.lower()] = _operation(
                method, path, summary, query, body, statuses, needs)
    doc = {
        'openapi': '3.0.3',
        'info': {'title': 'Zaqar messaging API', 'version': '2',
                 'description': 'Queues, messages, claims, subscriptions and topics. '
                                'Errors are {"title", "description"} JSON objects.'},
        'paths': paths,
        'components': {
            'schemas': SCHEMAS,
            'parameters': {p['name']: dict(p) for p in HEADERS},
        },
    }
    if conf.auth_strategy == 'keystone':
        # The token names the project: the middleware replaces the header.
        doc['components']['parameters']['X-Project-ID']['required'] = False
        doc['components']['securitySchemes'] = {
            'keystone': {'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'}}
        doc['security'] = [{'keystone': []}]
    return doc


def render(conf):
    """The document as the bytes the app serves."""
    return json.dumps(document(conf), sort_keys=True).encode()
