"""HTTP parsing and rendering helpers shared by the controllers."""

import json
import re
from urllib.parse import urlencode

import webob

from zaqar.api import errors

INTEGER = re.compile(r'^\s*[+-]?\d+\s*$')
_TRUE = {'true', 'True', 't', 'yes', 'y', '1', 'on'}
_FALSE = {'false', 'False', 'f', 'no', 'n', '0', 'off'}
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _last(request, name):
    values = [v for v in request.GET.getall(name) if v != '']
    if not values:
        return None
    if '\x00' in values[-1]:
        # No name, marker or id holds a NUL, and PostgreSQL cannot even
        # compare one: refuse it here, the same on every backend.
        raise errors.InvalidParameter(f'The "{name}" parameter is invalid.')
    return values[-1]


def get_int(request, name, default=None):
    value = _last(request, name)
    if value is None:
        return default
    try:
        # The pattern keeps out what int() takes but no client means
        # ('1_000'); int() refuses some whitespace \s matches ('0\x1f').
        if INTEGER.match(value):
            return int(value)
    except ValueError:
        pass
    raise errors.InvalidParameter(
        f'The "{name}" parameter is invalid. The value must be an integer.')


def get_bool(request, name, default=False):
    value = _last(request, name)
    if value is None:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise errors.InvalidParameter(
        f'The "{name}" parameter is invalid. The value of the parameter must be '
        '"true" or "false".')


def get_str(request, name):
    return _last(request, name)


def get_list(request, name):
    """Comma-separated (or repeated) values; blank items are dropped."""
    items = []
    for value in request.GET.getall(name):
        items.extend(v for v in value.split(',') if v)
    return items or None


def _check_int(value):
    number = int(value)
    if not INT64_MIN <= number <= INT64_MAX:
        raise errors.InvalidBody('JSON contains integer that is too large.')
    return number


def read_json(request, required=True):
    """Parse the body as a JSON object or array (api-v2.md section 2.7)."""
    if not request.content_length:
        if required:
            raise errors.InvalidBody('Request body can not be empty')
        return None
    try:
        # Straight from the input: WebOb's request.body copies it into a
        # seekable buffer first, which nothing here needs.
        raw = request.body_file_raw.read(request.content_length)
        document = json.loads(raw.decode('utf-8'), parse_int=_check_int)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise errors.InvalidBody('Request body could not be parsed.') from None
    if not isinstance(document, (dict, list)):
        raise errors.InvalidBody('Request body could not be parsed.')
    return document


class Response(webob.Response):
    """A response whose Location stays relative, as upstream sends it."""

    def _abs_headerlist(self, environ):
        return list(self.headerlist)


def encode(body):
    return json.dumps(body).encode()


def respond(status, body=None, headers=None, content_type='application/json'):
    """A finished response; its header list is built directly, which costs
    a fraction of WebOb's header setters. ``body`` is JSON-able, or already
    encoded (bytes from ``encode``) when it is the same for every request."""
    if body is None:
        payload, headerlist = b'', []
    else:
        payload = body if isinstance(body, bytes) else encode(body)
        headerlist = [('Content-Length', str(len(payload))),
                      ('Content-Type', content_type)]
    if headers:
        headerlist.extend(headers.items())
    return Response(status=status, headerlist=headerlist, app_iter=[payload],
                    charset=None)


def next_link(path, params):
    """The ``links`` list of a page: one "next" link, or none when empty."""
    query = urlencode([(k, str(v).lower() if isinstance(v, bool) else v)
                       for k, v in params.items() if v is not None])
    return [{'rel': 'next', 'href': f'{path}?{query}'}]


def message_view(message, base):
    href = f'{base}/messages/{message["id"]}'
    if message.get('claim_id'):
        href += f'?claim_id={message["claim_id"]}'
    view = {'id': message['id'], 'href': href, 'ttl': message['ttl'],
            'age': message['age'], 'body': message['body']}
    if message.get('checksum'):
        view['checksum'] = message['checksum']
    return view
