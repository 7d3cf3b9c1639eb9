"""Zaqar's HTTP API under gunicorn: an example for production.

    gunicorn -c /etc/zaqar/gunicorn.conf.py

The application reads the configuration file named by ZAQAR_CONFIG_FILE,
or else oslo.config's usual places (/etc/zaqar/zaqar.conf, ...). The
[drivers:transport:wsgi] bind, port, workers and threads options are
zaqar-server's; under gunicorn the settings below apply instead.

Unlike zaqar-server, these workers do not remove expired messages: run
``zaqar-gc --config-file /etc/zaqar/zaqar.conf`` from cron (every minute
is plenty); expired messages are invisible to clients in any case.
"""

import multiprocessing

wsgi_app = 'zaqar.transport.wsgi.app:application'

# Behind a load balancer or a TLS proxy on the same host. Override on the
# command line: gunicorn -c gunicorn.conf.py --bind 0.0.0.0:8888
bind = ['127.0.0.1:8888']

# API processes keep no state: one per core, threads for requests that
# wait on the store. gthread keeps idle keep-alive connections off the
# threads; zaqar's subclass of it also gives up on a client that stalls
# mid-request for 30 s (gthread alone waits for ever, so a few stalled
# clients hold every thread): plain 'gthread' only behind a buffering proxy.
workers = multiprocessing.cpu_count()
worker_class = 'zaqar.transport.wsgi.server.Worker'
threads = 8
keepalive = 60

# A request blocked this long on a dead store connection is killed.
timeout = 60
graceful_timeout = 30

# Keystone tokens and pre-signed URL headers fit well under 8 KiB; queue
# names and message ids keep request lines short.
limit_request_line = 4094
limit_request_field_size = 8190

accesslog = '-'
errorlog = '-'
loglevel = 'info'
proc_name = 'zaqar-api'

# With several servers on a host, a control socket per user would clash.
control_socket_disable = True
