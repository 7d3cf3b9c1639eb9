"""E-mail (mailto:) subscribers (api-v2.md 13.6).

``mailto:alice@example.com?subject=Hi``: the recipient is the URI's path,
the subject its ``subject`` parameter (any case) or ``options.subject``,
the sender ``options.from``. A notification's mail body is its JSON; a
confirmation request or unsubscription notice uses the configured template
and a link to ``external_confirmation_url`` carrying the signed-URL values.

``[notification] smtp_mode``: ``third_part`` pipes the mail to
``smtp_command`` (sendmail); ``self_local`` speaks SMTP to ``smtp_host``,
over TLS, STARTTLS or in clear (``smtp_security``).

Retried: a command that times out or exits 75 (EX_TEMPFAIL), SMTP
connection failures and 4xx replies. Final: other exit codes, 5xx replies,
a missing setting.
"""

import email.message
import email.utils
import shlex
import smtplib
import ssl
import subprocess
from urllib import parse

from zaqar.notification import messages, tasks

EX_TEMPFAIL = 75


class MailtoTask(tasks.Task):

    def deliver(self, subscription, notification):
        try:
            mail = self.compose(subscription, notification)
        except ValueError as exc:
            return tasks.failed(str(exc))
        group = self.conf.notification
        if group.smtp_mode == 'self_local':
            return self._smtp(mail, group)
        return self._pipe(mail, group.smtp_command)

    def compose(self, subscription, notification):
        uri = parse.urlsplit(subscription['subscriber'])
        query = {k.lower(): v for k, v in parse.parse_qsl(uri.query)}
        options = subscription.get('options') or {}
        kind = notification.message.get('Message_Type')
        template = self._template(kind)
        if template is None:
            text = notification.document
            sender = options.get('from') or ''
            subject = query.get('subject') or options.get('subject') or ''
        else:
            text = self._confirmation_text(template, notification)
            sender, subject = template.get('sender', ''), template.get('topic', '')
        mail = email.message.EmailMessage()
        mail['To'] = parse.unquote(uri.path)
        if sender:  # no From: sendmail and SMTP servers put in their own
            mail['From'] = sender
        mail['Subject'] = subject
        mail['Date'] = email.utils.formatdate(localtime=False)
        mail.set_content(text)
        return mail

    def _template(self, kind):
        group = self.conf.notification
        if kind == messages.SUBSCRIPTION_CONFIRMATION:
            return group.subscription_confirmation_email_template
        if kind == messages.UNSUBSCRIBE_CONFIRMATION:
            return group.unsubscribe_confirmation_email_template
        return None

    def _confirmation_text(self, template, notification):
        url = self.conf.notification.external_confirmation_url
        if not url:
            raise ValueError('[notification] external_confirmation_url is not set: '
                             'cannot write a confirmation e-mail')
        link = confirmation_link(url, notification.message, notification.queue_name)
        try:
            return template.get('body', '').format(
                notification.queue_name, notification.message.get('X-Project-ID', ''), link)
        except (IndexError, KeyError, ValueError) as exc:
            raise ValueError(f'unusable e-mail template body: {exc!r}') from None

    def _pipe(self, mail, command):
        timeout = self.settings.timeout
        try:
            done = subprocess.run(shlex.split(command), input=mail.as_bytes(),
                                  capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return tasks.retry(f'{command!r} did not finish within {timeout:g} s')
        except (OSError, ValueError) as exc:
            return tasks.failed(f'cannot run {command!r}: {exc}')
        if done.returncode == 0:
            return tasks.DELIVERED
        detail = (f'{command!r} exited {done.returncode}: '
                  f'{done.stderr.decode("utf-8", "replace").strip()[-300:]}')
        return tasks.retry(detail) if done.returncode == EX_TEMPFAIL else tasks.failed(detail)

    def _smtp(self, mail, group):
        try:
            with self._connect(group) as server:
                if group.smtp_user_name:
                    server.login(group.smtp_user_name, group.smtp_user_password or '')
                # An empty reverse path (MAIL FROM:<>) when nobody sends it.
                sender = email.utils.parseaddr(mail['From'] or '')[1]
                server.send_message(mail, from_addr=sender or group.smtp_user_name or '')
        except smtplib.SMTPResponseException as exc:
            detail = f'SMTP {exc.smtp_code}: {_text(exc.smtp_error)}'
            return tasks.retry(detail) if 400 <= exc.smtp_code < 500 else tasks.failed(detail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = f'recipients refused: {exc.recipients}'
            return (tasks.retry(detail) if all(400 <= c < 500 for c in codes)
                    else tasks.failed(detail))
        except (smtplib.SMTPException, OSError) as exc:  # connection, TLS, disconnects
            return tasks.retry(f'SMTP to {group.smtp_host}:{group.smtp_port or "default"} '
                               f'failed: {exc or type(exc).__name__}')
        return tasks.DELIVERED

    def _connect(self, group):
        host, port, timeout = group.smtp_host or 'localhost', group.smtp_port or 0, \
            self.settings.timeout
        if group.smtp_security == 'ssl':
            return smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        server = smtplib.SMTP(host, port, timeout=timeout)
        if group.smtp_security == 'starttls':
            try:
                server.starttls(context=ssl.create_default_context())
            except BaseException:
                server.close()
                raise
        return server


def confirmation_link(url, message, queue_name):
    """``external_confirmation_url`` with what the page needs to confirm."""
    values = (('Signature', message.get('URL-Signature', '')),
              ('Methods', message.get('URL-Methods', '')),
              ('Paths', message.get('URL-Paths', '')),
              ('Project', message.get('X-Project-ID', '')),
              ('Expires', message.get('URL-Expires', '')),
              ('Url', message.get('WSGISubscribeURL', '')),
              ('Queue', queue_name))
    # Paths, dates and URLs stay readable; separators inside values are escaped.
    query = '&'.join(f'{k}={parse.quote(str(v), safe="/:")}' for k, v in values)
    return f'{url}{"&" if "?" in url else "?"}{query}'


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) else str(value)
