"""JSON-Patch of queue metadata (api-v2.md section 4.3.4).

Validation follows upstream's draft-10 subset: add, replace and remove of
``/metadata/<key>``.
"""

import re

from zaqar.api import errors

OPS = ('add', 'replace', 'remove')
_BAD_ESCAPE = re.compile(r'~(?![01])')


def _invalid(description):
    return errors.InvalidBody(description)


def parse_pointer(path):
    if not isinstance(path, str) or not path.startswith('/'):
        raise _invalid('JSON Pointer must start with "/".')
    if path.endswith('/') or '//' in path:
        raise _invalid('JSON Pointer has an empty segment.')
    if _BAD_ESCAPE.search(path):
        raise _invalid('JSON Pointer has an invalid "~" escape.')
    parts = [p.replace('~1', '/').replace('~0', '~') for p in path[1:].split('/')]
    if len(parts) != 2:
        raise _invalid('JSON Pointer must have exactly two segments: /metadata/<key>.')
    return parts


def validate(document):
    """Return the list of (op, key, value) of a patch document."""
    if not isinstance(document, list):
        raise _invalid('JSON-Patch body must be an array of operations.')
    changes = []
    for operation in document:
        if not isinstance(operation, dict):
            raise _invalid('Each JSON-Patch operation must be an object.')
        op = operation.get('op')
        if op not in OPS:
            raise _invalid(f'Invalid operation: {op!r}; must be one of {", ".join(OPS)}.')
        if 'path' not in operation:
            raise _invalid('Missing "path" in a JSON-Patch operation.')
        root, key = parse_pointer(operation['path'])
        if op != 'remove' and root.lower() != 'metadata':
            raise _invalid('The JSON Pointer must start with "/metadata".')
        if op != 'remove' and 'value' not in operation:
            raise _invalid(f'Missing "value" in a JSON-Patch "{op}" operation.')
        changes.append((op, key, operation.get('value')))
    return changes


def apply(metadata, changes, reserved):
    """Apply validated changes to a copy of ``metadata`` and return it."""
    result = dict(metadata)
    for op, key, value in changes:
        if op == 'add':
            result[key] = value
        elif op == 'replace':
            if key not in result and key not in reserved:
                raise errors.Conflict(f"Can't replace non-existent object {key}.")
            result[key] = value
        elif key in result:
            del result[key]
        elif key not in reserved:
            raise errors.Conflict(f"Can't remove non-existent object {key}.")
    return result
