"""Checks schemathesis runs on every response (loaded by SCHEMATHESIS_HOOKS).

Runs in .venv-fuzz, so it imports nothing of zaqar's.
"""

import json

import schemathesis

# Unknown routes and methods answer as upstream (falcon) does: a title only.
TITLE_ONLY = {'404 Not Found', '405 Method Not Allowed'}
TRACE_MARKS = ('Traceback (most recent call last)', 'File "/', '.py", line ')


@schemathesis.check
def no_traceback(ctx, response, case):
    text = response.content.decode('utf-8', 'replace')
    for mark in TRACE_MARKS:
        if mark in text:
            raise AssertionError(f'internals in the response: {mark!r}')


@schemathesis.check
def error_has_title_and_description(ctx, response, case):
    if not 400 <= response.status_code < 500 or case.method.upper() == 'HEAD':
        return  # a HEAD response has no body
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f'a {response.status_code} whose body is not JSON: '
                             f'{response.content[:200]!r}') from None
    if not isinstance(body, dict) or not isinstance(body.get('title'), str):
        raise AssertionError(f'a {response.status_code} without a title: {body!r}')
    if body['title'] not in TITLE_ONLY and not isinstance(body.get('description'), str):
        raise AssertionError(f'a {response.status_code} without a description: {body!r}')


@schemathesis.serializer('application/openstack-messaging-v2.0-json-patch')
def json_patch(ctx, value):
    """Queue and topic PATCH bodies: JSON under the API's own media type."""
    if isinstance(value, bytes):
        return {'data': value}
    return {'data': json.dumps(value).encode()}
