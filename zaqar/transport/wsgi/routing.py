"""URL routing by the controllers' declared children only.

Pecan walks a path with getattr, so a segment that names any attribute of
a controller reaches it: a queue named "index" listed the queues, one named
"get" was 404, and "_lookup" or "__class__" (valid queue names, as are
message and subscription ids like "index") ended in a 500 inside Pecan.
Here a segment is a child only when it is a public instance attribute
that is a controller (Root.v2, Container.stats, ...); any other segment
goes to the controller's ``_lookup`` (a queue, message, claim, ...) or is
404. The routes are the same as before for every other name.
"""

import webob.exc


def _is_controller(value):
    return hasattr(type(value), 'index')


def resolve(root, path):
    """The controller ``path`` leads to from ``root``."""
    node, segments = root, path.split('/')[1:]
    while segments and segments != ['']:
        name, rest = segments[0], segments[1:]
        child = vars(node).get(name) if name and not name.startswith('_') else None
        if child is not None and _is_controller(child):
            node, segments = child, rest
        elif name and hasattr(type(node), '_lookup'):
            node, segments = node._lookup(name, *rest)
        else:
            raise webob.exc.HTTPNotFound()
    return node
