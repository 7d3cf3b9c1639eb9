"""Console script ``zaqar-bench``."""

import sys

from zaqar.bench import config, engine, http


def main(argv=None):
    args = config.parse_args(argv)
    try:
        summary = engine.main_run(args)
    except http.HTTPError as exc:
        sys.exit(f'zaqar-bench: {exc}')
    except KeyboardInterrupt:
        sys.exit(130)
    failed = any(summary[role]['total_reqs'] and not summary[role]['successful_reqs']
                 for role in config.ROLES)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
