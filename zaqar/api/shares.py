"""Sharing a queue: pre-signed URLs for some of its paths and methods."""

from zaqar.api import errors, signed_urls

KNOWN_KEYS = frozenset(('methods', 'expires', 'paths'))
SHAREABLE_PATHS = frozenset(('messages', 'subscriptions', 'claims'))
METHODS = frozenset(('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'))


def _string_list(document, key, default, allowed):
    values = document.get(key, default)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise errors.BadRequest(f'"{key}" must be a list of strings.')
    values = values or default
    unknown = set(values) - allowed
    if unknown:
        raise errors.BadRequest(f'Invalid {key}: {unknown}')
    return values


class Shares:
    def __init__(self, deps):
        self._deps = deps
        self._key = deps.conf.signed_url.secret_key

    def share(self, ctx, queue_path, document):
        """The signed document for ``queue_path`` (e.g. /v2/queues/q).

        ``document`` may name ``paths`` (under the queue), ``methods`` and
        ``expires`` (ISO 8601 string); defaults: messages, GET, one day.
        """
        self._deps.enforce('queues:share', ctx)
        if not isinstance(document, dict):
            raise errors.InvalidBody('The share request must be a JSON object.')
        unknown = set(document) - KNOWN_KEYS
        if unknown:
            raise errors.BadRequest(f'Unknown keys: {unknown}')
        paths = _string_list(document, 'paths', ['messages'], SHAREABLE_PATHS)
        methods = _string_list(document, 'methods', ['GET'], METHODS)
        expires = None
        if 'expires' in document:
            try:
                expires = signed_urls.parse_expires(document['expires'])
            except signed_urls.InvalidExpiry as exc:
                raise errors.BadRequest(str(exc)) from None
        if not self._key:
            raise errors.BadRequest(
                'Pre-signed URLs are disabled: [signed_url] secret_key is not set.')
        return signed_urls.sign(
            self._key, [f'{queue_path}/{path}' for path in sorted(set(paths))],
            sorted(set(methods)), ctx.project_id, expires)
