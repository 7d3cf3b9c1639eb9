"""zaqar-sql-db-manage: create or upgrade the SQL stores' tables.

    zaqar-sql-db-manage [--config-file zaqar.conf] [--store message|management]
                        upgrade [REVISION] | downgrade REVISION | stamp REVISION
                        | current | history

The database is the store's ``uri`` in the configuration (unset: the SQLite
file under ``[DEFAULT] state_path`` that the server would use). Servers
also upgrade on their first connection; this command is for doing it
ahead of a rollout, and for looking.
"""

import argparse
import os
import sys

import sqlalchemy as sa

from zaqar import conf as zaqar_conf
from zaqar.conf import sqlalchemy as sqlalchemy_conf
from zaqar.storage.sqlalchemy import control, database, driver, migrations

GROUPS = {'message': (sqlalchemy_conf.MESSAGE_GROUP, driver.SQLITE_FILE),
          'management': (sqlalchemy_conf.MANAGEMENT_GROUP, control.SQLITE_FILE)}


def _parser():
    parser = argparse.ArgumentParser(
        prog='zaqar-sql-db-manage', description=__doc__.split('\n\n')[0])
    parser.add_argument('--store', choices=sorted(GROUPS), default='message',
                        help='which store (default: message)')
    commands = parser.add_subparsers(dest='command', required=True)
    upgrade = commands.add_parser('upgrade', help='upgrade to REVISION (default head)')
    upgrade.add_argument('revision', nargs='?', default='head')
    for name in ('downgrade', 'stamp'):
        commands.add_parser(name, help=f'{name} to REVISION').add_argument('revision')
    commands.add_parser('current', help='print the revision of the database')
    commands.add_parser('history', help='list the revisions, oldest first')
    return parser


def url(conf, store):
    group, sqlite_file = GROUPS[store]
    return database.url_of(conf[group].uri, os.path.join(conf.state_path, sqlite_file))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # --config-file/--config-dir go to oslo.config; the rest is ours.
    ours, oslo_args, rest = [], [], list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in ('--config-file', '--config-dir') and rest:
            oslo_args += [arg, rest.pop(0)]
        elif arg.startswith(('--config-file=', '--config-dir=')):
            oslo_args.append(arg)
        else:
            ours.append(arg)
    args = _parser().parse_args(ours)
    conf = zaqar_conf.new(args=oslo_args)
    if args.command == 'history':
        for revision, message in migrations.history(args.store):
            print(f'{revision}  {message}')
        return
    engine = database.build_engine(url(conf, args.store), 1)
    try:
        with engine.connect() as conn, conn.begin():
            if args.command == 'current':
                print(migrations.current(conn, args.store) or '(empty)')
            elif args.command == 'upgrade':
                migrations.upgrade(conn, args.store, args.revision)
            elif args.command == 'downgrade':
                migrations.downgrade(conn, args.store, args.revision)
            else:
                migrations.stamp(conn, args.store, args.revision)
            if args.command != 'current':
                print(f'{args.store} store at {migrations.current(conn, args.store)}')
    except sa.exc.SQLAlchemyError as exc:
        sys.exit(f'zaqar-sql-db-manage: {type(exc).__name__}: {exc}')
    finally:
        engine.dispose()


if __name__ == '__main__':
    main()
