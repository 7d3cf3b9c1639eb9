"""Redis management store: pools, flavors and the catalogue (pooling).

Keys, under the URI's prefix (``[drivers:management_store:redis] uri``):

    <prefix>:pools               hash, pool name -> msgpack pool (with options)
    <prefix>:pool_uris           hash, uri -> pool name (a URI has one pool)
    <prefix>:f:<project>         hash, flavor name -> msgpack capabilities
    <prefix>:cat:<project>       hash, queue -> pool name
    <prefix>:cat_count           hash, pool name -> queues on it

Each write that must be atomic (a pool and its URI, a placement and its
count) is one short Lua script.
"""

import redis

from zaqar.conf import redis as redis_conf
from zaqar.storage import base, errors
from zaqar.storage.redis import connection, keys, records

# KEYS: pools, pool_uris. ARGV: name, uri, packed pool, "create" or "update".
# Returns 1, 0 (no such pool, on update) or -1 (uri taken by another pool).
_SET_POOL = '''
local owner = redis.call('HGET', KEYS[2], ARGV[2])
if owner and owner ~= ARGV[1] then return -1 end
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old and ARGV[4] == 'update' then return 0 end
local old_uri = redis.call('HGET', KEYS[1] .. ':uri', ARGV[1])
if old_uri and old_uri ~= ARGV[2] then redis.call('HDEL', KEYS[2], old_uri) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[1] .. ':uri', ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1
'''
_DELETE_POOL = '''
local uri = redis.call('HGET', KEYS[1] .. ':uri', ARGV[1])
if uri then redis.call('HDEL', KEYS[2], uri) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1] .. ':uri', ARGV[1])
return 1
'''
# KEYS: catalogue of the project, counts. ARGV: queue, pool. Returns the pool.
_PLACE = '''
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return ARGV[2]
end
return redis.call('HGET', KEYS[1], ARGV[1])
'''
_FORGET = '''
local pool = redis.call('HGET', KEYS[1], ARGV[1])
if pool then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HINCRBY', KEYS[2], pool, -1)
end
return 1
'''


def _shown(pool, detailed):
    return pool if detailed else {k: v for k, v in pool.items() if k != 'options'}


class _Controller:
    def __init__(self, conn):
        self._conn = conn

    def _run(self, fn):
        with self._conn.session() as session:
            return fn(session.client, session.prefix)


class PoolsController(_Controller, base.PoolsController):
    def _all(self, client, prefix):
        found = client.hgetall(f'{prefix}:pools')
        return sorted((records.unpack(v) for v in found.values()), key=lambda p: p['name'])

    def list(self, marker=None, limit=10, detailed=False):
        pools = self._run(self._all)
        items = [_shown(p, detailed) for p in pools if marker is None or p['name'] > marker]
        items = items[:limit]
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, detailed=False):
        data = self._run(lambda c, p: c.hget(f'{p}:pools', name))
        if data is None:
            raise errors.PoolDoesNotExist(name)
        return _shown(records.unpack(data), detailed)

    def all(self):
        return self._run(self._all)

    def _set(self, pool, mode):
        def write(client, prefix):
            return client.eval(_SET_POOL, 2, f'{prefix}:pools', f'{prefix}:pool_uris',
                               pool['name'], pool['uri'], records.pack(pool), mode)
        result = self._run(write)
        if result == -1:
            raise errors.PoolUriInUse()
        if result == 0:
            raise errors.PoolDoesNotExist(pool['name'])

    def create(self, name, weight, uri, flavor=None, options=None):
        self._set({'name': name, 'uri': uri, 'weight': weight, 'flavor': flavor,
                   'options': options or {}}, 'create')

    def update(self, name, **fields):
        pool = self.get(name, detailed=True)
        pool.update({k: v for k, v in fields.items()
                     if k in ('weight', 'uri', 'flavor', 'options')})
        pool['options'] = pool['options'] or {}
        self._set(pool, 'update')

    def delete(self, name):
        self._run(lambda c, p: c.eval(_DELETE_POOL, 2, f'{p}:pools', f'{p}:pool_uris', name))


class FlavorsController(_Controller, base.FlavorsController):
    @staticmethod
    def _key(prefix, project):
        return b'%s:f:%s' % (prefix.encode(), keys.enc(project))

    def list(self, project, marker=None, limit=10):
        found = self._run(lambda c, p: c.hgetall(self._key(p, project)))
        names = sorted(n.decode() for n in found)
        names = [n for n in names if marker is None or n > marker][:limit]
        items = [{'name': n, 'capabilities': records.unpack(found[n.encode()])} for n in names]
        return base.Page(items, items[-1]['name'] if items else None)

    def get(self, name, project):
        data = self._run(lambda c, p: c.hget(self._key(p, project), name))
        if data is None:
            raise errors.FlavorDoesNotExist(name)
        return {'name': name, 'capabilities': records.unpack(data)}

    def create(self, name, project, capabilities=()):
        self._run(lambda c, p: c.hset(self._key(p, project), name,
                                      records.pack(list(capabilities))))

    def delete(self, name, project):
        self._run(lambda c, p: c.hdel(self._key(p, project), name))


class CatalogueController(_Controller, base.CatalogueController):
    @staticmethod
    def _keys(prefix, project):
        return b'%s:cat:%s' % (prefix.encode(), keys.enc(project)), f'{prefix}:cat_count'

    def get(self, project, queue):
        pool = self._run(lambda c, p: c.hget(self._keys(p, project)[0], queue))
        return records.text(pool)

    def insert(self, project, queue, pool):
        return records.text(self._run(
            lambda c, p: c.eval(_PLACE, 2, *self._keys(p, project), queue, pool)))

    def delete(self, project, queue):
        self._run(lambda c, p: c.eval(_FORGET, 2, *self._keys(p, project), queue))

    def count(self, pool):
        found = self._run(lambda c, p: c.hget(f'{p}:cat_count', pool))
        return int(found or 0)


class ControlDriver(base.ControlControllersDriver):
    """Entry point ``redis`` of namespace zaqar.control.storage."""

    def __init__(self, conf):
        self._conn = connection.Connection(conf[redis_conf.MANAGEMENT_GROUP])
        super().__init__(conf, PoolsController(self._conn), FlavorsController(self._conn),
                         CatalogueController(self._conn))

    def is_alive(self):
        try:
            with self._conn.session() as session:
                return bool(session.client.ping())
        except (errors.StorageError, redis.RedisError):
            return False
