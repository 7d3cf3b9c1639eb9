"""What subscribers receive: notifications and confirmation requests
(api-v2.md 13.3 and 13.5). Pure functions; the wire shapes live here."""

import datetime

NOTIFICATION = 'Notification'
SUBSCRIPTION_CONFIRMATION = 'SubscriptionConfirmation'
UNSUBSCRIBE_CONFIRMATION = 'UnsubscribeConfirmation'

SUBSCRIBE_TEXT = 'You have chosen to subscribe to the queue: {0}'
UNSUBSCRIBE_TEXT = ('You have unsubscribed successfully to the queue: {0}, '
                    'you can resubscribe it by using confirmed=True.')
CONFIRM_PATH = '/v2/queues/{0}/subscriptions/{1}/confirm'
DEFAULT_SUBSCRIPTION_TTL = 3600


def notification(message, delayed_queue):
    """The posted message as sent: ttl, body, [delay,] Message_Type.

    ``delay`` only on a delayed queue (one with ``_default_message_delay``),
    as upstream; store-side fields (ids, checksums) never.
    """
    sent = {'ttl': message.get('ttl'), 'body': message.get('body')}
    if delayed_queue and 'delay' in message:
        sent['delay'] = message['delay']
    sent['Message_Type'] = NOTIFICATION
    return sent


def confirmation(queue_name, project, subscription, signer, unsubscribed=False,
                 base_url=None, websocket_url=None, now=None):
    """The request to confirm a subscription (or the notice that it ended),
    with a pre-signed ``PUT`` of its confirm path valid while it lives."""
    path = CONFIRM_PATH.format(queue_name, subscription['id'])
    ttl = subscription.get('ttl') or DEFAULT_SUBSCRIPTION_TTL
    now = now or datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    signed = signer([path], ['PUT'], project, (now + datetime.timedelta(seconds=ttl))
                    .replace(microsecond=0))
    message = {}
    if base_url:
        message['WSGISubscribeURL'] = base_url.rstrip('/') + path
    if websocket_url:
        message['WebSocketSubscribeURL'] = websocket_url.rstrip('/') + path
    text = UNSUBSCRIBE_TEXT if unsubscribed else SUBSCRIBE_TEXT
    message.update({
        'Message_Type': UNSUBSCRIBE_CONFIRMATION if unsubscribed else SUBSCRIPTION_CONFIRMATION,
        'Message': text.format(queue_name),
        'URL-Signature': signed['signature'],
        'URL-Methods': 'PUT',
        'URL-Paths': path,
        'X-Project-ID': project,
        'URL-Expires': signed['expires'],
        'SubscribeBody': {'confirmed': True},
        'UnsubscribeBody': {'confirmed': False},
    })
    return message
