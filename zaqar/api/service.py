"""The service layer: the one place where API actions are carried out.

Every transport calls it with a RequestContext; it enforces policy,
validates limits and calls storage.
"""

from zaqar.api import (
    claims,
    errors,
    kinds,
    messages,
    notifications,
    pools,
    queues,
    shares,
    subscriptions,
    validation,
)


class Dependencies:
    """What every resource of the service layer needs, built once."""

    def __init__(self, conf, storage, enforcer, notifier=None):
        self.conf = conf
        self.storage = storage
        self.enforce = enforcer.enforce
        self.validate = validation.Validator(conf)
        self.notifications = notifications.Notifications(conf, storage, notifier)

    def validate_subscription_options(self, options):
        try:
            self.notifications.validate_options(options)
        except ValueError as exc:
            raise errors.BadRequest(str(exc)) from None


class Service:
    def __init__(self, conf, storage, enforcer, notifier=None):
        deps = Dependencies(conf, storage, enforcer, notifier)
        self.conf = conf
        self.storage = storage
        self.validate = deps.validate
        self.enforce = deps.enforce
        self.notifications = deps.notifications
        self.queues = queues.Queues(deps)
        self.topics = queues.Queues(deps, kinds.TOPICS, cache=self.queues.cache)
        self.messages = messages.Messages(deps, self.queues)
        self.claims = claims.Claims(deps)
        self.shares = shares.Shares(deps)
        self.subscriptions = subscriptions.Subscriptions(deps, self.queues)
        if conf.pooling:
            self.pools = pools.Pools(deps)
            self.flavors = pools.Flavors(deps)

    def ping(self, ctx):
        self.enforce('ping:get', ctx)
        return self.storage.is_alive()

    def health(self, ctx):
        self.enforce('health:get', ctx)
        return self.storage.health()
