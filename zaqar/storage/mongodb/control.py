"""MongoDB management store: pools, flavors and the catalogue (pooling).

Collections of ``[drivers:management_store:mongodb] database``: ``pools``
(``_id`` the name, ``u`` the URI, unique), ``flavors`` (``_id`` project and
name) and ``catalogue`` (``_id`` project and queue, ``pool``). Uniqueness
is the server's: a unique index or the ``_id``, so racing writers agree.
"""

import dataclasses

import pymongo
from pymongo import IndexModel
from pymongo import errors as mongo_errors

from zaqar.conf import mongodb as mongodb_conf
from zaqar.storage import base, errors
from zaqar.storage.mongodb import connection


@dataclasses.dataclass(frozen=True)
class Handles:
    client: pymongo.MongoClient
    pools: object
    flavors: object
    catalogue: object


class Connection(connection.Connection):
    """The message store's connection handling, with these collections."""

    def _connect(self):
        kwargs = dict(self.client_kwargs)
        if connection.needs_combined_pem(self._opts):
            self._pem = self._pem or connection.combine_pem(self._opts)
            kwargs['tlsCertificateKeyFile'] = self._pem
        client = pymongo.MongoClient(self._uri, **kwargs)
        try:
            self._check_durability(client)
            database = client[self._opts.database]
            handles = Handles(client, database['pools'], database['flavors'],
                              database['catalogue'])
            handles.pools.create_indexes([IndexModel([('u', 1)], name='uri', unique=True),
                                          IndexModel([('f', 1)], name='flavor')])
            handles.catalogue.create_indexes([IndexModel([('pool', 1)], name='pool')])
        except BaseException:
            client.close()
            raise
        return handles


def _pool(doc, detailed):
    pool = {'name': doc['_id'], 'uri': doc['u'], 'weight': doc['w'], 'flavor': doc['f']}
    if detailed:
        pool['options'] = doc['o']
    return pool


class _Controller:
    def __init__(self, conn):
        self._conn = conn

    def _run(self, fn):
        return self._conn.run(fn)


class PoolsController(_Controller, base.PoolsController):
    def list(self, marker=None, limit=10, detailed=False):
        query = {} if marker is None else {'_id': {'$gt': marker}}
        items = self._run(lambda h: [_pool(d, detailed) for d in
                                     h.pools.find(query).sort('_id', 1).limit(limit)])
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, detailed=False):
        doc = self._run(lambda h: h.pools.find_one({'_id': name}))
        if doc is None:
            raise errors.PoolDoesNotExist(name)
        return _pool(doc, detailed)

    def all(self):
        return self._run(lambda h: [_pool(d, True) for d in h.pools.find().sort('_id', 1)])

    def create(self, name, weight, uri, flavor=None, options=None):
        doc = {'u': uri, 'w': weight, 'f': flavor, 'o': options or {}}
        try:
            self._run(lambda h: h.pools.replace_one({'_id': name}, doc, upsert=True))
        except mongo_errors.DuplicateKeyError:
            raise errors.PoolUriInUse() from None

    def update(self, name, **fields):
        names = {'weight': 'w', 'uri': 'u', 'flavor': 'f', 'options': 'o'}
        changes = {names[k]: v for k, v in fields.items() if k in names}
        if 'o' in changes:
            changes['o'] = changes['o'] or {}
        try:
            found = self._run(lambda h: h.pools.update_one({'_id': name}, {'$set': changes}))
        except mongo_errors.DuplicateKeyError:
            raise errors.PoolUriInUse() from None
        if not found.matched_count:
            raise errors.PoolDoesNotExist(name)

    def delete(self, name):
        self._run(lambda h: h.pools.delete_one({'_id': name}))


class FlavorsController(_Controller, base.FlavorsController):
    def list(self, project, marker=None, limit=10):
        query = {'_id.p': project}
        if marker is not None:
            query['_id.n'] = {'$gt': marker}
        docs = self._run(lambda h: list(h.flavors.find(query).sort('_id.n', 1).limit(limit)))
        items = [{'name': d['_id']['n'], 'capabilities': d['c']} for d in docs]
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, project):
        doc = self._run(lambda h: h.flavors.find_one({'_id': {'p': project, 'n': name}}))
        if doc is None:
            raise errors.FlavorDoesNotExist(name)
        return {'name': name, 'capabilities': doc['c']}

    def create(self, name, project, capabilities=()):
        self._run(lambda h: h.flavors.replace_one({'_id': {'p': project, 'n': name}},
                                                  {'c': list(capabilities)}, upsert=True))

    def delete(self, name, project):
        self._run(lambda h: h.flavors.delete_one({'_id': {'p': project, 'n': name}}))


class CatalogueController(_Controller, base.CatalogueController):
    def get(self, project, queue):
        doc = self._run(lambda h: h.catalogue.find_one({'_id': {'p': project, 'q': queue}}))
        return None if doc is None else doc['pool']

    def insert(self, project, queue, pool):
        key = {'_id': {'p': project, 'q': queue}}
        try:
            self._run(lambda h: h.catalogue.insert_one({**key, 'pool': pool}))
            return pool
        except mongo_errors.DuplicateKeyError:  # placed by someone else meanwhile
            return self.get(project, queue)

    def delete(self, project, queue):
        self._run(lambda h: h.catalogue.delete_one({'_id': {'p': project, 'q': queue}}))

    def count(self, pool):
        return self._run(lambda h: h.catalogue.count_documents({'pool': pool}))


class ControlDriver(base.ControlControllersDriver):
    """Entry point ``mongodb`` of namespace zaqar.control.storage."""

    def __init__(self, conf):
        self._conn = Connection(conf[mongodb_conf.MANAGEMENT_GROUP], conf.unreliable)
        super().__init__(conf, PoolsController(self._conn), FlavorsController(self._conn),
                         CatalogueController(self._conn))

    def is_alive(self):
        try:
            return bool(self._conn.run(lambda h: h.client.admin.command('ping')))
        except errors.StorageError:
            return False

    def close(self):
        self._conn.close()
