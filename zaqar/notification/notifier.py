"""The notifier: what the service layer calls to reach subscribers.

``Notifier.notify`` returns at once: deliveries run on the notifier's own
threads (zaqar/notification/delivery.py), retried per the retry policy.
It delivers to every subscription it is given; choosing them (live,
confirmed when ``require_confirmation`` is on) is the caller's job, and
``Notifier.require_confirmation`` is there to tell it.
"""

import logging
from urllib import parse

from stevedore import extension

from zaqar.notification import delivery, messages, retry, tasks
from zaqar.notification.tasks import trust

LOG = logging.getLogger(__name__)

TASKS_NAMESPACE = 'zaqar.notification.tasks'


def validate_options(options):
    """Raise ValueError (the text is the 400's description) for subscription
    options the notifier cannot honour: a bad ``_retry_policy`` (upstream's
    messages), ``post_data`` that is not a string, ``post_headers`` that
    are not a dict of strings."""
    if options is None:
        return
    if not isinstance(options, dict):
        raise ValueError('Options must be a dict.')
    retry.validate(options.get('_retry_policy'))
    post_data = options.get('post_data')
    if post_data is not None and not isinstance(post_data, str):
        raise ValueError('post_data must be a string.')
    headers = options.get('post_headers')
    if headers is not None:
        if not isinstance(headers, dict):
            raise ValueError('post_headers must be a dict.')
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise ValueError('post_headers names and values must be strings.')


def load_tasks(conf, settings):
    """One task per scheme of the ``zaqar.notification.tasks`` entry points;
    a task that cannot be loaded stops start-up."""
    def fail(manager, entry_point, exc):
        raise RuntimeError(f'Notification task {entry_point.name!r} of {TASKS_NAMESPACE} '
                           f'could not be loaded: {exc}') from exc

    manager = extension.ExtensionManager(TASKS_NAMESPACE, invoke_on_load=True,
                                         invoke_args=(conf, settings),
                                         on_load_failure_callback=fail)
    return {ext.name: ext.obj for ext in manager}


class Notifier:
    """Delivers notifications and confirmation requests to subscribers.

    ``signer(paths, methods, project, expires)`` signs confirmation URLs
    (None when ``[signed_url] secret_key`` is unset: no confirmations).
    ``token_provider(trust_id)`` gives Keystone tokens for trust+
    subscribers (default: ``KeystoneTrustTokens`` from ``[trustee]``).
    ``delay_scale`` multiplies retry delays (tests make seconds milliseconds).
    Threads start on the first delivery; ``stop`` ends them.
    """

    def __init__(self, conf, signer=None, token_provider=None, delay_scale=1.0):
        group = conf.notification
        self.conf = conf
        self.require_confirmation = group.require_confirmation
        self._signer = signer
        if token_provider is None:
            token_provider = trust.KeystoneTrustTokens(conf)
        self._settings = tasks.Settings(timeout=group.delivery_timeout,
                                        token_provider=token_provider)
        self._dispatcher = delivery.Dispatcher(group.max_notifier_workers,
                                               group.max_pending_deliveries, delay_scale)
        self._tasks = load_tasks(conf, self._settings)

    def notify(self, queue_name, project, messages_posted, subscriptions, queue_metadata):
        """Schedule every posted message for every subscription; never blocks.

        ``messages_posted``: dicts with body, ttl (and delay) as posted;
        ``subscriptions``: dicts with id, source, subscriber, ttl, options;
        ``queue_metadata``: the queue's metadata (``_retry_policy``).
        """
        if not messages_posted or not subscriptions:
            return
        metadata = queue_metadata or {}
        delayed = bool(metadata.get('_default_message_delay'))
        notifications = [tasks.Notification(queue_name, project,
                                            messages.notification(m, delayed))
                         for m in messages_posted]
        queue_policy = metadata.get('_retry_policy')
        for subscription in subscriptions:
            self._submit(subscription, notifications, queue_policy)

    def send_confirmation(self, queue_name, project, subscription, base_url=None,
                          websocket_url=None):
        """Ask the subscriber to confirm: a SubscriptionConfirmation message
        with a signed PUT of the confirm path (api-v2.md 13.5). ``base_url``
        and ``websocket_url``: the public endpoints, for ``WSGISubscribeURL``
        and ``WebSocketSubscribeURL`` (left out when None)."""
        self._confirm(queue_name, project, subscription, False, base_url, websocket_url)

    def send_unsubscribed(self, queue_name, project, subscription, base_url=None,
                          websocket_url=None):
        """Tell the subscriber it is unsubscribed (UnsubscribeConfirmation),
        with the signed PUT that would subscribe it again."""
        self._confirm(queue_name, project, subscription, True, base_url, websocket_url)

    def _confirm(self, queue_name, project, subscription, unsubscribed, base_url,
                 websocket_url):
        if self._signer is None:
            LOG.error('Confirmation for %s on queue %s not sent: [signed_url] secret_key '
                      'is not set', delivery.redact(subscription['subscriber']), queue_name)
            return
        message = messages.confirmation(queue_name, project, subscription, self._signer,
                                        unsubscribed=unsubscribed, base_url=base_url,
                                        websocket_url=websocket_url)
        LOG.info('Sending %s to %s for queue %s', message['Message_Type'],
                 delivery.redact(subscription['subscriber']), queue_name)
        self._submit(subscription, [tasks.Notification(queue_name, project, message)], None)

    def _submit(self, subscription, notifications, queue_policy):
        uri = subscription['subscriber']
        task = self._task(parse.urlsplit(uri).scheme)
        if task is None:
            LOG.error('Notification for queue %s to %s dropped: no delivery task for '
                      'its scheme', notifications[0].queue_name, delivery.redact(uri))
            return
        options = subscription.get('options')
        policy = retry.resolve(options.get('_retry_policy') if isinstance(options, dict)
                               else None, queue_policy)
        if not self._dispatcher.submit(delivery.Delivery(task, subscription, notifications,
                                                         policy)):
            LOG.error('Notification for queue %s to %s dropped: the notifier is %s',
                      notifications[0].queue_name, delivery.redact(uri),
                      'stopped' if self._stopped else
                      f'full ({self._dispatcher.pending} deliveries pending)')

    @property
    def _stopped(self):
        return self._dispatcher.stopped

    def _task(self, scheme):
        return self._tasks.get(scheme)

    def wait_idle(self, timeout=None):
        """Block until nothing is queued, being sent or waiting for a retry."""
        return self._dispatcher.wait_idle(timeout)

    def stop(self, timeout=10.0):
        """Stop delivering: retries still waiting are dropped, queued
        deliveries get up to ``timeout`` seconds. True if every thread ended."""
        return self._dispatcher.stop(timeout)
