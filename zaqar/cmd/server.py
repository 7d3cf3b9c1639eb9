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
from zaqar.common import heap, log


def _transport(conf, name):
    conf.set_override('transport', name, group='drivers')
    try:
        transport = bootstrap.Bootstrap(conf).transport
    except bootstrap.DriverLoadError as exc:
        sys.exit(f'zaqar-server: {exc}')
    # Built and about to serve (gunicorn forks its workers after this, so
    # they inherit the frozen objects).
    heap.settle()
    return transport


def _fork(conf, name):
    """Serve transport ``name`` in a child; return once it is built, or exit
    with its error. A bare fork, before anything is built or connected:
    multiprocessing would have every forked gunicorn worker terminate the
    child at its exit."""
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        _child(conf, name, write)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.readline().strip()
    if said != 'ok':
        sys.exit(said or f'zaqar-server: the {name} transport did not start')


def _child(conf, name, pipe):
    code = 1
    try:
        try:
            transport = _transport(conf, name)
        except SystemExit as exc:
            os.write(pipe, f'{exc}\n'.encode())
            return
        os.write(pipe, b'ok\n')
        os.close(pipe)
        transport.listen()
        code = 0
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
