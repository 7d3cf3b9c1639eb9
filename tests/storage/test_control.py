"""The management store contract (pools, flavors, catalogue) on SQLite,
PostgreSQL, MySQL/MariaDB, Redis and MongoDB."""

import threading
import uuid

import pytest

import zaqar.conf
from zaqar.storage import errors
from zaqar.storage.mongodb import control as mongodb_control
from zaqar.storage.redis import control as redis_control
from zaqar.storage.sqlalchemy import control


@pytest.fixture(params=['sqlite', 'postgresql', 'mysql', 'redis', 'mongodb'])
def driver(request, tmp_path):
    conf = zaqar.conf.new(args=[])
    if request.param == 'mongodb':
        uri, database = request.getfixturevalue('mongodb_database')
        conf.set_override('uri', uri, group='drivers:management_store:mongodb')
        # A database of this test's own (mongoeco: one server, no replica set).
        conf.set_override('database', f'{database}_{uuid.uuid4().hex[:8]}',
                          group='drivers:management_store:mongodb')
        conf.set_override('unreliable', True)
        driver = mongodb_control.ControlDriver(conf)
    elif request.param == 'redis':
        # A prefix of this test's own, under the session's (cleared at its end).
        uri = f'{request.getfixturevalue("redis_prefix_uri")}:{uuid.uuid4().hex[:8]}'
        conf.set_override('uri', uri, group='drivers:management_store:redis')
        driver = redis_control.ControlDriver(conf)
    else:
        if request.param == 'sqlite':
            uri = f'sqlite:///{tmp_path / "management.sqlite"}'
        else:
            uri = request.getfixturevalue(f'{request.param}_database')
        conf.set_override('uri', uri, group='drivers:management_store:sqlalchemy')
        driver = control.ControlDriver(conf)
    yield driver
    for pool in driver.pools_controller.all():
        driver.pools_controller.delete(pool['name'])
    driver.close()


@pytest.fixture
def pools(driver):
    return driver.pools_controller


def test_pools_create_get_list(pools):
    pools.create('b', 10, 'redis://b', flavor='fast', options={'x': 1})
    pools.create('a', 0, 'redis://a')
    assert pools.get('b') == {'name': 'b', 'uri': 'redis://b', 'weight': 10, 'flavor': 'fast'}
    assert pools.get('b', detailed=True)['options'] == {'x': 1}
    page = pools.list(limit=1)
    assert [p['name'] for p in page.items] == ['a'] and page.marker == 'a'
    assert [p['name'] for p in pools.list(marker='a').items] == ['b']
    assert [p['name'] for p in pools.all()] == ['a', 'b']
    assert all('options' in p for p in pools.all())


def test_pool_recreate_replaces_and_uri_is_unique(pools):
    pools.create('a', 1, 'redis://a', flavor='f')
    pools.create('a', 5, 'redis://a2')
    assert pools.get('a', detailed=True) == {'name': 'a', 'uri': 'redis://a2', 'weight': 5,
                                             'flavor': None, 'options': {}}
    pools.create('b', 1, 'redis://b')
    with pytest.raises(errors.PoolUriInUse):
        pools.create('c', 1, 'redis://a2')
    with pytest.raises(errors.PoolUriInUse):
        pools.update('b', uri='redis://a2')


def test_pool_update_and_delete(pools):
    pools.create('a', 1, 'redis://a')
    pools.update('a', weight=7, flavor='f', options={'k': 'v'})
    assert pools.get('a', detailed=True) == {'name': 'a', 'uri': 'redis://a', 'weight': 7,
                                             'flavor': 'f', 'options': {'k': 'v'}}
    with pytest.raises(errors.PoolDoesNotExist):
        pools.update('nonesuch', weight=1)
    pools.delete('a')
    pools.delete('a')
    with pytest.raises(errors.PoolDoesNotExist):
        pools.get('a')


def test_flavors_per_project(driver):
    flavors = driver.flavors_controller
    flavors.create('f', 'p1', ['FIFO'])
    flavors.create('g', 'p1')
    flavors.create('f', 'p2', ['CLAIMS'])
    assert flavors.get('f', 'p1') == {'name': 'f', 'capabilities': ['FIFO']}
    assert flavors.get('f', 'p2') == {'name': 'f', 'capabilities': ['CLAIMS']}
    assert [f['name'] for f in flavors.list('p1').items] == ['f', 'g']
    flavors.create('f', 'p1', ['AOD'])
    assert flavors.get('f', 'p1')['capabilities'] == ['AOD']
    flavors.delete('f', 'p1')
    with pytest.raises(errors.FlavorDoesNotExist):
        flavors.get('f', 'p1')
    assert flavors.get('f', 'p2')['name'] == 'f'


def test_catalogue_first_placement_wins(driver):
    catalogue = driver.catalogue_controller
    assert catalogue.get('p', 'q') is None
    results = []

    def insert(pool):
        results.append(catalogue.insert('p', 'q', pool))

    threads = [threading.Thread(target=insert, args=(f'pool{n}',)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert catalogue.get('p', 'q') == results[0]
    assert catalogue.count(results[0]) == 1
    assert catalogue.get('other', 'q') is None
    catalogue.delete('p', 'q')
    assert catalogue.get('p', 'q') is None
    assert catalogue.count(results[0]) == 0
