"""What every controller shares: the context, and method dispatch."""

import pecan

from zaqar.transport.wsgi import errors as wsgi_errors


def context():
    return pecan.request.context['zaqar']


def request():
    return pecan.request


def allow(*methods):
    """Generic index whose unhandled methods answer 405 with Allow: the
    controller's ``allowed`` methods when it has some (those of its API
    version, versions.py), else ``methods``."""

    @pecan.expose(generic=True)
    def index(self, *args, **kwargs):
        raise wsgi_errors.MethodNotAllowed(getattr(self, 'allowed', methods))

    return index
