"""Kinds of message containers: queues and topics share one implementation.

A topic is a queue in the project's "topics" namespace (context.py): the
same messages and subscriptions code serves both, and the kind names only
what differs: URL collection, policy prefix, wording and the reserved
metadata shown with defaults (api-v2.md section 4.7).
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str  # URL collection and policy prefix
    noun: str  # in messages: "Queue q does not exist ..."
    namespace: str  # RequestContext.namespace
    reserved: tuple  # reserved metadata keys reported with their defaults
    counts: bool  # whether listings offer with_count


QUEUES = Kind('queues', 'Queue', '', (
    '_max_messages_post_size', '_default_message_ttl', '_default_message_delay',
    '_dead_letter_queue', '_dead_letter_queue_messages_ttl', '_max_claim_count',
    '_enable_encrypt_messages'), counts=True)

TOPICS = Kind('topics', 'Topic', 'topics', (
    '_max_messages_post_size', '_default_message_ttl', '_default_message_delay'),
    counts=False)

BY_NAME = {kind.name: kind for kind in (QUEUES, TOPICS)}
