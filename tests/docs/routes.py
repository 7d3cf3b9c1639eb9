"""The routes the WSGI app really serves, read from its Pecan controllers.

Each controller answers the methods of its generic ``index`` (its
``@index.when(method=...)`` handlers); its children are its public
attributes that are controllers, or those it builds on demand
(routing.child), and the controller its ``_lookup`` returns for a path
segment it does not know (named here by the parent's segment).
"""

from zaqar.transport.wsgi import routing

# The placeholder the docs use for the segment each collection looks up.
PLACEHOLDERS = {
    'queues': '{queue_name}', 'topics': '{topic_name}', 'messages': '{message_id}',
    'claims': '{claim_id}', 'subscriptions': '{subscription_id}',
    'pools': '{pool_name}', 'flavors': '{flavor_name}',
}


def _methods(controller):
    index = getattr(type(controller), 'index', None)
    handlers = getattr(index, '_pecan', {}).get('generic_handlers', {})
    return {method for method in handlers if method != 'DEFAULT'}


def _children(controller, path):
    names = set(vars(controller)) | set(getattr(type(controller), 'CHILDREN', ()))
    for name in sorted(names):
        child = routing.child(controller, name)
        if child is not None and _methods(child):
            yield f'{path}/{name}', child
    if hasattr(type(controller), '_lookup'):
        segment = path.rsplit('/', 1)[-1]
        if segment not in PLACEHOLDERS:
            raise LookupError(f'{path} looks up sub-resources: name the placeholder of '
                              f'"{segment}" in PLACEHOLDERS')
        child, _ = controller._lookup(PLACEHOLDERS[segment].strip('{}'))
        yield f'{path}/{PLACEHOLDERS[segment]}', child


def walk(controller, path=''):
    """Yield (method, path template) for every route under ``controller``."""
    for method in sorted(_methods(controller)):
        yield method, path or '/'
    for child_path, child in _children(controller, path):
        yield from walk(child, child_path)
