"""Data drivers of the pools, built from each pool's URI and options.

A pool's URI names its driver by scheme; its ``options`` override that
driver's options (``[drivers:message_store:<driver>]``). Drivers are built
once per (uri, options) and rebuilt when an admin changes either.
"""

import logging
import threading

import stevedore

from zaqar import conf as zaqar_conf

LOG = logging.getLogger(__name__)

DATA_NAMESPACE = 'zaqar.data.storage'
SCHEMES = {
    'redis': 'redis', 'redis+sentinel': 'redis', 'unix': 'redis',
    'mongodb': 'mongodb', 'mongodb+srv': 'mongodb',
    'sqlite': 'sqlalchemy', 'postgresql': 'sqlalchemy', 'mysql': 'sqlalchemy',
}


class InvalidPool(ValueError):
    """A pool whose URI or options no driver accepts."""


def driver_name(uri):
    scheme = uri.split(':', 1)[0].lower() if ':' in uri else ''
    name = SCHEMES.get(scheme) or SCHEMES.get(scheme.split('+', 1)[0])
    if name is None:
        raise InvalidPool(f'No storage driver for the URI scheme "{scheme}".')
    return name


def build(base_conf, uri, options):
    """A data driver for ``uri`` with ``options``; InvalidPool when refused."""
    name = driver_name(uri)
    conf = zaqar_conf.new(args=[])
    conf.set_override('state_path', base_conf.state_path)
    conf.set_override('message_store', name, group='drivers')
    group = f'drivers:message_store:{name}'
    try:
        conf.set_override('uri', uri, group=group)
        for key, value in (options or {}).items():
            conf.set_override(key, value, group=group)
    except Exception as exc:  # noqa: BLE001 - oslo.config's many errors
        raise InvalidPool(f'Invalid pool option: {exc}') from None
    try:
        manager = stevedore.DriverManager(DATA_NAMESPACE, name, invoke_on_load=True,
                                          invoke_args=(conf,))
    except Exception as exc:  # noqa: BLE001 - the driver refused the URI
        raise InvalidPool(f'cannot load a {name} driver for the pool: {exc}') from None
    return manager.driver


class PoolDrivers:
    """The data driver of each pool by name, built on first use."""

    def __init__(self, conf):
        self._conf = conf
        self._drivers = {}  # name -> ((uri, options as text), driver)
        self._lock = threading.Lock()

    def get(self, pool):
        key = (pool['uri'], repr(sorted(pool.get('options', {}).items())))
        found = self._drivers.get(pool['name'])
        if found and found[0] == key:
            return found[1]
        with self._lock:
            found = self._drivers.get(pool['name'])
            if found and found[0] == key:
                return found[1]
            driver = build(self._conf, pool['uri'], pool.get('options'))
            if found:
                LOG.info('Pool %s changed: rebuilding its driver', pool['name'])
                found[1].close()
            self._drivers[pool['name']] = (key, driver)
            return driver

    def close(self):
        with self._lock:
            for _, driver in self._drivers.values():
                driver.close()
            self._drivers.clear()
