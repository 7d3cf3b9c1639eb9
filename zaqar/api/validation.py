"""Limits and input rules of the API, with upstream's messages.

Built once from ``[transport]`` options; every transport uses the same
instance through the service layer.
"""

import datetime
import re
import urllib.parse
import uuid

from zaqar.api import errors

QUEUE_NAME = re.compile(r'^[a-zA-Z0-9_\-.]+$')
QUEUE_NAME_MAX = 64
PROJECT_ID_MAX = 256
MIN_MESSAGE_TTL = 60
MIN_CLAIM_TTL = 60
MIN_CLAIM_GRACE = 60
MIN_SUBSCRIPTION_TTL = 60
SUBSCRIPTION_FIELDS = ('subscriber', 'ttl', 'options')
# The form nearly every Client-ID has; uuid.UUID accepts all of it (and
# more), in five times the time this match takes.
CANONICAL_UUID = re.compile(
    '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')


def _is_int(value):
    # bool is an int in Python, and upstream accepts it as one.
    return isinstance(value, int)


class Options:
    """The options of one group, each read from oslo.config once, on first
    use: a read there costs ~1.5 us, several per request. None of them is
    mutable, and every test that overrides one builds a new service."""

    def __init__(self, group):
        self._group = group

    def __getattr__(self, name):
        value = getattr(self._group, name)
        setattr(self, name, value)
        return value


class Validator:
    def __init__(self, conf):
        self.limits = Options(conf.transport)

    # -- identifiers -------------------------------------------------------

    def queue_identification(self, name, project, noun='queue'):
        """Check a queue's (or ``noun``'s: topic) name and project id."""
        if (not name or len(name) > QUEUE_NAME_MAX or not QUEUE_NAME.match(name)
                or (project is not None and len(project) > PROJECT_ID_MAX)):
            raise errors.BadRequest(
                f'The format of the submitted {noun} name or project id is not valid.',
                title=f'Invalid {noun} identification')

    def client_id(self, value):
        if value is None:
            raise errors.InvalidHeader('The "Client-Id" header is required.')
        if self.limits.client_id_uuid_safe == 'strict':
            if CANONICAL_UUID.fullmatch(value):
                return
            try:
                uuid.UUID(value)
            except ValueError:
                raise errors.BadRequest('Malformed hexadecimal UUID.',
                                        title='Wrong UUID value') from None
            return
        low, high = self.limits.min_length_client_id, self.limits.max_length_client_id
        if not low <= len(value) <= high:
            raise errors.BadRequest(
                f'Length of client id must be at least {low} and no greater than {high}.',
                title=f'Length of client id must be at least {low} and no greater '
                      f'than {high}.')

    # -- paging ------------------------------------------------------------

    def queue_listing(self, limit):
        self._limit(limit, self.limits.max_queues_per_page, 'no greater than')

    def message_listing(self, limit):
        self._limit(limit, self.limits.max_messages_per_page, 'may not be greater than')

    def claim_limit(self, limit):
        self._limit(limit, self.limits.max_messages_per_claim_or_pop,
                    'may not be greater than')

    @staticmethod
    def _limit(limit, upper, phrase):
        if limit is not None and not 0 < limit <= upper:
            raise errors.BadRequest(f'Limit must be at least 1 and {phrase} {upper}.')

    def subscription_listing(self, limit):
        self._limit(limit, self.limits.max_subscriptions_per_page, 'may not be greater than')

    def pool_listing(self, limit):
        self._limit(limit, self.limits.max_pools_per_page, 'no greater than')

    def flavor_listing(self, limit):
        self._limit(limit, self.limits.max_flavors_per_page, 'no greater than')

    def pop(self, pop):
        upper = self.limits.max_messages_per_claim_or_pop
        if not 0 < pop <= upper:
            raise errors.BadRequest(
                f'Pop value must be at least 1 and may not be greater than {upper}.')

    def message_ids(self, ids):
        upper = self.limits.max_messages_per_page
        if not 0 < len(ids) <= upper:
            raise errors.BadRequest(
                f'ids parameter should have at least 1 and not greater than {upper} values.')

    def claim_ids(self, claim_ids):
        # One claim per message: never more claim ids than message ids.
        upper = self.limits.max_messages_per_page
        if claim_ids and len(claim_ids) > upper:
            raise errors.BadRequest(
                f'claim_ids parameter should have not greater than {upper} values.')

    # -- sizes ---------------------------------------------------------------

    def queue_metadata_length(self, length):
        upper = self.limits.max_queue_metadata
        if length is not None and length > upper:
            raise errors.BadRequest(f'Queue metadata is too large. Max size: {upper}')

    def message_post_length(self, length, queue_max=None):
        upper = self.limits.max_messages_post_size
        if length is None:
            return
        if queue_max and queue_max < upper:
            if length > queue_max:
                raise errors.BadRequest(
                    f'Message collection size is too large. The max size for current '
                    f'queue is {queue_max}. It is calculated by max size = min('
                    f'max_messages_post_size_config: {upper}, '
                    f'max_messages_post_size_queue: {queue_max}).')
        elif length > upper:
            raise errors.BadRequest(f'Message collection size is too large. Max size {upper}')

    # -- messages and claims -------------------------------------------------

    def message_ttl(self, ttl):
        upper = self.limits.max_message_ttl
        if not MIN_MESSAGE_TTL <= ttl <= upper:
            raise errors.BadRequest(
                f'The TTL for a message may not exceed {upper} seconds, and must be at '
                f'least {MIN_MESSAGE_TTL} seconds long.')

    def message_delay(self, delay):
        upper = self.limits.max_message_delay
        if not 0 <= delay <= upper:
            raise errors.BadRequest(
                f'The Delay TTL for a message may not exceed {upper} seconds,and must '
                'be at least 0 seconds long.')

    def claim_ttl(self, ttl):
        upper = self.limits.max_claim_ttl
        if not _is_int(ttl) or not MIN_CLAIM_TTL <= ttl <= upper:
            raise errors.BadRequest(
                f'The TTL for a claim may not exceed {upper} seconds, and must be at '
                f'least {MIN_CLAIM_TTL} seconds long.')

    def claim_grace(self, grace):
        upper = self.limits.max_claim_grace
        if not _is_int(grace) or not MIN_CLAIM_GRACE <= grace <= upper:
            raise errors.BadRequest(
                f'The grace for a claim may not exceed {upper} seconds, and must be at '
                f'least {MIN_CLAIM_GRACE} seconds long.')

    # -- reserved queue metadata (api-v2.md section 5) -----------------------

    def queue_metadata(self, metadata):
        limits = self.limits
        self._reserved_int(metadata, '_max_messages_post_size', 1,
                           limits.max_messages_post_size)
        self._reserved_int(metadata, '_default_message_ttl', MIN_MESSAGE_TTL,
                           limits.max_message_ttl)
        self._reserved_int(metadata, '_default_message_delay', 0,
                           limits.max_message_delay)
        self._reserved_int(metadata, '_dead_letter_queue_messages_ttl', MIN_MESSAGE_TTL,
                           limits.max_message_ttl)
        self._reserved_int(metadata, '_max_claim_count', None, None)
        encrypt = metadata.get('_enable_encrypt_messages')
        if encrypt and not isinstance(encrypt, bool):
            raise errors.BadRequest('_enable_encrypt_messages must be bool.')

    @staticmethod
    def _reserved_int(metadata, key, low, high):
        value = metadata.get(key)
        if not value:
            return  # upstream only checks truthy values
        if not _is_int(value):
            raise errors.BadRequest(f'{key} must be integer.')
        if low is not None and not low <= value <= high:
            raise errors.BadRequest(
                f'{key} must be at least {low} and may not be greater than {high}.')

    # -- subscriptions (api-v2.md section 4.6) --------------------------------

    def subscription(self, document, creating):
        """Check a subscription create (``creating``) or update body."""
        if creating and isinstance(document, dict) and 'subscriber' not in document:
            raise errors.BadRequest('Missing parameter subscriber in body.')
        if not document:
            raise errors.BadRequest('No subscription to create.')
        if not isinstance(document, dict):
            raise errors.BadRequest('Subscriptions must be a dict.')
        unknown = sorted(set(document) - set(SUBSCRIPTION_FIELDS))
        if unknown:
            raise errors.BadRequest(f'Unknown fields: {", ".join(unknown)}.')
        if 'subscriber' in document:
            self._subscriber(document['subscriber'])
        options = document.get('options')
        if options is not None and not isinstance(options, dict):
            raise errors.BadRequest('Options must be a dict.')
        ttl = document.get('ttl')
        if ttl is not None:
            self._subscription_ttl(ttl)

    def _subscriber(self, subscriber):
        types = self.limits.subscriber_types
        if not isinstance(subscriber, str) or not subscriber:
            raise errors.BadRequest(f'The subscriber type of subscription must be '
                                    f'supported in the list {types}.')
        try:
            subscriber.encode('utf-8')
        except UnicodeEncodeError:
            raise errors.BadRequest('The subscriber is not valid UTF-8.') from None
        if urllib.parse.urlsplit(subscriber).scheme not in types:
            raise errors.BadRequest(f'The subscriber type of subscription must be '
                                    f'supported in the list {types}.')

    @staticmethod
    def _subscription_ttl(ttl):
        if not isinstance(ttl, int) or isinstance(ttl, bool):
            raise errors.BadRequest('TTL must be an integer.')
        if ttl < MIN_SUBSCRIPTION_TTL:
            raise errors.BadRequest(f'The TTL for a subscription must be at least '
                                    f'{MIN_SUBSCRIPTION_TTL} seconds long.')
        try:
            datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=ttl)
        except OverflowError:
            raise errors.BadRequest(
                'The TTL seconds for a subscription plus current time must be less '
                f'than {datetime.datetime.max}.') from None

    @staticmethod
    def subscription_confirming(document):
        if not isinstance(document, dict) or not isinstance(document.get('confirmed'), bool):
            raise errors.BadRequest("The 'confirmed' should be boolean.")
