"""zaqar-status upgrade check, run as the installed command on real files."""

import json
import os
import subprocess
import sys

import pytest
from oslo_config import cfg

from tests.servers import free_port
from zaqar.cmd import status

SCRIPT = os.path.join(os.path.dirname(sys.executable), 'zaqar-status')
SUCCESS, WARNING, FAILURE = 0, 1, 2


def run_check(tmp_path, config, *extra):
    """Run ``zaqar-status upgrade check --json``; (exit status, {check: result})."""
    path = tmp_path / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n{config}')
    proc = subprocess.run(
        [SCRIPT, '--config-file', str(path), *extra, 'upgrade', 'check', '--json'],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    assert report['name'] == 'Upgrade Check Results'
    return proc.returncode, {c['check']: (c['result'], c['details']) for c in report['checks']}


def test_embedded_sqlite_store_passes_every_check(tmp_path):
    code, checks = run_check(tmp_path, '')
    assert code == SUCCESS
    assert checks == {
        'Message store': (SUCCESS, 'The sqlalchemy store answers.'),
        'Management store': (SUCCESS, 'Pooling is off: the management store is unused.'),
        'Keystone authentication': (SUCCESS, checks['Keystone authentication'][1]),
        'Signed URLs and confirmations': (
            SUCCESS, '[signed_url] secret_key is unset: pre-signed URLs '
                     '(POST /v2/queues/{name}/share) are disabled.'),
        'Policy file rules': (SUCCESS, 'No policy file: the defaults in code apply.'),
        'Policy file format (JSON is deprecated)': (SUCCESS, None),
    }
    assert 'No authentication' in checks['Keystone authentication'][1]


def test_explicit_sqlite_uri(tmp_path):
    config = ('[drivers]\nmessage_store = sqlalchemy\n'
              f'[drivers:message_store:sqlalchemy]\nuri = sqlite:///{tmp_path}/q.db\n')
    code, checks = run_check(tmp_path, config)
    assert code == SUCCESS
    assert (tmp_path / 'q.db').exists()


def test_unknown_driver_fails_and_lists_the_installed_ones(tmp_path):
    code, checks = run_check(tmp_path, '[drivers]\nmessage_store = nosuch\n')
    assert code == FAILURE
    result, details = checks['Message store']
    assert result == FAILURE
    assert "cannot load driver 'nosuch' from namespace 'zaqar.data.storage'" in details
    assert 'Installed drivers: ' in details and 'sqlalchemy' in details


def test_unreachable_database_fails_without_printing_its_password(tmp_path):
    uri = f'postgresql://zaqar:s3cret@127.0.0.1:{free_port()}/zaqar'
    code, checks = run_check(tmp_path, f'[drivers:message_store:sqlalchemy]\nuri = {uri}\n')
    assert code == FAILURE
    assert checks['Message store'] == (
        FAILURE, 'The sqlalchemy store was loaded but does not answer: check '
                 '[drivers:message_store:sqlalchemy] uri and that its server is running.')
    assert 's3cret' not in json.dumps(checks)


def test_pooling_checks_the_management_store_not_the_message_store(tmp_path):
    config = ('pooling = true\n[drivers]\nmessage_store = nosuch\n'
              'management_store = nosuch-either\n')
    code, checks = run_check(tmp_path, config)
    assert code == FAILURE
    assert checks['Message store'][0] == SUCCESS
    result, details = checks['Management store']
    assert result == FAILURE
    assert "'nosuch-either' from namespace 'zaqar.control.storage'" in details


def test_keystone_without_auth_type_fails(tmp_path):
    code, checks = run_check(tmp_path, 'auth_strategy = keystone\n')
    assert code == FAILURE
    result, details = checks['Keystone authentication']
    assert result == FAILURE
    assert details.startswith('auth_strategy = keystone needs [keystone_authtoken] '
                              'auth_type')


def test_keystone_password_plugin_without_auth_url_fails(tmp_path):
    config = 'auth_strategy = keystone\n[keystone_authtoken]\nauth_type = password\n'
    code, checks = run_check(tmp_path, config)
    assert code == FAILURE
    result, details = checks['Keystone authentication']
    assert result == FAILURE
    assert 'auth_type = password cannot be loaded' in details and 'auth_url' in details


def test_keystone_unknown_plugin_fails(tmp_path):
    config = 'auth_strategy = keystone\n[keystone_authtoken]\nauth_type = passwort\n'
    code, checks = run_check(tmp_path, config)
    assert checks['Keystone authentication'][0] == FAILURE
    assert 'passwort' in checks['Keystone authentication'][1]


def test_keystone_with_service_credentials_passes(tmp_path):
    config = ('auth_strategy = keystone\n[keystone_authtoken]\nauth_type = password\n'
              'auth_url = http://127.0.0.1:5000/v3\nusername = zaqar\npassword = pw\n'
              'project_name = service\nuser_domain_name = Default\n'
              'project_domain_name = Default\n')
    code, checks = run_check(tmp_path, config)
    assert code == SUCCESS
    assert checks['Keystone authentication'] == (
        SUCCESS, 'Keystone tokens, validated with the password credentials of '
                 '[keystone_authtoken].')


def test_confirmation_without_signing_key_fails(tmp_path):
    code, checks = run_check(tmp_path, '[notification]\nrequire_confirmation = true\n')
    assert code == FAILURE
    result, details = checks['Signed URLs and confirmations']
    assert result == FAILURE
    assert details.startswith('[notification] require_confirmation is on but '
                              '[signed_url] secret_key is unset')


def test_confirmation_with_signing_key_passes(tmp_path):
    config = '[notification]\nrequire_confirmation = true\n[signed_url]\nsecret_key = k\n'
    code, checks = run_check(tmp_path, config)
    assert code == SUCCESS
    assert checks['Signed URLs and confirmations'] == (SUCCESS,
                                                       'Pre-signed URLs are enabled.')


def test_unknown_policy_rules_warn(tmp_path):
    (tmp_path / 'policy.yaml').write_text(
        '"queues:get_all": "role:reader"\n"queue:create": "role:member"\n')
    code, checks = run_check(tmp_path, f'[oslo_policy]\npolicy_file = {tmp_path}/policy.yaml\n')
    assert code == WARNING
    result, details = checks['Policy file rules']
    assert result == WARNING
    assert details.endswith('which change nothing: queue:create.')


def test_known_policy_rules_pass(tmp_path):
    (tmp_path / 'policy.yaml').write_text('"queues:get_all": "role:reader"\n')
    code, checks = run_check(tmp_path, f'[oslo_policy]\npolicy_file = {tmp_path}/policy.yaml\n')
    assert code == SUCCESS
    assert checks['Policy file rules'][1].startswith('1 rule(s) of ')


def test_unparsable_policy_file_fails(tmp_path):
    (tmp_path / 'policy.yaml').write_text('"queues:get_all": [unclosed\n')
    code, checks = run_check(tmp_path, f'[oslo_policy]\npolicy_file = {tmp_path}/policy.yaml\n')
    assert code == FAILURE
    assert checks['Policy file rules'][0] == FAILURE


def test_json_policy_file_fails_the_common_check(tmp_path):
    (tmp_path / 'policy.json').write_text('{"queues:get_all": ""}')
    code, checks = run_check(tmp_path, f'[oslo_policy]\npolicy_file = {tmp_path}/policy.json\n')
    assert code == FAILURE
    assert checks['Policy file format (JSON is deprecated)'][0] == FAILURE
    assert checks['Policy file rules'][0] == SUCCESS


def test_table_output(tmp_path):
    path = tmp_path / 'zaqar.conf'
    path.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n')
    proc = subprocess.run([SCRIPT, '--config-file', str(path), 'upgrade', 'check'],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == SUCCESS, proc.stderr
    assert '| Check: Message store' in proc.stdout
    assert '| Result: Success' in proc.stdout


@pytest.mark.parametrize('check', [status.check_signed_urls, status.check_keystone_auth])
def test_options_this_build_lacks_are_skipped(check):
    # A ConfigOpts with none of the groups: the check answers, it does not crash.
    conf = cfg.ConfigOpts()
    conf([])
    assert check(conf).code == SUCCESS
