"""Trust webhooks (trust+http, trust+https): a webhook POST carrying
``X-Auth-Token``, a Keystone token obtained through the trust whose id the
subscription keeps in ``options.trust_id``.

Tokens come from a token provider, a callable ``trust_id -> token`` that
raises ``TokenError``. The notifier's default is ``KeystoneTrustTokens``,
built from ``[trustee]``; tests inject their own.
"""

import collections
import threading

from zaqar.notification import tasks
from zaqar.notification.tasks import webhook

PREFIX = 'trust+'


class TokenError(Exception):
    """No token for a trust; ``retry`` says whether trying later may help."""

    def __init__(self, detail, retry):
        super().__init__(detail)
        self.retry = retry


class TrustTask(webhook.WebhookTask):

    def deliver(self, subscription, notification):
        trust_id = (subscription.get('options') or {}).get('trust_id')
        if not trust_id:
            return tasks.failed('no trust_id in the subscription options')
        provider = self.settings.token_provider
        if provider is None:
            return tasks.failed('no Keystone trust token provider configured')
        try:
            token = provider(trust_id)
        except TokenError as exc:
            detail = f'no token for trust {trust_id}: {exc}'
            return tasks.retry(detail) if exc.retry else tasks.failed(detail)
        headers = {'X-Auth-Token': token, 'Content-Type': 'application/json'}
        url = subscription['subscriber'][len(PREFIX):]
        return self.post(url, subscription, notification, headers)


class KeystoneTrustTokens:
    """Tokens for trusts, as the ``[trustee]`` user (keystoneauth1).

    One auth plugin per trust is kept (at most ``cache_size``, least
    recently used first out): keystoneauth re-uses its token until it nears
    expiry, so a busy subscription does not cost a Keystone call per message.
    """

    def __init__(self, conf, group='trustee', cache_size=1024):
        self._conf, self._group = conf, group
        self._plugins = collections.OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def __call__(self, trust_id):
        from keystoneauth1 import exceptions

        try:
            session = self._session(trust_id)
            return session.get_token()
        except (exceptions.ConnectFailure, exceptions.ConnectTimeout,
                exceptions.RetriableConnectionFailure) as exc:
            raise TokenError(f'Keystone unreachable: {exc}', retry=True) from None
        except exceptions.HttpError as exc:
            raise TokenError(f'Keystone answered {exc}', retry=exc.http_status >= 500) \
                from None
        except exceptions.ClientException as exc:  # missing or wrong [trustee] settings
            raise TokenError(f'[{self._group}] cannot authenticate: {exc}', retry=False) \
                from None

    def _session(self, trust_id):
        from keystoneauth1 import exceptions, loading

        with self._lock:
            session = self._plugins.pop(trust_id, None)
            if session is None:
                plugin = loading.load_auth_from_conf_options(
                    self._conf, self._group, trust_id=trust_id)
                if plugin is None:
                    raise exceptions.MissingAuthPlugin(
                        f'[{self._group}] auth_type is not set')
                session = loading.load_session_from_conf_options(
                    self._conf, self._group, auth=plugin)
            self._plugins[trust_id] = session
            while len(self._plugins) > self._size:
                self._plugins.popitem(last=False)
        return session


def create_trust(conf, user_auth, trustor_user_id, project_id, roles, expires_at=None,
                 group='trustee'):
    """Create a trust from the subscribing user to the ``[trustee]`` user and
    return its id, for ``options.trust_id`` of a new trust+ subscription.

    ``user_auth`` is the subscribing request's keystoneauth plugin
    (keystonemiddleware's ``keystone.token_auth``); ``expires_at`` a naive
    UTC datetime or None. Impersonating, with the user's roles in the
    project, as upstream.
    """
    from keystoneauth1 import loading

    trustee = loading.load_session_from_conf_options(
        conf, group, auth=loading.load_auth_from_conf_options(conf, group))
    user = loading.load_session_from_conf_options(conf, group, auth=user_auth)
    trust = {'trustor_user_id': trustor_user_id,
             'trustee_user_id': trustee.get_user_id(),
             'project_id': project_id,
             'impersonation': True,
             'roles': [{'name': role} for role in roles]}
    if expires_at is not None:
        trust['expires_at'] = expires_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    answer = user.post('/OS-TRUST/trusts', json={'trust': trust},
                       endpoint_filter={'service_type': 'identity', 'interface': 'public',
                                        'version': (3, 0)})
    return answer.json()['trust']['id']
