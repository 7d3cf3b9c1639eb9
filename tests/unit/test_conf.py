"""Configuration: upstream's groups and names, and an upstream file loads."""

from zaqar import conf as zaqar_conf
from zaqar.conf import opts

UPSTREAM_CONF = """
[DEFAULT]
admin_mode = True
pooling = False
unreliable = True
enable_checksum = True
auth_strategy =
debug = True

[drivers]
transport = wsgi
message_store = sqlalchemy
management_store = sqlalchemy

[drivers:transport:wsgi]
bind = 0.0.0.0
port = 8889

[drivers:message_store:mongodb]
uri = mongodb://127.0.0.1:27017
database = zaqar

[drivers:management_store:sqlalchemy]
uri = sqlite:///:memory:

[transport]
max_messages_per_page = 15
max_message_ttl = 86400
client_id_uuid_safe = off

[signed_url]
secret_key = s3cret

[storage]
message_pipeline = zaqar.notification.notifier

[notification]
require_confirmation = True
"""


def test_upstream_style_file_loads(tmp_path):
    path = tmp_path / 'zaqar.conf'
    path.write_text(UPSTREAM_CONF)
    conf = zaqar_conf.new(args=['--config-file', str(path)])
    assert conf.admin_mode is True
    assert conf.enable_checksum is True
    assert conf['drivers:transport:wsgi'].port == 8889
    assert conf.transport.max_messages_per_page == 15
    assert conf.transport.max_message_ttl == 86400
    assert conf.transport.client_id_uuid_safe == 'off'
    assert conf.signed_url.secret_key == 's3cret'


def test_transport_defaults_are_upstreams():
    limits = zaqar_conf.new(args=[]).transport
    assert (limits.default_message_ttl, limits.default_claim_ttl,
            limits.default_claim_grace, limits.max_messages_per_page,
            limits.max_messages_post_size, limits.max_message_ttl,
            limits.max_claim_ttl, limits.max_message_delay,
            limits.max_queue_metadata) == (3600, 300, 60, 20, 262144, 1209600,
                                           43200, 900, 65536)


def test_list_opts_covers_every_group():
    groups = [group for group, _ in opts.list_opts()]
    assert groups[0] == 'DEFAULT'
    assert {'drivers', 'transport', 'drivers:transport:wsgi', 'signed_url',
            'drivers:message_store:sqlalchemy'} <= set(groups)
