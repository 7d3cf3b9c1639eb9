"""Bootstrap loads drivers by entry point and fails loudly, in one line."""

import os
import subprocess
import sys

import pytest

from zaqar import bootstrap
from zaqar import conf as zaqar_conf
from zaqar.api import service
from zaqar.storage.sqlalchemy import driver as sql_driver
from zaqar.transport.wsgi import driver as wsgi_driver


def _conf(tmp_path, overrides=()):
    conf = zaqar_conf.new(args=[])
    conf.set_override('state_path', str(tmp_path))
    for (group, name), value in dict(overrides).items():
        conf.set_override(name, value, group=group)
    return conf


def test_default_configuration_builds_sql_storage_and_wsgi(tmp_path):
    boot = bootstrap.Bootstrap(_conf(tmp_path))
    assert isinstance(boot.storage, sql_driver.DataDriver)
    assert isinstance(boot.service, service.Service)
    assert isinstance(boot.transport, wsgi_driver.Driver)
    assert callable(boot.transport.app)


def test_construction_touches_no_file(tmp_path):
    assert callable(bootstrap.Bootstrap(_conf(tmp_path)).transport.app)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('group,name', [('drivers', 'message_store'),
                                        ('drivers', 'transport')])
def test_unknown_driver_names_namespace_driver_and_cause(tmp_path, group, name):
    boot = bootstrap.Bootstrap(_conf(tmp_path, {(group, name): "nonesuch"}))
    with pytest.raises(bootstrap.DriverLoadError) as info:
        boot.transport  # noqa: B018 - the property loads the drivers
    message = str(info.value)
    assert "'nonesuch'" in message
    assert 'zaqar.' in message
    assert 'no such entry point' in message


def test_server_with_unknown_driver_exits_with_one_line(tmp_path):
    config = tmp_path / 'zaqar.conf'
    config.write_text('[drivers]\nmessage_store = nonesuch\n')
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    result = subprocess.run([script, '--config-file', str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "zaqar-server: cannot load driver 'nonesuch' from namespace "
        "'zaqar.data.storage': no such entry point"]


def test_keystone_without_service_credentials_stops_start_up(tmp_path):
    config = tmp_path / 'zaqar.conf'
    config.write_text(f'[DEFAULT]\nauth_strategy = keystone\nstate_path = {tmp_path}\n')
    script = os.path.join(os.path.dirname(sys.executable), 'zaqar-server')
    result = subprocess.run([script, '--config-file', str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "zaqar-server: cannot load driver 'wsgi' from namespace 'zaqar.transport': "
        "ValueError: auth_strategy = keystone needs [keystone_authtoken] auth_type "
        "(e.g. password), auth_url and the service credentials that validate tokens")


def test_unknown_auth_strategy_is_refused(tmp_path):
    config = tmp_path / 'zaqar.conf'
    config.write_text('[DEFAULT]\nauth_strategy = noauth\n')
    with pytest.raises(ValueError, match='auth_strategy'):
        zaqar_conf.new(args=[], config_files=[str(config)]).auth_strategy  # noqa: B018
