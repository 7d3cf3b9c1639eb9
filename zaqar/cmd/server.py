"""zaqar-server: serve the API.

With no arguments it serves http://127.0.0.1:8888 from the embedded SQLite
store, without authentication. ``[drivers] transport`` may name several
transports (``wsgi, websocket``): the first is served by this process, each
other one by a child process of its own, which stops when this one exits.
"""

import os
import sys
import traceback

from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.common import log


def _transport(conf, name):
    conf.set_override('transport', name, group='drivers')
    try:
        return bootstrap.Bootstrap(conf).transport
    except bootstrap.DriverLoadError as exc:
        sys.exit(f'zaqar-server: {exc}')


def _fork(conf, name):
    # A bare fork, before anything is built or connected: multiprocessing
    # would have every forked gunicorn worker terminate it at its exit.
    if os.fork() == 0:
        code = 1
        try:
            _transport(conf, name).listen()
            code = 0
        except SystemExit as exc:
            sys.stderr.write(f'{exc}\n')
        except BaseException:  # noqa: BLE001 - os._exit below would hide it
            traceback.print_exc()
        finally:
            os._exit(code)


def main(argv=None):
    conf = zaqar_conf.new(args=sys.argv[1:] if argv is None else argv)
    log.setup(conf)
    first, *others = [n.strip() for n in conf.drivers.transport.split(',') if n.strip()]
    for name in others:
        _fork(conf, name)
    _transport(conf, first).listen()


if __name__ == '__main__':
    main()
