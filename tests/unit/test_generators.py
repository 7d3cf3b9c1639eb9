"""The entry points for oslo's sample generators produce complete samples."""

import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)


def test_config_sample_has_every_group(tmp_path):
    out = tmp_path / 'zaqar.conf.sample'
    subprocess.run([os.path.join(BIN, 'oslo-config-generator'), '--namespace', 'zaqar',
                    '--output-file', str(out)], check=True, timeout=60)
    text = out.read_text()
    for group in ('[DEFAULT]', '[drivers]', '[drivers:transport:wsgi]', '[transport]',
                  '[drivers:message_store:sqlalchemy]', '[signed_url]'):
        assert group in text
    assert '#max_messages_post_size = 262144' in text


def test_policy_sample_has_upstream_rule_names(tmp_path):
    out = tmp_path / 'policy.yaml'
    subprocess.run([os.path.join(BIN, 'oslopolicy-sample-generator'), '--namespace',
                    'zaqar', '--output-file', str(out)], check=True, timeout=60)
    text = out.read_text()
    for line in ('#"queues:get_all": ""', '#"health:get": "role:admin"',
                 '#"pools:create": "role:admin"', '#"flavors:get": ""'):
        assert line in text
