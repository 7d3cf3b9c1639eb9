"""The shape of a request: which headers and body fields an action takes,
and their JSON types (upstream's request schema, api-v2.md section 9.3).

Only the shape is checked here: limits, names and every other rule are the
service layer's, as for HTTP.
"""

import dataclasses

STRING, INTEGER, BOOLEAN, ARRAY, OBJECT = 'string', 'integer', 'boolean', 'array', 'object'

_CHECKS = {
    STRING: lambda v: isinstance(v, str),
    # JSON Schema's integer: a bool is not one.
    INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    BOOLEAN: lambda v: isinstance(v, bool),
    ARRAY: lambda v: isinstance(v, list),
    OBJECT: lambda v: isinstance(v, dict),
}

# Headers that, when sent, must be strings; others pass unchecked.
HEADERS = ('User-Agent', 'Date', 'Accept', 'Client-ID', 'X-Project-ID', 'X-Auth-Token')
DATA_HEADERS = ('Client-ID', 'X-Project-ID')


@dataclasses.dataclass(frozen=True)
class Shape:
    fields: dict = dataclasses.field(default_factory=dict)  # body field -> type
    required: tuple = ()           # body fields that must be present
    headers: tuple = DATA_HEADERS  # headers that must be present
    needs_body: bool = True        # the "body" member must be present


def valid(shape, payload):
    """True when ``payload`` (a dict) has the shape."""
    headers = payload.get('headers')
    if not isinstance(headers, dict):
        return False
    if any(name not in headers for name in shape.headers):
        return False
    if any(name in headers and not isinstance(headers[name], str) for name in HEADERS):
        return False
    if 'body' not in payload:
        return not shape.needs_body and not shape.required
    body = payload['body']
    if not isinstance(body, dict):
        return False
    if any(name not in body for name in shape.required):
        return False
    return all(_CHECKS[kind](body[name]) for name, kind in shape.fields.items()
               if name in body)
