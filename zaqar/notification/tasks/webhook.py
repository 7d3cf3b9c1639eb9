"""Webhooks (http, https): one POST per notification (api-v2.md 13.3).

The body is the notification's JSON, or ``options.post_data`` with every
``"$zaqar_message$"`` (quotes included) replaced by that JSON. Headers are
``Content-Type: application/json`` updated with ``options.post_headers``.

A 2xx answer delivers. Connection errors, timeouts, 5xx, 408 and 429 are
retried (upstream retried only the first two). Other answers are final:
the subscriber has refused the notification.
"""

import base64
from urllib import parse

import urllib3
from urllib3 import exceptions

from zaqar.notification import tasks

PLACEHOLDER = '"$zaqar_message$"'
RETRIED_STATUSES = frozenset((408, 429))
ANSWER_PEEK = 512        # bytes of an answer worth a log line
ANSWER_KEEP = 64 * 1024  # answers up to this size are read whole, keeping the connection
HOSTS_KEPT = 100         # subscriber hosts whose connections are kept open


class WebhookTask(tasks.Task):

    def __init__(self, conf, settings):
        super().__init__(conf, settings)
        # urllib3 rather than requests: a third of the CPU per POST, and its
        # pool manager is shared by the worker threads. Connections to a
        # subscriber are kept alive between notifications; no retries, no
        # redirects, no proxies from the environment.
        workers = conf.notification.max_notifier_workers
        self._http = urllib3.PoolManager(
            num_pools=HOSTS_KEPT, maxsize=workers, block=False, retries=False,
            timeout=urllib3.Timeout(connect=settings.timeout, read=settings.timeout))

    def deliver(self, subscription, notification):
        headers = {'Content-Type': 'application/json'}
        return self.post(subscription['subscriber'], subscription, notification, headers)

    def post(self, url, subscription, notification, headers):
        options = subscription.get('options') or {}
        url = _credentials_to_header(url, headers)
        headers.update(options.get('post_headers') or {})
        data = render(options.get('post_data'), notification.document)
        try:
            answer = self._http.request('POST', url, body=data.encode('utf-8'),
                                        headers=headers, redirect=False,
                                        preload_content=False)
        except (exceptions.NewConnectionError, exceptions.ProtocolError,
                exceptions.SSLError, exceptions.ProxyError, OSError) as exc:
            # Before TimeoutError: urllib3 makes NewConnectionError one.
            return tasks.retry(f'connection failed: {_reason(exc)}')
        except exceptions.TimeoutError:
            return tasks.retry(f'no answer within {self.settings.timeout:g} s')
        except (exceptions.HTTPError, ValueError) as exc:  # an unusable URL or header
            return tasks.failed(f'request not sent: {exc}')
        status, text = answer.status, _read(answer)
        if 200 <= status < 300:
            return tasks.DELIVERED
        detail = f'HTTP {status} {answer.reason}: {" ".join(text.split()) or "(empty)"}'
        if status >= 500 or status in RETRIED_STATUSES:
            return tasks.retry(detail)
        return tasks.failed(detail)


def render(post_data, document):
    """The request body: the template with the message in place, or the message."""
    if isinstance(post_data, str):
        return post_data.replace(PLACEHOLDER, document)
    return document


def _credentials_to_header(url, headers):
    # http://user:password@host/ means Basic auth, as browsers and requests
    # (upstream's client) take it; urllib3 leaves that to its caller.
    parts = parse.urlsplit(url)
    if parts.username is None:
        return url
    credentials = f'{parse.unquote(parts.username)}:{parse.unquote(parts.password or "")}'
    headers['Authorization'] = 'Basic ' + base64.b64encode(credentials.encode()).decode()
    return parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition('@')[2]))


def _read(answer):
    """The answer's text, at most ANSWER_PEEK bytes of it.

    A short answer of known length is read whole, which lets the connection
    be kept for the next notification; anything else is cut short and its
    connection closed: a subscriber may answer with anything, of any size.
    """
    try:
        length = answer.headers.get('Content-Length', '')
        if length.isdigit() and int(length) <= ANSWER_KEEP:
            text = answer.read()
            answer.release_conn()
        else:
            text = answer.read(ANSWER_PEEK)
            answer.close()
    except (exceptions.HTTPError, OSError) as exc:
        answer.close()
        return f'(answer unreadable: {exc})'
    return text[:ANSWER_PEEK].decode('utf-8', 'replace')


def _reason(exc):
    # The innermost cause says it best ("[Errno 111] Connection refused").
    cause = exc
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    return str(cause) or type(cause).__name__
