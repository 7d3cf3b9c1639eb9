"""Ping and health (api-v2.md 4.8)."""

import pytest

from tests.api.helpers import Api, error, expect

ADMIN = {'X-Roles': 'admin'}
NOT_AUTHORIZED = error('Not authorized', 'You are not authorized to complete this action.')


@pytest.fixture
def admin_api(make_app):
    return Api(make_app(admin_mode=True))


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_ping(api, method):
    expect(api.call(method, '/v2/ping'), 204, None)


@pytest.mark.parametrize('headers', [{'Client-ID': None}, {'X-Project-ID': None}],
                         ids=['no-client-id', 'no-project'])
def test_ping_needs_the_headers(api, headers):
    assert api.get('/v2/ping', headers=headers).status_int == 400


@pytest.mark.parametrize('headers', [ADMIN, {'X-Roles': 'member, admin'}],
                         ids=['admin', 'member-and-admin'])
def test_health(admin_api, headers):
    response = admin_api.get('/v2/health', headers=headers)
    expect(response, 200)
    assert response.json['storage_reachable'] is True
    # Upstream's MongoDB driver adds these, pooling the catalogue's state and
    # one report per pool; nothing else may appear.
    known = {'storage_reachable', 'operation_status', 'message_volume', 'catalog_reachable'}
    pools = {k: v for k, v in response.json.items() if k not in known}
    assert all(set(v) <= known and v['storage_reachable'] for v in pools.values()), pools


@pytest.mark.parametrize('headers', [{}, {'X-Roles': 'member'}], ids=['no-roles', 'member'])
def test_health_is_for_admins(admin_api, headers):
    expect(admin_api.get('/v2/health', headers=headers), 403, NOT_AUTHORIZED)


def test_no_health_without_admin_mode(api):
    expect(api.get('/v2/health', headers=ADMIN), 404, error('404 Not Found'))


def test_ping_in_admin_mode(admin_api):
    expect(admin_api.get('/v2/ping'), 204, None)


def test_health_counts_messages_where_the_store_can(admin_api):
    admin_api.post_messages('q', 'a', 'b', 'c')
    admin_api.claim('q', limit=1)
    volume = admin_api.get('/v2/health', headers=ADMIN).json.get('message_volume')
    if volume is not None:  # SQL stores; shared by every test of the session
        assert volume['total'] >= 3 and volume['claimed'] >= 1
        assert volume['free'] + volume['claimed'] == volume['total']
