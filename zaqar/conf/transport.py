"""[transport] options: API limits and defaults, shared by every transport."""

from oslo_config import cfg

GROUP = 'transport'

OPTS = [
    cfg.IntOpt('default_message_ttl', default=3600,
               help='TTL of a posted message that names none.'),
    cfg.IntOpt('default_message_delay', default=0,
               help='Reported default of _default_message_delay.'),
    cfg.IntOpt('default_claim_ttl', default=300, help='Claim TTL when omitted.'),
    cfg.IntOpt('default_claim_grace', default=60, help='Claim grace when omitted.'),
    cfg.IntOpt('default_subscription_ttl', default=3600,
               help='Subscription TTL when omitted.'),
    cfg.IntOpt('max_queues_per_page', default=20,
               deprecated_name='queue_paging_uplimit',
               help='Largest page of queues (and topics).'),
    cfg.IntOpt('max_messages_per_page', default=20,
               deprecated_name='message_paging_uplimit',
               help='Largest page of messages, and most ids per request.'),
    cfg.IntOpt('max_subscriptions_per_page', default=20,
               help='Largest page of subscriptions.'),
    cfg.IntOpt('max_messages_per_claim_or_pop', default=20,
               help='Most messages one claim or pop may take.'),
    cfg.IntOpt('max_queue_metadata', default=64 * 1024,
               deprecated_name='metadata_size_uplimit',
               help='Largest queue metadata body, in bytes.'),
    cfg.IntOpt('max_messages_post_size', default=256 * 1024,
               deprecated_name='message_size_uplimit',
               help='Largest message post body, in bytes.'),
    cfg.IntOpt('max_message_ttl', default=1209600,
               deprecated_name='message_ttl_max', help='Largest message TTL.'),
    cfg.IntOpt('max_message_delay', default=900, help='Largest message delay.'),
    cfg.IntOpt('max_claim_ttl', default=43200,
               deprecated_name='claim_ttl_max', help='Largest claim TTL.'),
    cfg.IntOpt('max_claim_grace', default=43200,
               deprecated_name='claim_grace_max', help='Largest claim grace.'),
    cfg.ListOpt('subscriber_types',
                default=['http', 'https', 'mailto', 'trust+http', 'trust+https'],
                help='Subscriber URI schemes accepted.'),
    cfg.IntOpt('max_flavors_per_page', default=20, help='Largest page of flavors.'),
    cfg.IntOpt('max_pools_per_page', default=20, help='Largest page of pools.'),
    cfg.StrOpt('client_id_uuid_safe', default='strict', choices=['strict', 'off'],
               help='"strict": Client-ID must be a UUID; "off": any string of '
                    'min_length_client_id..max_length_client_id characters.'),
    cfg.IntOpt('min_length_client_id', default=10,
               help='Shortest Client-ID when client_id_uuid_safe is off.'),
    cfg.IntOpt('max_length_client_id', default=36,
               help='Longest Client-ID when client_id_uuid_safe is off.'),
    cfg.BoolOpt('message_delete_with_claim_id', default=False,
                help='Require claim_ids beside ids on bulk message delete.'),
    cfg.StrOpt('message_encryption_algorithms', default='AES256',
               choices=['AES256', 'RSA'],
               help='Algorithm for queues with _enable_encrypt_messages.'),
    cfg.StrOpt('message_encryption_key', default='AES256', secret=True,
               help='Key material for message encryption.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
