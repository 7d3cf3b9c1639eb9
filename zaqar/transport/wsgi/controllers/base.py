"""What every controller shares: the context, and method dispatch."""

import pecan

from zaqar.transport.wsgi import errors as wsgi_errors


def context():
    return pecan.request.context['zaqar']


def request():
    return pecan.request


def allow(*methods):
    """Generic index whose unhandled methods answer 405 with Allow."""

    @pecan.expose(generic=True)
    def index(self, *args, **kwargs):
        raise wsgi_errors.MethodNotAllowed(methods)

    return index
