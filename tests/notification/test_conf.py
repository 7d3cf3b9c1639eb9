"""[notification] and [trustee]: upstream's names and defaults; the tasks
of every scheme load from their entry points."""

from tests.notification.conftest import make_conf
from zaqar.conf import opts
from zaqar.notification import notifier
from zaqar.notification.tasks import Settings, mailto, trust, webhook

UPSTREAM_DEFAULTS = {
    'smtp_mode': 'third_part', 'smtp_host': None, 'smtp_port': None,
    'smtp_user_name': None, 'smtp_user_password': None,
    'smtp_command': '/usr/sbin/sendmail -t -oi', 'max_notifier_workers': 10,
    'require_confirmation': False, 'external_confirmation_url': None,
}


def test_upstream_options_and_defaults():
    group = make_conf().notification
    for name, value in UPSTREAM_DEFAULTS.items():
        assert group[name] == value, name
    template = group.subscription_confirmation_email_template
    assert sorted(template) == ['body', 'sender', 'topic']
    assert '{0}' in template['body'] and '{2}' in template['body']
    assert group.unsubscribe_confirmation_email_template['topic'] == \
        'Zaqar Notification - Unsubscribe Confirmation'


def test_an_upstream_file_loads(tmp_path):
    from zaqar import conf as zconf

    path = tmp_path / 'zaqar.conf'
    path.write_text("""
[notification]
smtp_mode = self_local
smtp_host = mail.example.com
smtp_port = 465
smtp_user_name = zaqar
smtp_user_password = secret
max_notifier_workers = 4
require_confirmation = True
external_confirmation_url = https://example.com/confirm.html

[trustee]
auth_type = password
auth_url = http://keystone:5000/v3
username = zaqar
password = secret
user_domain_name = Default
""")
    conf = zconf.new(config_files=[str(path)])
    assert conf.notification.smtp_port == 465
    assert conf.notification.require_confirmation is True
    assert conf.trustee.auth_type == 'password'


def test_sample_lists_both_groups():
    listed = dict(opts.list_opts())
    names = {o.dest for o in listed['trustee']}
    assert {'auth_type', 'auth_url', 'username', 'password', 'user_domain_name',
            'trust_id', 'cafile'} <= names
    assert 'max_notifier_workers' in {o.dest for o in listed['notification']}


def test_every_scheme_has_its_task():
    tasks = notifier.load_tasks(make_conf(), Settings(timeout=1.0))
    assert {name: type(task) for name, task in tasks.items()} == {
        'http': webhook.WebhookTask, 'https': webhook.WebhookTask,
        'mailto': mailto.MailtoTask,
        'trust+http': trust.TrustTask, 'trust+https': trust.TrustTask}
