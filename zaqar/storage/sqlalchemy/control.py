"""SQL management store: pools, flavors and the catalogue (pooling).

Same database handling as the message store (database.py), in a database
of its own: ``[drivers:management_store:sqlalchemy] uri``, by default a
SQLite file ``zaqar-management.sqlite`` under ``[DEFAULT] state_path``.
"""

import json
import os

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from zaqar.conf import sqlalchemy as sqlalchemy_conf
from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import database, tables

SQLITE_FILE = 'zaqar-management.sqlite'

control_metadata = sa.MetaData()

pools = sa.Table(
    'pools', control_metadata,
    sa.Column('name', tables.name_type(64), primary_key=True),
    sa.Column('uri', tables.name_type(255), nullable=False, unique=True),
    sa.Column('weight', sa.BigInteger(), nullable=False),
    sa.Column('flavor', tables.name_type(255), nullable=True, index=True),
    sa.Column('options', sa.Text(), nullable=False),
)

flavors = sa.Table(
    'flavors', control_metadata,
    sa.Column('project', tables.name_type(tables.SCOPE_MAX), primary_key=True),
    sa.Column('name', tables.name_type(64), primary_key=True),
    sa.Column('capabilities', sa.Text(), nullable=False),
)

catalogue = sa.Table(
    'catalogue', control_metadata,
    sa.Column('project', tables.name_type(tables.SCOPE_MAX), primary_key=True),
    sa.Column('queue', tables.name_type(64), primary_key=True),
    sa.Column('pool', tables.name_type(64), nullable=False, index=True),
)

P, F, C = pools, flavors, catalogue


def _pool(row, detailed):
    pool = {'name': row.name, 'uri': row.uri, 'weight': row.weight, 'flavor': row.flavor}
    if detailed:
        pool['options'] = json.loads(row.options)
    return pool


@database.retry_conflicts
class PoolsController(base.PoolsController):
    def __init__(self, db):
        self._db = db

    def list(self, marker=None, limit=10, detailed=False):
        query = sa.select(P).order_by(P.c.name).limit(limit)
        if marker is not None:
            query = query.where(P.c.name > marker)
        with self._db.read() as conn:
            items = [_pool(row, detailed) for row in conn.execute(query)]
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, detailed=False):
        with self._db.read() as conn:
            row = conn.execute(sa.select(P).where(P.c.name == name)).first()
        if row is None:
            raise errors.PoolDoesNotExist(name)
        return _pool(row, detailed)

    def all(self):
        with self._db.read() as conn:
            return [_pool(row, True) for row in conn.execute(sa.select(P).order_by(P.c.name))]

    def create(self, name, weight, uri, flavor=None, options=None):
        row = {'uri': uri, 'weight': weight, 'flavor': flavor,
               'options': json.dumps(options or {})}
        try:
            with self._db.write() as conn:
                updated = conn.execute(sa.update(P).where(P.c.name == name).values(row))
                if not updated.rowcount:
                    conn.execute(sa.insert(P).values(name=name, **row))
        except sa_exc.IntegrityError:
            raise errors.PoolUriInUse() from None

    def update(self, name, **fields):
        values = {k: v for k, v in fields.items() if k in ('weight', 'uri', 'flavor')}
        if 'options' in fields:
            values['options'] = json.dumps(fields['options'] or {})
        try:
            with self._db.write() as conn:
                found = conn.execute(sa.update(P).where(P.c.name == name).values(values))
        except sa_exc.IntegrityError:
            raise errors.PoolUriInUse() from None
        if not found.rowcount:
            raise errors.PoolDoesNotExist(name)

    def delete(self, name):
        with self._db.write() as conn:
            conn.execute(sa.delete(P).where(P.c.name == name))


@database.retry_conflicts
class FlavorsController(base.FlavorsController):
    def __init__(self, db):
        self._db = db

    def list(self, project, marker=None, limit=10):
        query = (sa.select(F).where(F.c.project == project)
                 .order_by(F.c.name).limit(limit))
        if marker is not None:
            query = query.where(F.c.name > marker)
        with self._db.read() as conn:
            items = [_flavor(row) for row in conn.execute(query)]
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, project):
        with self._db.read() as conn:
            row = conn.execute(sa.select(F).where(
                F.c.project == project, F.c.name == name)).first()
        if row is None:
            raise errors.FlavorDoesNotExist(name)
        return _flavor(row)

    def create(self, name, project, capabilities=()):
        where = (F.c.project == project, F.c.name == name)
        with self._db.write() as conn:
            conn.execute(sa.delete(F).where(*where))
            conn.execute(sa.insert(F).values(project=project, name=name,
                                             capabilities=json.dumps(list(capabilities))))

    def delete(self, name, project):
        with self._db.write() as conn:
            conn.execute(sa.delete(F).where(F.c.project == project, F.c.name == name))


def _flavor(row):
    return {'name': row.name, 'capabilities': json.loads(row.capabilities)}


@database.retry_conflicts
class CatalogueController(base.CatalogueController):
    def __init__(self, db):
        self._db = db

    def get(self, project, queue):
        with self._db.read() as conn:
            return conn.execute(sa.select(C.c.pool).where(
                C.c.project == project, C.c.queue == queue)).scalar()

    def insert(self, project, queue, pool):
        try:
            with self._db.write() as conn:
                conn.execute(sa.insert(C).values(project=project, queue=queue, pool=pool))
            return pool
        except sa_exc.IntegrityError:  # placed by someone else meanwhile
            return self.get(project, queue)

    def delete(self, project, queue):
        with self._db.write() as conn:
            conn.execute(sa.delete(C).where(C.c.project == project, C.c.queue == queue))

    def count(self, pool):
        with self._db.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(C)
                                .where(C.c.pool == pool)).scalar()


class ControlDriver(base.ControlControllersDriver):
    """Entry point ``sqlalchemy`` of namespace zaqar.control.storage."""

    def __init__(self, conf):
        self._opts = conf[sqlalchemy_conf.MANAGEMENT_GROUP]
        self._db = database.Database(self._url, 5, 'management')
        super().__init__(conf, PoolsController(self._db), FlavorsController(self._db),
                         CatalogueController(self._db))

    def _url(self):
        return database.url_of(self._opts.uri, os.path.join(self.conf.state_path, SQLITE_FILE))

    def is_alive(self):
        return self._db.is_alive()

    def close(self):
        self._db.close()
