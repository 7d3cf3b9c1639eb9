"""Pools and flavors (api-v2.md 4.9-4.10): the admin side of pooling.

Only built when ``[DEFAULT] pooling`` is on; the storage is then the pooled
driver, whose ``control`` is the management store.
"""

import re

from zaqar.api import errors
from zaqar.storage import errors as storage_errors
from zaqar.storage.pooling import pools as pool_drivers

POOL_FIELDS = ('weight', 'uri', 'flavor', 'options')
MAX_WEIGHT = 2 ** 32 - 1
MAX_TEXT = 255
_CONTROL = re.compile('[\x00-\x1f\x7f]')


def _check_pool_fields(document, required=()):
    if not isinstance(document, dict):
        raise errors.InvalidBody('The pool must be a JSON object.')
    unknown = sorted(set(document) - set(POOL_FIELDS))
    if unknown:
        raise errors.InvalidBody(f'Unknown fields: {", ".join(unknown)}.')
    for field in required:
        if field not in document:
            raise errors.InvalidBody(f'"{field}" is a required property.')
    weight = document.get('weight')
    if 'weight' in document and (not isinstance(weight, int) or isinstance(weight, bool)
                                 or not 0 <= weight <= MAX_WEIGHT):
        raise errors.InvalidBody(f'"weight" must be an integer from 0 to {MAX_WEIGHT}.')
    for field in ('uri', 'flavor'):
        value = document.get(field)
        if field in document and not (isinstance(value, str) and len(value) <= MAX_TEXT):
            if not (field == 'flavor' and value is None):
                raise errors.InvalidBody(
                    f'"{field}" must be a string of at most {MAX_TEXT} characters.')
    if isinstance(document.get('uri'), str) and _CONTROL.search(document['uri']):
        # No URI holds one; a NUL in a SQLite path was a 500 in the driver.
        raise errors.InvalidBody('"uri" may not contain control characters.')
    if 'options' in document and not isinstance(document['options'], dict):
        raise errors.InvalidBody('"options" must be a JSON object.')


def capability_names(driver):
    return sorted(c.name for c in getattr(driver, 'capabilities', ()))


class Pools:
    def __init__(self, deps):
        self._deps = deps
        self._control = deps.storage.control
        self._store = self._control.pools_controller
        self._catalogue = self._control.catalogue_controller
        self._router = deps.storage.router

    def list(self, ctx, marker=None, limit=None, detailed=False):
        self._deps.enforce('pools:get_all', ctx)
        self._deps.validate.pool_listing(limit)
        return self._store.list(marker=marker, limit=limit or 10, detailed=detailed)

    def get(self, ctx, name, detailed=False):
        self._deps.enforce('pools:get', ctx)
        try:
            return self._store.get(name, detailed=detailed)
        except storage_errors.PoolDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def _connectable(self, uri, options, flavor):
        """The capabilities of a driver for ``uri``: it must answer, and
        match the other pools of its flavor."""
        try:
            driver = pool_drivers.build(self._deps.conf, uri, options)
        except pool_drivers.InvalidPool as exc:
            raise errors.InvalidBody(f'cannot connect to {uri}: {exc}') from None
        try:
            if not driver.is_alive():
                raise errors.InvalidBody(f'cannot connect to {uri}')
            capabilities = capability_names(driver)
        finally:
            driver.close()
        if flavor:
            for pool in self._store.all():
                if pool['flavor'] == flavor and pool['uri'] != uri:
                    other = pool_drivers.build(self._deps.conf, pool['uri'], pool['options'])
                    theirs = capability_names(other)
                    other.close()
                    if theirs != capabilities:
                        raise errors.BadRequest(
                            f'The capabilities of this pool ({capabilities}) differ from '
                            f'those of pool {pool["name"]} ({theirs}) of flavor {flavor}.',
                            title='Unable to create pool')
        return capabilities

    def create(self, ctx, name, document):
        self._deps.enforce('pools:create', ctx)
        _check_pool_fields(document, required=('uri', 'weight'))
        self._connectable(document['uri'], document.get('options'), document.get('flavor'))
        self._router.forget_pool(name)
        try:
            self._store.create(name, document['weight'], document['uri'],
                               flavor=document.get('flavor') or None,
                               options=document.get('options') or {})
        except storage_errors.PoolUriInUse as exc:
            raise errors.Conflict(str(exc)) from None

    def update(self, ctx, name, document):
        self._deps.enforce('pools:update', ctx)
        if not isinstance(document, dict) or not any(f in document for f in POOL_FIELDS):
            raise errors.InvalidBody(
                'One of `uri`, `weight`, `flavor`, or `options` needs to be specified')
        _check_pool_fields(document)
        current = self.get(ctx, name, detailed=True)
        if 'uri' in document or 'options' in document or document.get('flavor'):
            self._connectable(document.get('uri', current['uri']),
                              document.get('options', current['options']),
                              document.get('flavor', current['flavor']))
        fields = dict(document)
        if 'flavor' in fields:
            fields['flavor'] = fields['flavor'] or None  # "" detaches
        self._router.forget_pool(name)
        try:
            self._store.update(name, **fields)
        except storage_errors.PoolDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        except storage_errors.PoolUriInUse as exc:
            raise errors.Conflict(str(exc)) from None
        return self._store.get(name)

    def delete(self, ctx, name):
        self._deps.enforce('pools:delete', ctx)
        try:
            pool = self._store.get(name)
        except storage_errors.PoolDoesNotExist:
            return
        if pool['flavor'] and [p['name'] for p in self._store.all()
                               if p['flavor'] == pool['flavor']] == [name]:
            raise errors.Forbidden(
                f'This pool is used by flavors {pool["flavor"]}; It cannot be deleted.',
                title='Unable to delete')
        held = self._catalogue.count(name)
        if held:
            # Upstream would drop it and orphan the queues' data.
            raise errors.Forbidden(
                f'Pool {name} holds {held} queues; delete them first.',
                title='Unable to delete')
        self._store.delete(name)
        self._router.forget_pool(name)


class Flavors:
    def __init__(self, deps):
        self._deps = deps
        self._control = deps.storage.control
        self._store = self._control.flavors_controller
        self._pools = self._control.pools_controller

    def pool_list(self, name):
        return [p['name'] for p in self._pools.all() if p['flavor'] == name]

    def list(self, ctx, marker=None, limit=None, detailed=False):
        self._deps.enforce('flavors:get_all', ctx)
        self._deps.validate.flavor_listing(limit)
        page = self._store.list(ctx.project_id, marker=marker, limit=limit or 10)
        for flavor in page.items:
            pools = self.pool_list(flavor['name'])
            if pools:
                flavor['pool_list'] = pools
            if not detailed:
                del flavor['capabilities']
        return page

    def get(self, ctx, name):
        self._deps.enforce('flavors:get', ctx)
        return self._get(ctx, name)

    def _get(self, ctx, name):
        try:
            flavor = self._store.get(name, ctx.project_id)
        except storage_errors.FlavorDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        flavor['pool_list'] = self.pool_list(name)
        return flavor

    def _pool_list(self, document, required_message):
        if not isinstance(document, dict) or 'pool_list' not in document:
            raise errors.InvalidBody(required_message)
        unknown = sorted(set(document) - {'pool_list', 'capabilities'})
        if unknown:
            raise errors.InvalidBody(f'Unknown fields: {", ".join(unknown)}.')
        names = document['pool_list']
        if not isinstance(names, list) or not names or not all(
                isinstance(n, str) for n in names):
            raise errors.InvalidBody('"pool_list" must be a non-empty list of pool names.')
        pools = {p['name']: p for p in self._pools.all()}
        missing = [n for n in names if n not in pools]
        if missing:
            raise errors.BadRequest(f'Pools not found: {", ".join(missing)}.',
                                    title='Unable to create')
        return [pools[n] for n in names]

    def _assign(self, name, chosen):
        for pool in self._pools.all():
            if pool['flavor'] == name and pool['name'] not in {p['name'] for p in chosen}:
                self._pools.update(pool['name'], flavor=None)
        for pool in chosen:
            self._pools.update(pool['name'], flavor=name)
        driver = pool_drivers.build(self._deps.conf, chosen[0]['uri'], chosen[0]['options'])
        try:
            return capability_names(driver)
        finally:
            driver.close()

    def create(self, ctx, name, document):
        self._deps.enforce('flavors:create', ctx)
        chosen = self._pool_list(document, '"pool_list" is a required property.')
        capabilities = self._assign(name, chosen)
        self._store.create(name, ctx.project_id, capabilities)

    def update(self, ctx, name, document):
        self._deps.enforce('flavors:update', ctx)
        self._get(ctx, name)
        chosen = self._pool_list(document, '`pool_list` needs to be specified')
        capabilities = self._assign(name, chosen)
        self._store.create(name, ctx.project_id, capabilities)
        return self._get(ctx, name)

    def delete(self, ctx, name):
        self._deps.enforce('flavors:delete', ctx)
        for pool in self._pools.all():
            if pool['flavor'] == name:
                self._pools.update(pool['name'], flavor=None)
        self._store.delete(name, ctx.project_id)
