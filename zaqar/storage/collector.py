"""Background removal of expired messages, off the request path."""

import logging
import threading

from zaqar.storage import errors

LOG = logging.getLogger(__name__)


def run_once(storage):
    try:
        removed = storage.gc()
    except errors.StorageError as exc:
        LOG.warning('Garbage collection failed: %s', exc)
        return 0
    if removed:
        LOG.info('Garbage collection removed %d expired messages', removed)
    return removed


def start(storage, interval=None):
    """Start a daemon thread calling ``storage.gc()`` every ``interval`` s.

    ``interval`` defaults to the driver's ``gc_interval``; 0 disables it.
    """
    interval = getattr(storage, 'gc_interval', 60) if interval is None else interval
    if not interval:
        return None
    stop = threading.Event()

    def loop():
        while not stop.wait(interval):
            run_once(storage)

    thread = threading.Thread(target=loop, name='zaqar-gc', daemon=True)
    thread.start()
    return stop
