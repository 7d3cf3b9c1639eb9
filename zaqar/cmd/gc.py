"""zaqar-gc: remove expired messages and claims once, then exit."""

import sys

from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.common import log
from zaqar.storage import collector


def main(argv=None):
    conf = zaqar_conf.new(args=sys.argv[1:] if argv is None else argv)
    log.setup(conf)
    try:
        storage = bootstrap.Bootstrap(conf).storage
    except bootstrap.DriverLoadError as exc:
        sys.exit(f'zaqar-gc: {exc}')
    removed = collector.run_once(storage)
    print(f'removed {removed} expired messages')


if __name__ == '__main__':
    main()
