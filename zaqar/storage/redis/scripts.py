"""The Lua scripts (scripts/*.lua), each prefixed with scripts/common.lua.

redis-py's Script objects call them by SHA (EVALSHA) and load them again
on NOSCRIPT, after a Redis restart or SCRIPT FLUSH.
"""

import functools
import pathlib

SCRIPT_DIR = pathlib.Path(__file__).parent / 'scripts'
NAMES = ('post', 'list', 'delete', 'bulk_delete', 'pop', 'stats',
         'claim', 'claim_get', 'claim_update', 'claim_delete',
         'queue_create', 'queue_set_metadata', 'queue_delete', 'queue_purge',
         'queue_list', 'gc', 'sub_create', 'sub_update', 'sub_get', 'sub_list',
         'sub_delete')


@functools.cache
def source(name):
    common = (SCRIPT_DIR / 'common.lua').read_text()
    return common + '\n' + (SCRIPT_DIR / f'{name}.lua').read_text()


def register(client):
    """Script objects bound to ``client``, by name (no I/O yet)."""
    return {name: client.register_script(source(name)) for name in NAMES}
