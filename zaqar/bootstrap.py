"""Builds the service from configuration.

Drivers are loaded through stevedore entry points; a driver that cannot be
loaded stops start-up with one line naming the namespace, the driver and
the cause.
"""

import logging

from stevedore import driver as stevedore_driver

from zaqar import policy
from zaqar.api import service
from zaqar.storage.pooling import driver as pooling

LOG = logging.getLogger(__name__)

DATA_NAMESPACE = 'zaqar.data.storage'
TRANSPORT_NAMESPACE = 'zaqar.transport'
CONTROL_NAMESPACE = 'zaqar.control.storage'


class DriverLoadError(RuntimeError):
    """A configured driver could not be loaded."""

    def __init__(self, namespace, name, cause):
        super().__init__(
            f'cannot load driver {name!r} from namespace {namespace!r}: {cause}')
        self.namespace = namespace
        self.name = name


def load_driver(namespace, name, *args):
    try:
        manager = stevedore_driver.DriverManager(
            namespace, name, invoke_on_load=True, invoke_args=args,
            on_load_failure_callback=_reraise)
    except stevedore_driver.NoMatches:
        raise DriverLoadError(namespace, name, 'no such entry point') from None
    except DriverLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any plugin failure stops start-up
        raise DriverLoadError(namespace, name, f'{type(exc).__name__}: {exc}') from exc
    return manager.driver


def _reraise(manager, entrypoint, exc):
    raise DriverLoadError(manager.namespace, entrypoint.name,
                          f'{type(exc).__name__}: {exc}') from exc


class Bootstrap:
    """Holds the objects of one service instance, built on first use."""

    def __init__(self, conf):
        self.conf = conf
        self._storage = None
        self._service = None
        self._notifier = None
        self._transport = None

    @property
    def storage(self):
        if self._storage is None:
            if self.conf.pooling:
                name = self.conf.drivers.management_store
                LOG.debug('Pooling: loading management store %s', name)
                control = load_driver(CONTROL_NAMESPACE, name, self.conf)
                self._storage = pooling.DataDriver(self.conf, control)
            else:
                name = self.conf.drivers.message_store
                LOG.debug('Loading message store %s', name)
                self._storage = load_driver(DATA_NAMESPACE, name, self.conf)
        return self._storage

    @property
    def service(self):
        if self._service is None:
            self._service = service.Service(
                self.conf, self.storage, policy.Enforcer(self.conf), self.notifier)
        return self._service

    @property
    def notifier(self):
        """Delivers to subscribers; its threads start on the first delivery."""
        if self._notifier is None:
            from zaqar.api import signed_urls
            from zaqar.notification import notifier

            key = self.conf.signed_url.secret_key
            signer = None
            if key:
                def signer(paths, methods, project, expires):
                    return signed_urls.sign(key, paths, methods, project, expires)
            self._notifier = notifier.Notifier(self.conf, signer=signer)
        return self._notifier

    @property
    def transport(self):
        if self._transport is None:
            name = self.conf.drivers.transport
            self._transport = load_driver(TRANSPORT_NAMESPACE, name, self.conf,
                                          self.service)
        return self._transport
