"""URL routing by the controllers' declared children only.

Pecan walks a path with getattr, so a segment that names any attribute of
a controller reaches it: a queue named "index" listed the queues, one named
"get" was 404, and "_lookup" or "__class__" (valid queue names, as are
message and subscription ids like "index") ended in a 500 inside Pecan.
Here a segment is a child only when it is a public instance attribute
that is a controller (Root.v2, API.queues, ...); any other segment
goes to the controller's ``_lookup`` (a queue, message, claim, ...) or is
404. The routes are the same as before for every other name.

Controllers that build their children per request (queues.Container)
name them in ``CHILDREN`` and build the one asked for with ``_child``.
"""

import webob.exc


def _is_controller(value):
    return hasattr(type(value), 'index')


def child(node, name):
    """The child controller ``name`` of ``node``, or None."""
    if not name or name[0] == '_':
        return None
    if name in getattr(type(node), 'CHILDREN', ()):
        return node._child(name)
    found = vars(node).get(name)
    return found if found is not None and _is_controller(found) else None


def resolve(root, path):
    """The controller ``path`` leads to from ``root``."""
    node, segments = root, path.split('/')[1:]
    while segments and segments != ['']:
        name = segments[0]
        found = child(node, name)
        if found is not None:
            node, segments = found, segments[1:]
        elif name and hasattr(type(node), '_lookup'):
            node, segments = node._lookup(name, *segments[1:])
        else:
            raise webob.exc.HTTPNotFound()
    return node
