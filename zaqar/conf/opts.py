"""Options for oslo-config-generator (entry point oslo.config.opts: zaqar)."""

from zaqar.conf import MODULES


def list_opts():
    grouped = {}
    for module in MODULES:
        for group, opts in module.list_opts().items():
            grouped.setdefault(group, []).extend(opts)
    return sorted(grouped.items(), key=lambda item: (item[0] != 'DEFAULT', item[0]))
