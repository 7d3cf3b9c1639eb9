"""zaqar-gc, run as the installed command on a real SQLite store."""

import os
import subprocess
import sys
import time

from zaqar import bootstrap
from zaqar import conf as zaqar_conf

SCRIPT = os.path.join(os.path.dirname(sys.executable), 'zaqar-gc')


def test_removes_expired_messages_and_keeps_live_ones(tmp_path):
    config = tmp_path / 'zaqar.conf'
    config.write_text(f'[DEFAULT]\nstate_path = {tmp_path}\n'
                      f'[drivers:message_store:sqlalchemy]\n'
                      f'uri = sqlite:///{tmp_path / "gc.sqlite"}\n')
    storage = bootstrap.Bootstrap(zaqar_conf.new(
        args=[], config_files=[str(config)])).storage
    messages = storage.message_controller
    messages.post('q', [{'body': 'short', 'ttl': 1}, {'body': 'long', 'ttl': 300}],
                  None, 'p')
    time.sleep(1.2)

    proc = subprocess.run([SCRIPT, '--config-file', str(config)], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    # Log lines may come first.
    assert proc.stdout.splitlines()[-1] == 'removed 1 expired messages'
    left = messages.list('q', 'p', include_claimed=True, echo=True).items
    assert [m['body'] for m in left] == ['long']
    assert storage.gc() == 0  # nothing left to remove
