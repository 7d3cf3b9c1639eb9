"""zaqar-server: serve the API.

With no arguments it serves http://127.0.0.1:8888 from the embedded SQLite
store, without authentication.
"""

import sys

from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.common import log


def main(argv=None):
    conf = zaqar_conf.new(args=sys.argv[1:] if argv is None else argv)
    log.setup(conf)
    try:
        transport = bootstrap.Bootstrap(conf).transport
    except bootstrap.DriverLoadError as exc:
        sys.exit(f'zaqar-server: {exc}')
    transport.listen()


if __name__ == '__main__':
    main()
