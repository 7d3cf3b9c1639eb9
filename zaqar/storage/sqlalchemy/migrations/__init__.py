"""Alembic migrations of the SQL stores, and the API to run them.

Two stores, two histories: ``message`` (queues, messages, subscriptions)
and ``management`` (pools, flavors, catalogue), each with its own version
table, so they may share one database. ``zaqar-sql-db-manage`` and the
drivers (on first connection) both upgrade through ``upgrade``: a database
made by either is the same, and knows its revision.
"""

import os

from alembic import command, runtime
from alembic import config as alembic_config

HERE = os.path.dirname(__file__)
STORES = {
    'message': 'zaqar_message_version',
    'management': 'zaqar_management_version',
}


def _config(store, connection):
    if store not in STORES:
        raise ValueError(f'unknown store {store!r}: one of {", ".join(STORES)}')
    config = alembic_config.Config()
    config.set_main_option('script_location', HERE)
    config.set_main_option('path_separator', 'os')
    config.set_main_option('version_locations', os.path.join(HERE, store))
    config.attributes['connection'] = connection
    config.attributes['version_table'] = STORES[store]
    return config


def upgrade(connection, store, revision='head'):
    """Upgrade the store's tables on ``connection`` (inside its transaction)."""
    command.upgrade(_config(store, connection), revision)


def downgrade(connection, store, revision):
    command.downgrade(_config(store, connection), revision)


def stamp(connection, store, revision='head'):
    command.stamp(_config(store, connection), revision)


def current(connection, store):
    """The store's revision in this database, or None."""
    context = runtime.migration.MigrationContext.configure(
        connection, opts={'version_table': STORES[store]})
    return context.get_current_revision()


def history(store):
    """[(revision, message)] from oldest to newest."""
    from alembic import script

    scripts = script.ScriptDirectory.from_config(_config(store, None))
    return [(s.revision, s.doc) for s in reversed(list(scripts.walk_revisions()))]
