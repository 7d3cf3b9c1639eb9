"""Keeps Python's cyclic garbage collector off a server's start-up objects.

A worker builds its whole service at start-up: configuration, routes,
policy rules, drivers and every module they import, several hundred thousand
objects that live as long as the process. Each full collection walks all of
them while it holds the GIL: 20-80 ms here for a Redis-backed worker, during
which every request of that worker waits. Moving them to the permanent
generation once they are built leaves a full pass only the objects made
since, and keeps forked workers from touching (and so copying) those pages.
"""

import gc
import logging

LOG = logging.getLogger(__name__)


def settle():
    """Collect the garbage of start-up, then freeze what is left; returns
    how many objects were frozen. Call it once the service is built, in the
    process that will serve, never per request or per app in a test run."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    LOG.debug('Froze %d start-up objects out of the garbage collector', frozen)
    return frozen
