"""[notification] options: delivery to subscribers; [trustee]: trust webhooks.

Names and defaults are upstream's. Options upstream lacks (delivery_timeout,
max_pending_deliveries, smtp_security) are additions with defaults that keep
an upstream file's behaviour.
"""

from oslo_config import cfg

GROUP = 'notification'
TRUSTEE_GROUP = 'trustee'

_TEMPLATE_HELP = ('Keys: topic (the subject), body and sender (the From header). In the '
                  'body, {0} is the queue name, {1} the project id and {2} the '
                  'confirmation link.')

OPTS = [
    cfg.StrOpt('smtp_mode', default='third_part', choices=('third_part', 'self_local'),
               help='How e-mail leaves: third_part pipes each message to '
                    'smtp_command; self_local talks SMTP to smtp_host itself.'),
    cfg.HostAddressOpt('smtp_host', help='SMTP server, for smtp_mode = self_local.'),
    cfg.PortOpt('smtp_port', help='SMTP port, for smtp_mode = self_local (default: '
                                  '465 with smtp_security = ssl, else 25).'),
    cfg.StrOpt('smtp_user_name',
               help='SMTP login, for smtp_mode = self_local; unset sends without '
                    'logging in.'),
    cfg.StrOpt('smtp_user_password', secret=True,
               help='SMTP password, for smtp_mode = self_local.'),
    cfg.StrOpt('smtp_security', default='ssl', choices=('ssl', 'starttls', 'none'),
               help='self_local only: ssl connects over TLS (upstream\'s only mode), '
                    'starttls upgrades a plain connection, none sends in clear.'),
    cfg.StrOpt('smtp_command', default='/usr/sbin/sendmail -t -oi',
               help='Command that reads an RFC 822 message on its standard input and '
                    'sends it, for smtp_mode = third_part. Split like a shell would; '
                    'exit status 75 (EX_TEMPFAIL) is retried.'),
    cfg.IntOpt('max_notifier_workers', default=10, min=1,
               help='Threads delivering notifications, per server process.'),
    cfg.IntOpt('max_pending_deliveries', default=10000, min=1,
               help='Most deliveries (one subscriber, one post) queued or waiting to '
                    'be retried at once, per process; past it new ones are dropped '
                    'with an error in the log, so memory stays bounded.'),
    cfg.FloatOpt('delivery_timeout', default=10.0, min=0.1,
                 help='Seconds to connect to a subscriber, and to wait for each read '
                      'of its answer (webhooks, SMTP, smtp_command).'),
    cfg.BoolOpt('require_confirmation', default=False,
                help='Deliver only to subscriptions their subscriber has confirmed; '
                     'new subscriptions get a confirmation request.'),
    cfg.StrOpt('external_confirmation_url',
               help='Page that e-mail subscribers open to confirm (it performs the '
                    'signed PUT); required for e-mail confirmations.'),
    cfg.DictOpt('subscription_confirmation_email_template',
                default={'topic': 'Zaqar Notification - Subscription Confirmation',
                         'body': 'You have chosen to subscribe to the queue: {0}. '
                                 'This queue belongs to project: {1}. To confirm this '
                                 'subscription, click or visit this link below: {2}',
                         'sender': 'Zaqar Notifications <no-reply@openstack.org>'},
                help='The e-mail asking to confirm a subscription. ' + _TEMPLATE_HELP),
    cfg.DictOpt('unsubscribe_confirmation_email_template',
                default={'topic': 'Zaqar Notification - Unsubscribe Confirmation',
                         'body': 'You have unsubscribed successfully to the queue: {0}. '
                                 'This queue belongs to project: {1}. To resubscribe '
                                 'this subscription, click or visit this link below: '
                                 '{2}',
                         'sender': 'Zaqar Notifications <no-reply@openstack.org>'},
                help='The e-mail confirming an unsubscription. ' + _TEMPLATE_HELP),
]


def _trustee_opts(with_plugin):
    # keystoneauth1's own options: auth_type/auth_section and the session's
    # (cafile, insecure, timeout, ...). The password plugin's (auth_url,
    # username, password, user_domain_name, ...) are registered by
    # keystoneauth1 when it loads the plugin named by auth_type; they are
    # listed for the sample file only, as registering them here would make
    # auth_url required of every deployment.
    from keystoneauth1 import loading

    opts = loading.get_auth_common_conf_options()
    if with_plugin:
        opts.extend(loading.get_auth_plugin_conf_options('password'))
    opts.extend(loading.get_session_conf_options())
    return opts


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
    conf.register_opts(_trustee_opts(with_plugin=False), group=TRUSTEE_GROUP)


def list_opts():
    return {GROUP: OPTS, TRUSTEE_GROUP: _trustee_opts(with_plugin=True)}
