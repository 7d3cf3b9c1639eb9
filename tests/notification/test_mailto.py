"""E-mail delivery: through a recording sendmail command (third_part) and
through SMTP to a real aiosmtpd server (self_local), in clear, STARTTLS and
TLS."""

import email
import email.policy
import json
import logging
import ssl
import subprocess
from urllib import parse

import pytest

from tests.notification.receivers import Sendmail, SmtpReceiver, subscription


def post(notifier, subscriber, options=None, messages=None):
    messages = messages or [{'body': {'event': 'BackupStarted'}, 'ttl': 3600}]
    notifier.notify('fruits', 'project-a', messages, [subscription(subscriber, options)], {})


def parsed(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.fixture
def sendmail(tmp_path):
    def make(exits=()):
        return Sendmail(str(tmp_path), exits)
    return make


@pytest.fixture
def smtp():
    made = []

    def make(**kwargs):
        made.append(SmtpReceiver(**kwargs))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture(scope='module')
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert file, key file)."""
    directory = tmp_path_factory.mktemp('tls')
    cert, key = directory / 'cert.pem', directory / 'key.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', str(key), '-out', str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


def test_sendmail_gets_the_notification(make_notifier, sendmail):
    command = sendmail()
    notifier = make_notifier(smtp_command=command.command)
    post(notifier, 'mailto:alice@example.com?Subject=Backups',
         {'from': 'zaqar@example.com'})
    assert notifier.wait_idle(15)
    [raw] = command.mails()
    mail = parsed(raw)
    assert mail['To'] == 'alice@example.com'
    assert mail['From'] == 'zaqar@example.com'
    assert mail['Subject'] == 'Backups'
    assert json.loads(mail.get_content()) == {
        'ttl': 3600, 'body': {'event': 'BackupStarted'}, 'Message_Type': 'Notification',
        'queue_name': 'fruits'}
    assert command.args() == ['-t', '-oi']


def test_subject_from_options_when_the_uri_has_none(make_notifier, sendmail):
    command = sendmail()
    notifier = make_notifier(smtp_command=command.command)
    post(notifier, 'mailto:bob%40example.com', {'subject': 'From options'},
         [{'body': n, 'ttl': 60} for n in range(3)])
    assert notifier.wait_idle(15)
    mails = [parsed(raw) for raw in command.mails()]
    assert [m['To'] for m in mails] == ['bob@example.com'] * 3
    assert [m['Subject'] for m in mails] == ['From options'] * 3
    assert [json.loads(m.get_content())['body'] for m in mails] == [0, 1, 2]
    assert all(m['From'] is None for m in mails)


def test_sendmail_temporary_failure_is_retried(make_notifier, sendmail, caplog):
    command = sendmail(exits=[75, 75])
    notifier = make_notifier(smtp_command=command.command)
    post(notifier, 'mailto:alice@example.com')
    assert notifier.wait_idle(15)
    assert len(command.mails()) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and 'exited 75' in warnings[0]


def test_sendmail_other_failures_are_final(make_notifier, sendmail, caplog):
    command = sendmail(exits=[1])
    notifier = make_notifier(smtp_command=command.command)
    post(notifier, 'mailto:alice@example.com')
    assert notifier.wait_idle(15)
    assert command.mails() == []
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'exited 1' in error and 'not retried' in error


def test_missing_sendmail_is_reported(make_notifier, caplog):
    notifier = make_notifier(smtp_command='/nonexistent/sendmail -t')
    post(notifier, 'mailto:alice@example.com')
    assert notifier.wait_idle(15)
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "cannot run '/nonexistent/sendmail -t'" in error


def smtp_notifier(make_notifier, server, security='none', **more):
    return make_notifier(smtp_mode='self_local', smtp_host='127.0.0.1',
                         smtp_port=server.port, smtp_security=security, **more)


def test_smtp_delivery(make_notifier, smtp):
    server = smtp()
    notifier = smtp_notifier(make_notifier, server)
    post(notifier, 'mailto:alice@example.com?subject=Hi', {'from': 'Zaqar <z@example.com>'})
    [envelope] = server.wait_for(1)
    assert envelope.mail_from == 'z@example.com'
    assert envelope.rcpt_tos == ['alice@example.com']
    mail = parsed(envelope.original_content)
    assert (mail['To'], mail['Subject']) == ('alice@example.com', 'Hi')
    assert json.loads(mail.get_content())['queue_name'] == 'fruits'


def test_smtp_temporary_refusal_is_retried(make_notifier, smtp, caplog):
    server = smtp(rcpt_replies=['451 4.3.0 try again later'])
    notifier = smtp_notifier(make_notifier, server)
    post(notifier, 'mailto:alice@example.com')
    server.wait_for(1)
    assert server.rcpt_seen == 2
    assert any('451' in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)


def test_smtp_permanent_refusal_is_final(make_notifier, smtp, caplog):
    server = smtp(rcpt_replies=['550 5.1.1 no such user'])
    notifier = smtp_notifier(make_notifier, server)
    post(notifier, 'mailto:nobody@example.com')
    assert notifier.wait_idle(15)
    assert server.envelopes == [] and server.rcpt_seen == 1
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert '550' in error and 'not retried' in error


def test_smtp_server_down_is_retried(make_notifier, caplog):
    from tests.servers import free_port

    notifier = make_notifier(smtp_mode='self_local', smtp_host='127.0.0.1',
                             smtp_port=free_port(), smtp_security='none')
    post(notifier, 'mailto:alice@example.com', {'_retry_policy': {
        'retries_with_no_delay': 1, 'minimum_delay_retries': 0, 'maximum_delay_retries': 0,
        'minimum_delay': 10, 'maximum_delay': 10}})
    assert notifier.wait_idle(15)
    messages = [r.getMessage() for r in caplog.records]
    assert 'refused' in messages[0].lower() and 'retrying in 0 s' in messages[0]
    assert 'retries exhausted' in messages[-1]


def tls_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.mark.parametrize('security', ['starttls', 'ssl'])
def test_smtp_over_tls(make_notifier, smtp, certificate, monkeypatch, security):
    # The client trusts the system's CAs: make ours the system's for the test.
    monkeypatch.setenv('SSL_CERT_FILE', certificate[0])
    server = smtp(tls_context=tls_context(certificate), implicit_tls=security == 'ssl')
    notifier = smtp_notifier(make_notifier, server, security)
    post(notifier, 'mailto:alice@example.com')
    [envelope] = server.wait_for(1)
    assert envelope.rcpt_tos == ['alice@example.com']


def test_smtp_refuses_an_untrusted_certificate(make_notifier, smtp, certificate, caplog):
    server = smtp(tls_context=tls_context(certificate))
    notifier = smtp_notifier(make_notifier, server, 'starttls')
    post(notifier, 'mailto:alice@example.com', {'_retry_policy': {
        'retries_with_no_delay': 0, 'minimum_delay_retries': 0, 'maximum_delay_retries': 0,
        'minimum_delay': 10, 'maximum_delay': 10}})
    assert notifier.wait_idle(15)
    assert server.envelopes == []
    assert any('CERTIFICATE_VERIFY_FAILED' in r.getMessage() for r in caplog.records)


CONFIRM_URL = 'https://zaqar.example.com/confirm.html'


def test_confirmation_email(make_notifier, sendmail):
    command = sendmail()
    notifier = make_notifier(smtp_command=command.command,
                             external_confirmation_url=CONFIRM_URL)
    sub = subscription('mailto:alice@example.com', sid='s-9')
    notifier.send_confirmation('fruits', 'project-a', sub, base_url='http://zaqar:8888')
    assert notifier.wait_idle(15)
    [raw] = command.mails()
    mail = parsed(raw)
    assert mail['Subject'] == 'Zaqar Notification - Subscription Confirmation'
    assert mail['From'] == 'Zaqar Notifications <no-reply@openstack.org>'
    text = mail.get_content().strip()
    prefix = ('You have chosen to subscribe to the queue: fruits. This queue belongs to '
              'project: project-a. To confirm this subscription, click or visit this link '
              'below: ')
    assert text.startswith(prefix)
    link = parse.urlsplit(text[len(prefix):])
    assert link._replace(query='').geturl() == CONFIRM_URL
    query = dict(parse.parse_qsl(link.query))
    assert sorted(query) == ['Expires', 'Methods', 'Paths', 'Project', 'Queue', 'Signature',
                             'Url']
    assert query['Paths'] == '/v2/queues/fruits/subscriptions/s-9/confirm'
    assert query['Methods'] == 'PUT' and query['Project'] == 'project-a'
    assert query['Url'] == 'http://zaqar:8888/v2/queues/fruits/subscriptions/s-9/confirm'
    assert query['Queue'] == 'fruits' and len(query['Signature']) == 64


def test_unsubscribe_email(make_notifier, sendmail):
    command = sendmail()
    notifier = make_notifier(smtp_command=command.command,
                             external_confirmation_url=CONFIRM_URL)
    notifier.send_unsubscribed('fruits', 'p', subscription('mailto:alice@example.com'))
    assert notifier.wait_idle(15)
    mail = parsed(command.mails()[0])
    assert mail['Subject'] == 'Zaqar Notification - Unsubscribe Confirmation'
    assert mail.get_content().startswith('You have unsubscribed successfully to the queue: '
                                         'fruits. This queue belongs to project: p.')


def test_confirmation_email_needs_a_confirmation_page(make_notifier, sendmail, caplog):
    command = sendmail()
    notifier = make_notifier(smtp_command=command.command)
    notifier.send_confirmation('fruits', 'p', subscription('mailto:alice@example.com'))
    assert notifier.wait_idle(15)
    assert command.mails() == []
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'external_confirmation_url is not set' in error
