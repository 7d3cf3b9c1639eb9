"""Delivery tasks, one per subscriber URI scheme (entry points
``zaqar.notification.tasks``: http, https, mailto, trust+http, trust+https).

A task turns one notification into one attempt at delivery and says how it
went; it never sleeps and never retries by itself: the notifier's scheduler
owns retries, so a failing subscriber costs no thread while it waits.
"""

import abc
import enum
import json
import typing


class Status(enum.Enum):
    DELIVERED = 'delivered'
    RETRY = 'retry'      # worth trying again later: network, timeout, 5xx, 4xx SMTP
    FAILED = 'failed'    # retrying cannot help: a 4xx answer, a bad address or setting


class Outcome(typing.NamedTuple):
    status: Status
    detail: str = ''


DELIVERED = Outcome(Status.DELIVERED)


def retry(detail):
    return Outcome(Status.RETRY, detail)


def failed(detail):
    return Outcome(Status.FAILED, detail)


class Notification:
    """What one attempt delivers.

    ``message`` is the dict sent (the posted message plus ``Message_Type``,
    or a confirmation request); ``document`` its JSON with ``queue_name``
    added, serialised on first use (by a worker, not the posting request)
    and shared by every subscriber of the post.
    """

    __slots__ = ('queue_name', 'project', 'message', '_document')

    def __init__(self, queue_name, project, message):
        self.queue_name, self.project, self.message = queue_name, project, message
        self._document = None

    @property
    def document(self):
        if self._document is None:  # two workers may both build it: same text
            self._document = json.dumps(dict(self.message, queue_name=self.queue_name))
        return self._document


class Settings(typing.NamedTuple):
    """What tasks take from the notifier besides the configuration."""
    timeout: float                             # seconds, per connect and per read
    token_provider: typing.Callable | None = None  # trust_id -> Keystone token


class Task(abc.ABC):
    """One scheme's delivery. Built once per notifier and shared by its
    worker threads, so ``deliver`` must be thread-safe.

    ``conf`` is the whole ConfigOpts; ``settings`` the notifier's
    ``Settings`` (timeout, token provider).
    """

    def __init__(self, conf, settings):
        self.conf = conf
        self.settings = settings

    @abc.abstractmethod
    def deliver(self, subscription, notification):
        """Try once to deliver ``notification`` to ``subscription``
        (its dict: subscriber, source, options, ...); return an Outcome.

        Expected failures (network, the subscriber's answer, a missing
        setting) are outcomes, not exceptions.
        """
