"""Alembic environment: runs on the connection handed over by migrations/__init__.py."""

from alembic import context

config = context.config
connection = config.attributes['connection']
context.configure(connection=connection, version_table=config.attributes['version_table'],
                  # SQLite cannot ALTER most things: batch mode copies tables.
                  render_as_batch=connection.dialect.name == 'sqlite')
with context.begin_transaction():
    context.run_migrations()
