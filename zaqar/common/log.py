"""Logging through oslo.log."""

from oslo_log import log


def setup(conf):
    log.setup(conf, 'zaqar')
