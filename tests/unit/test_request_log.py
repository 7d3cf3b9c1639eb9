"""Log lines written while handling a request carry its id and project."""

import logging
import uuid

import webtest
from oslo_log import log as oslo_log

from zaqar import conf as zaqar_conf
from zaqar.transport.wsgi import app as wsgi_app


def test_a_storage_failure_is_logged_with_the_request_id():
    conf = zaqar_conf.new(args=[])
    conf.set_override('uri', 'postgresql://postgres@127.0.0.1:1/zaqar',
                      group='drivers:message_store:sqlalchemy')
    app = webtest.TestApp(wsgi_app.build(conf))
    handler = logging.StreamHandler(stream := _Lines())
    handler.setFormatter(oslo_log.formatters.ContextFormatter(
        project='zaqar', version='0', config=conf))
    logger = logging.getLogger('zaqar')
    logger.addHandler(handler)
    try:
        response = app.get('/v2/queues', expect_errors=True, headers={
            'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'proj-42'})
    finally:
        logger.removeHandler(handler)
    request_id = response.headers['X-OpenStack-Request-Id']
    assert response.status_int == 503
    assert any(request_id in line and 'proj-42' in line for line in stream.lines), \
        stream.lines


class _Lines:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.extend(t for t in text.splitlines() if t)

    def flush(self):
        pass
