"""Pre-signed URLs: the HMAC that lets a request through without a token.

The signed string and its encoding are fixed by api-v2.md section 4.3.8 so
that signatures made by upstream Zaqar and by this service interoperate:
HMAC-SHA256 (hex) over paths, methods, project and expiry, each list sorted
and comma-joined, separated by the two characters backslash and "n".

Transport-neutral: the WSGI gate and any other transport verify with
``verify`` on the values a request carries.
"""

import datetime
import hashlib
import hmac

from oslo_utils import timeutils

DATE_FORMAT = '%Y-%m-%dT%H:%M:%S'
DEFAULT_LIFETIME = datetime.timedelta(days=1)
SEPARATOR = '\\n'  # backslash + n, not a newline: part of the wire format


class InvalidExpiry(ValueError):
    """An expiry that is not an ISO 8601 date, or not in the future."""


def parse_expires(value, now=None):
    """Naive UTC datetime of an ISO 8601 string; ``InvalidExpiry`` otherwise."""
    if not isinstance(value, str):
        raise InvalidExpiry('"expires" must be an ISO 8601 date string, '
                            'for example 2030-01-01T00:00:00.')
    try:
        int(value)
    except ValueError:
        pass
    else:
        raise InvalidExpiry('"expires" must be a date such as 2030-01-01T00:00:00, '
                            f'not an integer: {value}')
    try:
        expires = timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        raise InvalidExpiry(f'"expires" is not an ISO 8601 date: {value}') from None
    if expires <= (now or timeutils.utcnow()):
        raise InvalidExpiry('"expires" must be in the future.')
    return expires.replace(microsecond=0)


def signature(key, paths, methods, project, expires):
    """Hex HMAC-SHA256 of the signed string; ``expires`` a naive UTC datetime."""
    message = SEPARATOR.join((
        ','.join(sorted(paths)), ','.join(sorted(methods)),
        str(project), expires.strftime(DATE_FORMAT)))
    return hmac.new(key.encode('utf-8'), message.encode('utf-8'),
                    hashlib.sha256).hexdigest()


def sign(key, paths, methods, project, expires=None):
    """The share document: sorted paths and methods, project, expiry, signature."""
    expires = expires or (timeutils.utcnow() + DEFAULT_LIFETIME).replace(microsecond=0)
    return {
        'paths': sorted(paths),
        'methods': sorted(methods),
        'project': project,
        'expires': expires.strftime(DATE_FORMAT),
        'signature': signature(key, paths, methods, project, expires),
    }


def _covers(signed_path, path):
    # A signed collection also covers the resources under it (a message by
    # id); a plain prefix would let ".../messages" cover ".../messagesX".
    signed_path = signed_path.rstrip('/')
    return path == signed_path or path.startswith(signed_path + '/')


def verify(key, method, path, project, signature_value, methods, paths, expires):
    """True when a request carrying these values may go through.

    ``methods`` and ``paths`` are the comma-joined header values. Anything
    missing, expired, not covering the method and path, or not matching the
    signature (compared in constant time) is False.
    """
    if not (key and signature_value and project and methods and paths and expires
            and method and path):
        return False
    methods = methods.split(',')
    paths = paths.split(',')
    if method not in methods or not any(_covers(p, path) for p in paths if p):
        return False
    try:
        expiry = parse_expires(expires)
    except InvalidExpiry:
        return False
    expected = signature(key, paths, methods, project, expiry)
    return hmac.compare_digest(expected, signature_value)
