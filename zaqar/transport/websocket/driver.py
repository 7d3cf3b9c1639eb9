"""Entry point ``websocket`` of namespace zaqar.transport."""

import asyncio

from zaqar.storage import collector
from zaqar.transport.websocket import server


class Driver:
    def __init__(self, conf, service):
        self.conf = conf
        self.service = service
        # Built here, so a bad [keystone_authtoken] stops start-up.
        self.server = server.Server(conf, service)

    def listen(self):
        collector.start(self.service.storage)
        try:
            asyncio.run(self.server.serve_forever())
        finally:
            # Notifications in flight finish (bounded), as a WSGI worker's do.
            self.service.notifications.stop()
