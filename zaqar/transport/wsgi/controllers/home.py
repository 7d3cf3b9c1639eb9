"""The JSON-Home document served at /v2/ (api-v2.md section 4.2) and, with
the resources that version has, at /v1.1/."""

JSON = {'application/json': {}}
QUEUE = '/queues/{queue_name}'
QUEUE_VARS = {'queue_name': 'param/queue_name'}
# The relations of what a version may leave out under a queue (versions.py).
EXTRA_RELS = {
    'share': ('rel/queue_share',),
    'purge': ('rel/queue_purge',),
    'subscriptions': ('rel/subscriptions_get', 'rel/subscriptions_post',
                      'rel/subscription', 'rel/subscription_patch'),
}


def _resource(template, allow, extra_vars=None, accept_post=None):
    hints = {'allow': list(allow), 'formats': JSON}
    if accept_post:
        hints['accept-post'] = [accept_post]
    return {'href-template': template,
            'href-vars': dict(QUEUE_VARS if '{queue_name}' in template else {},
                              **(extra_vars or {})),
            'hints': hints}


def _public(queue_methods):
    paging = {'marker': 'param/marker', 'limit': 'param/limit'}
    return {
        'rel/queues': _resource('/queues{?marker,limit,detailed}', ['GET'],
                                dict(paging, detailed='param/detailed')),
        'rel/queue': _resource(QUEUE, queue_methods),
        'rel/queue_stats': _resource(QUEUE + '/stats', ['GET']),
        'rel/queue_share': _resource(QUEUE + '/share', ['POST'],
                                     accept_post='application/json'),
        'rel/queue_purge': _resource(QUEUE + '/purge', ['POST'],
                                     accept_post='application/json'),
        'rel/messages': _resource(
            QUEUE + '/messages{?marker,limit,echo,include_claimed}', ['GET'],
            dict(paging, echo='param/echo', include_claimed='param/include_claimed')),
        'rel/post_messages': _resource(QUEUE + '/messages', ['POST'],
                                       accept_post='application/json'),
        'rel/messages_delete': _resource(QUEUE + '/messages{?ids,pop}', ['DELETE'],
                                         {'ids': 'param/ids', 'pop': 'param/pop'}),
        'rel/message_delete': _resource(
            QUEUE + '/messages/{message_id}{?claim}', ['DELETE'],
            {'message_id': 'param/message_id', 'claim': 'param/claim_id'}),
        'rel/message_get': _resource(QUEUE + '/messages/{message_id}', ['GET'],
                                     {'message_id': 'param/message_id'}),
        'rel/claim': _resource(QUEUE + '/claims/{claim_id}', ['GET'],
                               {'claim_id': 'param/claim_id'}),
        'rel/post_claim': _resource(QUEUE + '/claims{?limit}', ['POST'],
                                    {'limit': 'param/limit'},
                                    accept_post='application/json'),
        'rel/patch_claim': _resource(QUEUE + '/claims/{claim_id}', ['PATCH'],
                                     {'claim_id': 'param/claim_id'}),
        'rel/delete_claim': _resource(QUEUE + '/claims/{claim_id}', ['DELETE'],
                                      {'claim_id': 'param/claim_id'}),
        'rel/subscriptions_get': _resource(QUEUE + '/subscriptions{?marker,limit}',
                                           ['GET'], paging),
        'rel/subscriptions_post': _resource(QUEUE + '/subscriptions', ['POST'],
                                            accept_post='application/json'),
        'rel/subscription': _resource(QUEUE + '/subscriptions/{subscription_id}',
                                      ['GET', 'DELETE'],
                                      {'subscription_id': 'param/subscription_id'}),
        'rel/subscription_patch': _resource(
            QUEUE + '/subscriptions/{subscription_id}', ['PATCH'],
            {'subscription_id': 'param/subscription_id'}),
        'rel/ping': {'href-template': '/ping', 'href-vars': {},
                     'hints': {'allow': ['GET'], 'formats': JSON}},
    }


def _admin():
    paging = {'marker': 'param/marker', 'limit': 'param/limit',
              'detailed': 'param/detailed'}
    return {
        'rel/pools': _resource('/pools{?marker,limit,detailed}', ['GET'], paging),
        'rel/pool': _resource('/pools/{pool_name}', ['GET', 'PUT', 'PATCH', 'DELETE'],
                              {'pool_name': 'param/pool_name'}),
        'rel/flavors': _resource('/flavors{?marker,limit,detailed}', ['GET'], paging),
        'rel/flavor': _resource('/flavors/{flavor_name}',
                                ['GET', 'PUT', 'PATCH', 'DELETE'],
                                {'flavor_name': 'param/flavor_name'}),
        'rel/health': {'href': '/health',
                       'hints': {'allow': ['GET'], 'formats': JSON}},
    }


def document(version, admin_mode):
    """The home document of ``version`` (versions.py)."""
    # PATCH last, as upstream lists it.
    methods = [m for m in ('GET', 'PUT', 'DELETE', 'PATCH') if m in version.queue_methods]
    resources = _public(methods)
    for extra, rels in EXTRA_RELS.items():
        if extra not in version.queue_extras:
            for rel in rels:
                del resources[rel]
    if admin_mode:
        resources.update(_admin())
    for resource in resources.values():
        for key in ('href-template', 'href'):
            if key in resource:
                resource[key] = version.prefix + resource[key]
    return {'resources': resources}
