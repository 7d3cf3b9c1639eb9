"""What every controller shares: the context, and method dispatch."""

import pecan
import pecan.core

from zaqar.transport.wsgi import errors as wsgi_errors


def request():
    # The request itself, not the pecan.request proxy, which looks up the
    # thread's request again on every attribute read.
    return pecan.core.state.request


def context():
    return request().context['zaqar']


def allow(*methods):
    """Generic index whose unhandled methods answer 405 with Allow: the
    controller's ``allowed`` methods when it has some (those of its API
    version, versions.py), else ``methods``."""

    @pecan.expose(generic=True)
    def index(self, *args, **kwargs):
        raise wsgi_errors.MethodNotAllowed(getattr(self, 'allowed', methods))

    return index
